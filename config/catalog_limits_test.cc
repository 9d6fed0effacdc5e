// The limits that docs/policy.schema.json states (generated from the key catalog, like
// docs/policy.md) are exactly those the parser enforces: each key of all-keys.yaml is set just
// outside and at its stated bounds, and keys with no stated bound are set to extreme values.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "steer/base/duration.h"
#include "steer/config/catalog.h"
#include "steer/config/loader.h"
#include "testdata.h"

namespace steer::config {
namespace {

using nlohmann::json;

// One key as found in all-keys.yaml: its schema, whether its object requires it, and how to
// reach it (map keys and list indices from the root) for a copy of the document.
struct Instance {
  const json* schema;
  bool required;
  std::vector<std::string> steps;  // "#3" is a list index
  std::string path;                // as in diagnostics: "services.login.regions[0].answers"
};

void Walk(const YAML::Node& node, const json& object, std::vector<std::string> steps,
          const std::string& path, const std::function<void(const Instance&)>& visit) {
  for (const auto& kv : node) {
    std::string key = kv.first.Scalar();
    ASSERT_TRUE(object["properties"].contains(key)) << path << "." << key;
    const json& schema = object["properties"][key];
    bool required = object.contains("required") &&
                    std::find(object["required"].begin(), object["required"].end(), key) !=
                        object["required"].end();
    std::vector<std::string> here = steps;
    here.push_back(key);
    std::string p = path.empty() ? key : path + "." + key;
    visit(Instance{&schema, required, here, p});
    if (schema.value("type", "") == "object" && schema.contains("properties")) {
      Walk(kv.second, schema, here, p, visit);
    } else if (schema.value("type", "") == "array" && schema["items"].contains("properties")) {
      for (size_t i = 0; i < kv.second.size(); ++i) {
        std::vector<std::string> item = here;
        item.push_back("#" + std::to_string(i));
        Walk(kv.second[i], schema["items"], item, p + "[" + std::to_string(i) + "]", visit);
      }
    } else if (schema.value("type", "") == "object" && schema.contains("additionalProperties") &&
               schema["additionalProperties"].contains("properties")) {
      for (const auto& entry : kv.second) {
        std::vector<std::string> item = here;
        item.push_back(entry.first.Scalar());
        Walk(entry.second, schema["additionalProperties"], item, p + "." + entry.first.Scalar(),
             visit);
      }
    }
  }
}

class CatalogLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = YAML::LoadFile(SourcePath("config/testdata/all-keys.yaml"));
    schema_ = json::parse(PolicyJsonSchema());
    ASSERT_TRUE(Messages(root_, "").empty());
  }

  // all-keys.yaml with the key at `at` replaced by `value`; the messages of every diagnostic
  // whose path is `path` ("" for all of them).
  std::vector<std::string> Set(const Instance& at, const YAML::Node& value) {
    YAML::Node copy = YAML::Clone(root_);
    YAML::Node parent = copy;
    for (size_t i = 0; i + 1 < at.steps.size(); ++i) {
      const std::string& s = at.steps[i];
      parent.reset(s[0] == '#' ? parent[std::stoul(s.substr(1))] : parent[s]);
    }
    parent[at.steps.back()] = value;
    return Messages(copy, at.path);
  }

  static std::vector<std::string> Messages(const YAML::Node& root, const std::string& path) {
    YAML::Emitter emitter;
    emitter << root;
    auto policy = ParsePolicy(emitter.c_str(), "all-keys.yaml");
    std::vector<std::string> out;
    if (policy) return out;
    for (const auto& d : policy.error()) {
      if (path.empty() || d.path == path) out.push_back(d.message);
    }
    return out;
  }

  void ForEachKey(const std::function<void(const Instance&)>& visit) {
    std::set<const json*> seen;  // one instance of each key is enough
    Walk(root_, schema_, {}, "", [&](const Instance& at) {
      if (seen.insert(at.schema).second) visit(at);
    });
  }

  YAML::Node root_;
  json schema_;
};

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "; ";
  return out;
}

// A message that is about the value's bounds rather than another rule (such as at_least
// counting more components than there are).
bool AboutBounds(const std::vector<std::string>& messages) {
  for (const auto& m : messages) {
    if (m.find("range") != std::string::npos || m.find("minimum") != std::string::npos ||
        m.find("maximum") != std::string::npos) {
      return true;
    }
  }
  return false;
}

