#include "steer/base/json_text.h"

#include <gtest/gtest.h>

namespace steer::base {
namespace {

TEST(JsonTextTest, TextThatIsNotUtf8IsReplacedNotThrown) {
  nlohmann::json j = {{"url", "http://h/\xb0x"}};
  EXPECT_EQ(JsonText(j), "{\"url\":\"http://h/\xEF\xBF\xBDx\"}");
}

TEST(JsonTextTest, IndentMatchesDump) {
  nlohmann::json j = {{"a", 1}, {"b", {"c"}}};
  EXPECT_EQ(JsonText(j, 2), j.dump(2));
  EXPECT_EQ(JsonText(j), j.dump());
}

// steerctl simulate --json prints keys in a documented order: the overload keeps it.
TEST(JsonTextTest, OrderedObjectsKeepTheirKeyOrder) {
  nlohmann::ordered_json j;
  j["t_ms"] = 1;
  j["service"] = "web\xb0";
  EXPECT_EQ(JsonText(j), "{\"t_ms\":1,\"service\":\"web\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace steer::base
