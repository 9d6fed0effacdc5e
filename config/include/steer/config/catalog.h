#pragma once

// A type-erased description of every policy key: the parser is driven by it, and the docs
// (docs/policy.md) and the JSON Schema (docs/policy.schema.json) are checked against it, so a
// key name is written in exactly one place (config/policy_schema.cc). Immutable after
// construction; safe to read from any thread.

#include <optional>
#include <string>
#include <vector>

namespace steer::config {

enum class ValueKind {
  kString,
  kInteger,
  kNumber,
  kBoolean,
  kDuration,  // "250ms", "5s", "2m"
  kSecret,    // "env:NAME" or "file:/path"
  kEnum,      // one of enum_values
  kStringList,
  kStringMap,
  kObject,      // nested keys in `object`
  kObjectList,  // a list of `object`
  kObjectMap,   // a map from a name to `object`
  kStatusList,  // HTTP status codes and "200-299" ranges
  kQuorum,      // "majority" or an integer within min..max
  kAnswerList,  // a list whose items are strings or `object`s
};

// Whether a key of this kind holds entries (a list or a map).
inline bool IsCollection(ValueKind kind) {
  return kind == ValueKind::kStringList || kind == ValueKind::kStringMap ||
         kind == ValueKind::kObjectList || kind == ValueKind::kObjectMap ||
         kind == ValueKind::kStatusList || kind == ValueKind::kAnswerList;
}

struct ObjectInfo;

struct KeyInfo {
  std::string key;
  ValueKind kind = ValueKind::kString;
  std::string description;
  std::string default_text;              // as a policy would spell it; "" = no default
  std::string example;                   // a value as written in YAML
  std::vector<std::string> enum_values;  // kEnum
  std::vector<std::string> only_for;     // values of the object's discriminator it applies to
  // A required list or map must also have at least one entry.
  bool required = false;
  // Inclusive bounds of the value (kInteger, kNumber, kQuorum) or, in milliseconds, of a
  // kDuration. The parser enforces them; the docs and the JSON Schema state them.
  std::optional<double> min;
  std::optional<double> max;
  // kString, kStringList: the value is a URL (each item is) with one of these schemes, e.g.
  // {"http", "https"}; a user:password@ in it is refused.
  std::vector<std::string> url_schemes;
  const ObjectInfo* object = nullptr;  // kObject, kObjectList, kObjectMap, kAnswerList
  // kObject: the object's keys are documented at this key path instead (e.g.
  // "regions.<name>.components.<name>.probes[]"); the JSON Schema still spells them out.
  std::string keys_as;
};

struct ObjectInfo {
  std::string name;           // e.g. "probe"
  std::string discriminator;  // key whose value selects only_for keys ("type"), or ""
  std::vector<KeyInfo> keys;
};

// The root of the policy file.
const ObjectInfo& PolicyCatalog();

// Every key as a dotted path with placeholders: "services.<name>.regions[].answers".
std::vector<std::string> CatalogKeyPaths();

// A JSON Schema (draft 2020-12) of the policy file, generated from the catalog.
std::string PolicyJsonSchema();

// The key reference of docs/policy.md (Markdown tables, one per section), from the catalog.
std::string PolicyMarkdownReference();

// Markdown tables of the keys under `root`, one per section (for any config file kind).
// `heading` prefixes every section heading and `root_name` names the root section, so a
// second file's tables (tenant.yaml) cannot be mistaken for the first's.
std::string MarkdownReference(const ObjectInfo& root, const std::string& heading = "",
                              const std::string& root_name = "(top level)");

}  // namespace steer::config
