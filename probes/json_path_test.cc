#include "json_path.h"

#include <gtest/gtest.h>

namespace steer::probes {
namespace {

using nlohmann::json;

TEST(JsonPath, WalksObjectsAndArrays) {
  json doc = json::parse(R"({"a":{"b":[{"id":7},{"id":"x"}]},"ok":true,"k.y":1})");
  struct Case {
    const char* path;
    const char* want;  // nullptr = not found
  } cases[] = {
      {"$.a.b[0].id", "7"},   {"$.a.b[1].id", "x"},         {"$.ok", "true"},
      {"$['k.y']", "1"},      {"$[\"a\"].b[1]['id']", "x"}, {"$.a.b[2]", nullptr},
      {"$.missing", nullptr}, {"$.ok.deeper", nullptr},     {"$.a.b.id", nullptr},
  };
  for (const auto& c : cases) {
    auto v = EvaluateJsonPath(doc, c.path);
    ASSERT_TRUE(v.has_value()) << c.path;
    if (c.want == nullptr) {
      EXPECT_FALSE(v->has_value()) << c.path;
    } else {
      ASSERT_TRUE(v->has_value()) << c.path;
      EXPECT_EQ(JsonValueText(**v), c.want) << c.path;
    }
  }
}

TEST(JsonPath, RootIsTheDocument) {
  auto v = EvaluateJsonPath(json::parse("[1,2]"), "$");
  ASSERT_TRUE(v && *v);
  EXPECT_EQ(JsonValueText(**v), "[1,2]");
}

TEST(JsonPath, RejectsMalformedPaths) {
  for (const char* bad : {"", "a.b", "$.", "$..a", "$[", "$[x]", "$[]", "$a", "$[99999999]"}) {
    EXPECT_FALSE(EvaluateJsonPath(json::object(), bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace steer::probes
