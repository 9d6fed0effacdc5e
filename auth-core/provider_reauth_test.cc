// Re-authentication (max_age, prompt) and the size limit of /authorize parameters.
#include <gtest/gtest.h>

#include "provider_test_util.h"

namespace steer::auth {
namespace {

using testing::LocationParam;
using testing::ProviderTest;
using testing::Region;

class ReauthTest : public ProviderTest {
 protected:
  // Logs alice in through the form at t0, then lets `age` seconds pass.
  void LoginThenWait(Region& a, int age) {
    t0_ = base::UnixSeconds(clock_);
    std::string code = a.LoginForCode();
    ASSERT_EQ(a.Redeem(code).status, 200);
    clock_.Advance(std::chrono::seconds(age));
  }
  // The auth_time of the ID token a code redeems to.
  int64_t AuthTimeOf(Region& a, const std::string& code) {
    auto tokens = a.Redeem(code);
    EXPECT_EQ(tokens.status, 200) << tokens.body;
    return Claims(Body(tokens).value("id_token", "x.e30.x"))["auth_time"].get<int64_t>();
  }
  int64_t t0_ = 0;
};

TEST_F(ReauthTest, MaxAgeZeroShowsTheFormAndAuthTimeIsTheNewLogin) {
  Region a(dir_, "a.db", config_, clock_);
  LoginThenWait(a, 100);
  auto page = a.Authorize("&state=s&max_age=0");
  ASSERT_EQ(page.status, 200) << "an SSO redirect instead of the login form";
  auto back = a.SubmitLogin(page);
  ASSERT_EQ(back.status, 302);
  EXPECT_EQ(AuthTimeOf(a, LocationParam(back, "code")), t0_ + 100);
}

TEST_F(ReauthTest, SessionOlderThanMaxAgeShowsTheFormYoungerOneIsReused) {
  Region a(dir_, "a.db", config_, clock_);
  LoginThenWait(a, 100);
  EXPECT_EQ(a.Authorize("&state=s&max_age=99").status, 200);
  auto sso = a.Authorize("&state=s&max_age=100");
  ASSERT_EQ(sso.status, 302);
  EXPECT_EQ(AuthTimeOf(a, LocationParam(sso, "code")), t0_);  // the real authentication
}

TEST_F(ReauthTest, PromptLoginShowsTheForm) {
  Region a(dir_, "a.db", config_, clock_);
  LoginThenWait(a, 5);
  EXPECT_EQ(a.Authorize("&state=s").status, 302);
  EXPECT_EQ(a.Authorize("&state=s&prompt=login").status, 200);
}

TEST_F(ReauthTest, PromptNoneWithTooOldSessionIsLoginRequired) {
  Region a(dir_, "a.db", config_, clock_);
  LoginThenWait(a, 100);
  auto r = a.Authorize("&state=st&prompt=none&max_age=10");
  ASSERT_EQ(r.status, 302);
  EXPECT_EQ(LocationParam(r, "error"), "login_required");
  EXPECT_EQ(LocationParam(r, "state"), "st");
  EXPECT_NE(LocationParam(a.Authorize("&state=st&prompt=none&max_age=1000"), "code"), "");
}

TEST_F(ReauthTest, BadMaxAgeOrPromptIsInvalidRequest) {
  Region a(dir_, "a.db", config_, clock_);
  for (const char* bad : {"max_age=-1", "max_age=abc", "max_age=1.5", "max_age=", "max_age=+5",
                          "max_age=99999999999999999999", "prompt=none%20login", "prompt=bogus"}) {
    auto r = a.Authorize(std::string("&state=s&") + bad);
    EXPECT_EQ(r.status, 302) << bad;
    EXPECT_EQ(LocationParam(r, "error"), "invalid_request") << bad;
    EXPECT_NE(LocationParam(r, "error_description"), "") << bad;
  }
}

// Everything sealed (authreq, code, refresh token, session) must stay within the sealer's
// limit for the largest accepted inputs; JSON escaping doubles '"'.
TEST_F(ReauthTest, ParametersAtTheLimitCompleteTheWholeLogin) {
  Region a(dir_, "a.db", config_, clock_);
  std::string state(kMaxAuthorizeParamBytes, '"'), nonce(kMaxAuthorizeParamBytes, '\\');
  auto page = a.Authorize("&state=" + UrlEncode(state) + "&nonce=" + UrlEncode(nonce));
  ASSERT_EQ(page.status, 200) << page.body;
  auto back = a.SubmitLogin(page);
  ASSERT_EQ(back.status, 302) << back.body;
  EXPECT_EQ(LocationParam(back, "state"), state);
  auto tokens = a.Redeem(LocationParam(back, "code"));
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_EQ(Claims(Body(tokens)["id_token"])["nonce"], nonce);
  EXPECT_EQ(a.Refresh(Body(tokens)["refresh_token"]).status, 200);
  EXPECT_EQ(a.Authorize("&state=" + UrlEncode(state)).status, 302);  // the session cookie works
}

TEST_F(ReauthTest, LongestRegisteredClientAndRedirectUriWithLongestStateAndNonce) {
  Region a(dir_, "a.db", config_, clock_);
  Client c = a.store->FindClient("cli").value().value();
  c.client_id = std::string(kMaxAuthorizeParamBytes, '"');
  std::string ruri = "http://127.0.0.1:9/";
  ruri += std::string(kMaxAuthorizeParamBytes - ruri.size(), '"');
  c.redirect_uris = {ruri};
  c.secret_hash.clear();  // public: PKCE
  ASSERT_TRUE(a.store->PutClient(c));
  std::string big(kMaxAuthorizeParamBytes, '"');
  base::ServerRequest r{"GET", "/authorize", "", {}, "", "10.0.0.1"};
  r.query = "client_id=" + UrlEncode(c.client_id) + "&redirect_uri=" + UrlEncode(ruri) +
            "&response_type=code&scope=openid%20offline_access%20profile%20email&code_challenge=" +
            testing::kChallenge + "&code_challenge_method=S256&state=" + UrlEncode(big) +
            "&nonce=" + UrlEncode(big) + "&max_age=9999999999&prompt=login";
  auto page = a.Absorb(a.provider->Handle(r));
  ASSERT_EQ(page.status, 200) << page.body;
  auto back = a.SubmitLogin(page);
  ASSERT_EQ(back.status, 302) << back.body;
  std::string code = LocationParam(back, "code");
  base::ServerRequest t{"POST", "/token", "", {}, "", "10.0.0.1"};
  t.headers["content-type"] = "application/x-www-form-urlencoded";
  t.body = "grant_type=authorization_code&client_id=" + UrlEncode(c.client_id) + "&code=" + code +
           "&redirect_uri=" + UrlEncode(ruri) + "&code_verifier=" + testing::kVerifier;
  auto ok = a.provider->Handle(t);
  ASSERT_EQ(ok.status, 200) << ok.body;
  t.body = "grant_type=refresh_token&client_id=" + UrlEncode(c.client_id) +
           "&refresh_token=" + Body(ok)["refresh_token"].get<std::string>();
  EXPECT_EQ(a.provider->Handle(t).status, 200);
}

TEST_F(ReauthTest, OneByteOverTheLimitIsInvalidRequestNamingTheParameter) {
  Region a(dir_, "a.db", config_, clock_);
  std::string over(kMaxAuthorizeParamBytes + 1, 'x');
  for (const char* name : {"state", "nonce", "login_hint", "ui_locales"}) {
    auto r = a.Authorize(std::string("&") + name + "=" + over);
    ASSERT_EQ(r.status, 302) << name;
    EXPECT_EQ(LocationParam(r, "error"), "invalid_request") << name;
    EXPECT_NE(LocationParam(r, "error_description").find(name), std::string::npos) << name;
  }
  base::ServerRequest r{"GET", "/authorize", "client_id=" + over, {}, "", "10.0.0.1"};
  auto page = a.provider->Handle(r);
  EXPECT_EQ(page.status, 400);  // shown, not redirected: the client is not known
  EXPECT_NE(page.body.find("client_id"), std::string::npos);
}

}  // namespace
}  // namespace steer::auth
