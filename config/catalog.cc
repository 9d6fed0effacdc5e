// Views of the key catalog: key paths (for the docs test) and a JSON Schema for editors.
#include "steer/config/catalog.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "steer/base/duration.h"

namespace steer::config {
namespace {

using nlohmann::json;

// user:password@ in a URL (a ':' before the first '@' of the authority), as text_checks.cc's
// UrlHasPassword reads it.
constexpr const char* kPasswordInUrl = "^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@]*:[^/?#]*@";

// A bound as a policy would write it: 10ms, 1000, 0.5.
std::string BoundText(const KeyInfo& k, double v) {
  if (k.kind == ValueKind::kDuration) return base::FormatDuration(base::Duration(std::llround(v)));
  if (v == std::floor(v)) return std::to_string(std::llround(v));
  std::ostringstream out;
  out << v;
  return out.str();
}

// The JSON value of a bound: an integer where the key is one.
json BoundJson(const KeyInfo& k, double v) {
  if (k.kind == ValueKind::kNumber) return v;
  return std::llround(v);
}

json UrlSchema(const KeyInfo& k) {
  std::string schemes;
  for (const auto& s : k.url_schemes) schemes += (schemes.empty() ? "" : "|") + s;
  return {{"type", "string"},
          {"pattern", "^(" + schemes + ")://"},
          {"not", {{"pattern", kPasswordInUrl}}}};
}

// minimum/maximum of a value; x-minimum/x-maximum of a duration (JSON Schema cannot compare
// durations; the docs state them too).
void AddBounds(const KeyInfo& k, json& s) {
  bool duration = k.kind == ValueKind::kDuration;
  if (k.min)
    s[duration ? "x-minimum" : "minimum"] =
        duration ? json(BoundText(k, *k.min)) : BoundJson(k, *k.min);
  if (k.max)
    s[duration ? "x-maximum" : "maximum"] =
        duration ? json(BoundText(k, *k.max)) : BoundJson(k, *k.max);
}

void CollectPaths(const ObjectInfo& info, const std::string& prefix,
                  std::vector<std::string>* out) {
  for (const auto& k : info.keys) {
    std::string path = prefix.empty() ? k.key : prefix + "." + k.key;
    out->push_back(path);
    if (k.object == nullptr || !k.keys_as.empty()) continue;
    if (k.kind == ValueKind::kObjectList || k.kind == ValueKind::kAnswerList) {
      CollectPaths(*k.object, path + "[]", out);
    }
    if (k.kind == ValueKind::kObjectMap) CollectPaths(*k.object, path + ".<name>", out);
    if (k.kind == ValueKind::kObject) CollectPaths(*k.object, path, out);
  }
}

json ObjectSchema(const ObjectInfo& info);

json KeySchema(const KeyInfo& k) {
  json s;
  switch (k.kind) {
    case ValueKind::kString:
      s = k.url_schemes.empty() ? json{{"type", "string"}} : UrlSchema(k);
      break;
    case ValueKind::kInteger:
      s = {{"type", "integer"}};
      AddBounds(k, s);
      break;
    case ValueKind::kNumber:
      s = {{"type", "number"}};
      AddBounds(k, s);
      break;
    case ValueKind::kBoolean:
      s = {{"type", "boolean"}};
      break;
    case ValueKind::kDuration:
      s = {{"type", "string"}, {"pattern", "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"}};
      AddBounds(k, s);
      break;
    case ValueKind::kSecret:
      s = {{"type", "string"}, {"pattern", "^(env:[A-Za-z0-9_]+|file:/.+)$"}};
      break;
    case ValueKind::kEnum:
      s = {{"enum", k.enum_values}};
      break;
    case ValueKind::kStringList:
      s = {{"type", "array"},
           {"items", k.url_schemes.empty() ? json{{"type", "string"}} : UrlSchema(k)}};
      break;
    case ValueKind::kStringMap:
      s = {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
      break;
    case ValueKind::kObject:
      s = ObjectSchema(*k.object);
      break;
    case ValueKind::kObjectList:
      s = {{"type", "array"}, {"items", ObjectSchema(*k.object)}};
      break;
    case ValueKind::kObjectMap:
      s = {{"type", "object"}, {"additionalProperties", ObjectSchema(*k.object)}};
      break;
    case ValueKind::kAnswerList:
      s = {{"type", "array"},
           {"items", {{"oneOf", {json{{"type", "string"}}, ObjectSchema(*k.object)}}}}};
      break;
    case ValueKind::kStatusList: {
      json one = {{"oneOf",
                   {{{"type", "integer"}, {"minimum", 100}, {"maximum", 599}},
                    {{"type", "string"}, {"pattern", "^[1-5][0-9]{2}(-[1-5][0-9]{2})?$"}}}}};
      s = {{"oneOf", {one, {{"type", "array"}, {"items", one}, {"minItems", 1}}}}};
      break;
    }
    case ValueKind::kQuorum: {
      json count = {{"type", "integer"}};
      AddBounds(k, count);
      s = {{"oneOf", {{{"const", "majority"}}, count}}};
      break;
    }
  }
  // A required list or map needs at least one entry.
  if (k.required && IsCollection(k.kind))
    s[k.kind == ValueKind::kStringList || k.kind == ValueKind::kObjectList ||
              k.kind == ValueKind::kAnswerList
          ? "minItems"
          : "minProperties"] = 1;
  s["description"] = k.description;
  if (!k.default_text.empty()) s["x-default"] = k.default_text;
  return s;
}

json ObjectSchema(const ObjectInfo& info) {
  json props = json::object();
  json required = json::array();
  for (const auto& k : info.keys) {
    props[k.key] = KeySchema(k);
    if (k.required) required.push_back(k.key);
  }
  json s = {{"type", "object"}, {"additionalProperties", false}, {"properties", props}};
  if (!required.empty()) s["required"] = required;
  return s;
}

const char* KindName(const KeyInfo& k) {
  switch (k.kind) {
    case ValueKind::kString:
      return "string";
    case ValueKind::kInteger:
      return "integer";
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kBoolean:
      return "boolean";
    case ValueKind::kDuration:
      return "duration";
    case ValueKind::kSecret:
      return "secret ref";
    case ValueKind::kEnum:
      return "enum";
    case ValueKind::kStringList:
      return "list of strings";
    case ValueKind::kStringMap:
      return "map of strings";
    case ValueKind::kObject:
      return "object";
    case ValueKind::kObjectList:
      return "list of objects";
    case ValueKind::kObjectMap:
      return "map of objects";
    case ValueKind::kStatusList:
      return "status list";
    case ValueKind::kQuorum:
      return "quorum";
    case ValueKind::kAnswerList:
      return "list of strings or objects";
  }
  return "";
}

std::string Cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

struct Headings {
  std::string prefix;     // before every section's name
  std::string root_name;  // the root section's name
};

void MarkdownSection(const ObjectInfo& info, const std::string& path, const Headings& h,
                     std::string* out) {
  *out += "### " + h.prefix + "`" + (path.empty() ? h.root_name : path) + "`\n\n";
  *out += "| key | type | default | meaning | example |\n|---|---|---|---|---|\n";
  for (const auto& k : info.keys) {
    std::string type = KindName(k);
    if (k.kind == ValueKind::kEnum) {
      type = "";
      for (const auto& v : k.enum_values) type += (type.empty() ? "" : " \\| ") + ("`" + v + "`");
    } else if (!k.url_schemes.empty()) {
      std::string schemes;
      for (const auto& v : k.url_schemes) schemes += (schemes.empty() ? "" : ", ") + v;
      type = (k.kind == ValueKind::kStringList ? "list of URLs (" : "URL (") + schemes + ")";
    }
    if (k.min && k.max) {
      type += " " + BoundText(k, *k.min) + "–" + BoundText(k, *k.max);
    } else if (k.min) {
      type += " ≥ " + BoundText(k, *k.min);
    } else if (k.max) {
      type += " ≤ " + BoundText(k, *k.max);
    }
    std::string meaning = k.description;
    if (!k.keys_as.empty()) meaning += " Keys as in `" + k.keys_as + "`.";
    if (!k.only_for.empty()) {
      std::string kinds;
      for (const auto& v : k.only_for) kinds += (kinds.empty() ? "" : ", ") + v;
      meaning += " *(" + info.discriminator + ": " + kinds + ")*";
    }
    std::string def = k.required && IsCollection(k.kind) ? "**required**, not empty"
                      : k.required                       ? "**required**"
                      : k.default_text.empty()           ? "—"
                                                         : "`" + Cell(k.default_text) + "`";
    std::string example = k.example.empty() ? "" : "`" + Cell(k.example) + "`";
    *out += "| `" + k.key + "` | " + type + " | " + def + " | " + Cell(meaning) + " | " + example +
            " |\n";
  }
  *out += "\n";
  for (const auto& k : info.keys) {
    if (k.object == nullptr || !k.keys_as.empty()) continue;
    std::string child = path.empty() ? k.key : path + "." + k.key;
    if (k.kind == ValueKind::kObjectList || k.kind == ValueKind::kAnswerList) child += "[]";
    if (k.kind == ValueKind::kObjectMap) child += ".<name>";
    MarkdownSection(*k.object, child, h, out);
  }
}

}  // namespace

std::string MarkdownReference(const ObjectInfo& root, const std::string& heading,
                              const std::string& root_name) {
  std::string out;
  MarkdownSection(root, "", Headings{heading, root_name}, &out);
  return out;
}

std::string PolicyMarkdownReference() { return MarkdownReference(PolicyCatalog()); }

std::vector<std::string> CatalogKeyPaths() {
  std::vector<std::string> out;
  CollectPaths(PolicyCatalog(), "", &out);
  return out;
}

std::string PolicyJsonSchema() {
  json s = ObjectSchema(PolicyCatalog());
  s["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  s["$id"] = "https://steer.invalid/policy.schema.json";
  s["title"] = "Steer failover policy";
  return s.dump(2) + "\n";
}

}  // namespace steer::config