YAML::Node Scalar(const std::string& s) { return YAML::Node(s); }

std::string Num(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// The integer or number schema of a key ("quorum" is "majority" or an integer).
const json* NumericSchema(const json& s) {
  std::string type = s.value("type", "");
  if (type == "integer" || type == "number") return &s;
  if (s.contains("oneOf")) {
    for (const auto& branch : s["oneOf"]) {
      if (branch.value("type", "") == "integer") return &branch;
    }
  }
  return nullptr;
}

TEST_F(CatalogLimitsTest, NumericBoundsAreTheParsersBounds) {
  int checked = 0;
  ForEachKey([&](const Instance& at) {
    const json* s = NumericSchema(*at.schema);
    if (s == nullptr) return;
    bool integer = s->value("type", "") == "integer";
    double step = integer ? 1 : 0.5;
    if (s->contains("minimum")) {
      double lo = (*s)["minimum"];
      EXPECT_FALSE(Set(at, Scalar(Num(lo - step))).empty()) << at.path << " below its minimum";
      auto at_lo = Set(at, Scalar(Num(lo)));
      EXPECT_FALSE(AboutBounds(at_lo)) << at.path << " at its minimum: " << Join(at_lo);
    } else {
      auto low = Set(at, Scalar("-1000000"));
      EXPECT_TRUE(low.empty()) << at.path
                               << " states no minimum but refuses -1000000: " << Join(low);
    }
    if (s->contains("maximum")) {
      double hi = (*s)["maximum"];
      EXPECT_FALSE(Set(at, Scalar(Num(hi + step))).empty()) << at.path << " above its maximum";
      auto at_hi = Set(at, Scalar(Num(hi)));
      EXPECT_FALSE(AboutBounds(at_hi)) << at.path << " at its maximum: " << Join(at_hi);
    } else {
      auto high = Set(at, Scalar("1000000"));
      EXPECT_TRUE(high.empty()) << at.path
                                << " states no maximum but refuses 1000000: " << Join(high);
    }
    ++checked;
  });
  EXPECT_GE(checked, 12);
}

// Durations: "x-minimum" in the schema (JSON Schema cannot compare durations) and "≥" in the
// docs; a duration key without it accepts 0ms.
TEST_F(CatalogLimitsTest, DurationMinimumsAreTheParsersMinimums) {
  int checked = 0;
  ForEachKey([&](const Instance& at) {
    const json& s = *at.schema;
    if (s.value("pattern", "").find("ms|s|m|h") == std::string::npos) return;
    if (s.contains("x-minimum")) {
      std::string min = s["x-minimum"];
      auto d = base::ParseDuration(min);
      ASSERT_TRUE(d.has_value()) << at.path << ": " << min;
      EXPECT_FALSE(Set(at, Scalar(std::to_string(d->count() - 1) + "ms")).empty())
          << at.path << " below its minimum " << min;
      auto at_min = Set(at, Scalar(min));
      EXPECT_FALSE(AboutBounds(at_min)) << at.path << " at its minimum: " << Join(at_min);
    } else {
      auto zero = Set(at, Scalar("0ms"));
      EXPECT_TRUE(zero.empty()) << at.path << " states no minimum but refuses 0ms: " << Join(zero);
    }
    ++checked;
  });
  EXPECT_GE(checked, 12);
}

// Issue 11, defect 4: one rule for every required list and map: empty is refused.
TEST_F(CatalogLimitsTest, EveryRequiredListRefusesEmpty) {
  int checked = 0;
  ForEachKey([&](const Instance& at) {
    std::string type = at.schema->value("type", "");
    bool map = type == "object" && at.schema->contains("additionalProperties") &&
               (*at.schema)["additionalProperties"].is_object();
    if (!at.required || (type != "array" && !map)) return;
    YAML::Node empty(type == "array" ? YAML::NodeType::Sequence : YAML::NodeType::Map);
    auto messages = Set(at, empty);
    EXPECT_FALSE(messages.empty())
        << at.path << " is required but accepts " << type << " with no entries";
    ++checked;
  });
  EXPECT_GE(checked, 6);  // regions, components, probes, services' regions, answers, endpoints
}

}  // namespace
}  // namespace steer::config
