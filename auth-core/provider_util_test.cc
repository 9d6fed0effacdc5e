#include "provider_util.h"

#include <gtest/gtest.h>

namespace steer::auth {
namespace {

TEST(Scope, SplitsOnWhitespaceLikeAStream) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(SplitScope(""), V{});
  EXPECT_EQ(SplitScope(" \t\n"), V{});
  EXPECT_EQ(SplitScope("api"), V{"api"});
  EXPECT_EQ(SplitScope("  openid\tprofile\r\nemail  "), (V{"openid", "profile", "email"}));
}

TEST(Scope, HasScopeMatchesWholeWordsOnly) {
  EXPECT_TRUE(HasScope("openid profile", "profile"));
  EXPECT_TRUE(HasScope("openid\tprofile", "openid"));
  EXPECT_FALSE(HasScope("openid profile", "open"));
  EXPECT_FALSE(HasScope("openidx", "openid"));
  EXPECT_FALSE(HasScope("", "openid"));
  EXPECT_FALSE(HasScope("api", ""));
}

}  // namespace
}  // namespace steer::auth
