#include "provider_util.h"

#include <gtest/gtest.h>

#include "steer/auth/store.h"

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

TEST(VerifiedTokenTest, WorksOutWhatEachUseChecks) {
  auto user = MakeVerifiedToken({{"sub", "s1"},
                                 {"aud", {"urn:api", 7, "https://issuer"}},
                                 {"jti", "j"},
                                 {"gid", "g"},
                                 {"sid", "sess"},
                                 {"preferred_username", "alice"},
                                 {"ugen", 3}});
  EXPECT_EQ(user->audiences, (std::vector<std::string>{"urn:api", "https://issuer"}));
  EXPECT_FALSE(user->nbf);
  EXPECT_FALSE(user->bad_nbf);
  EXPECT_EQ(user->revocation_ids,
            (std::vector<std::string>{"j", "g", "sess", UserRevocationId("s1", 3)}));
  auto body = nlohmann::json::parse(user->introspection);
  EXPECT_EQ(body["active"], true);
  EXPECT_EQ(body["username"], "alice");
  EXPECT_FALSE(body.contains("gid") || body.contains("ugen"));

  auto service = MakeVerifiedToken({{"sub", "svc"}, {"aud", "urn:api"}, {"jti", "k"}, {"nbf", 5}});
  EXPECT_EQ(service->audiences, std::vector<std::string>{"urn:api"});
  EXPECT_EQ(service->nbf, 5);
  EXPECT_EQ(service->revocation_ids, (std::vector<std::string>{"k", "", "", ""}));
  EXPECT_TRUE(MakeVerifiedToken({{"nbf", "soon"}})->bad_nbf);
  EXPECT_TRUE(MakeVerifiedToken({{"sub", "x"}})->audiences.empty());
}

}  // namespace
}  // namespace steer::auth
