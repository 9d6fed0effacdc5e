#include "json_dump.h"

#include <gtest/gtest.h>

namespace steer::auth {
namespace {

using nlohmann::json;

TEST(DumpJson, SameBytesAsNlohmann) {
  std::string every_ascii;
  for (int c = 1; c < 0x80; ++c) every_ascii.push_back(static_cast<char>(c));
  std::vector<json> cases = {
      json::object(),
      json::array(),
      nullptr,
      true,
      false,
      0,
      -9223372036854775807LL - 1,
      18446744073709551615ULL,
      "",
      every_ascii,
      std::string("nul\0inside", 10),
      {{"iss", "http://127.0.0.1:1"},
       {"aud", {"urn:a", "http://x"}},
       {"exp", 1800003600},
       {"scope", "openid profile"},
       {"active", true},
       {"n", nullptr}},
      {{"nested", {{"b", json::array({1, -2, json::object()})}, {"a", "q\"uote\\back"}}}},
      {{"key with \"quote\"\n", "v"}},
  };
  for (const auto& j : cases) EXPECT_EQ(DumpJson(j), j.dump()) << j.dump();
}

TEST(DumpJson, LeavesWhatItDoesNotCoverToNlohmann) {
  EXPECT_EQ(DumpJson(json(1.5)), json(1.5).dump());
  EXPECT_EQ(DumpJson(json({{"x", 0.1}, {"y", "z"}})), json({{"x", 0.1}, {"y", "z"}}).dump());
  json utf8 = {{"name", "J\xC3\xBCrgen"}};
  EXPECT_EQ(DumpJson(utf8), utf8.dump());
  // Invalid UTF-8 still fails as dump() fails.
  EXPECT_THROW(DumpJson(json("bad \xFF byte")), json::type_error);
}

}  // namespace
}  // namespace steer::auth
