// CORS of the provider: preflights, actual responses per client, and the endpoints that
// never answer cross-origin (docs/auth-core.md, "Browser applications (CORS)").
#include <gtest/gtest.h>

#include <filesystem>

#include "provider_test_util.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/provider.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/clock.h"

namespace steer::auth {
namespace {

namespace fs = std::filesystem;
using testing::kSecret;
constexpr char kSpaOrigin[] = "https://app.example.com";  // registered by the public "spa"
constexpr char kCliOrigin[] = "http://127.0.0.1:5173";    // registered by confidential "cli"
constexpr char kEvilOrigin[] = "https://evil.example.com";

// Every value of header `name` in `r`, joined by '|'; "" when absent.
std::string HeaderOf(const base::ServerResponse& r, const std::string& name) {
  std::string out;
  for (const auto& [k, v] : r.headers) {
    if (k == name) out += (out.empty() ? "" : "|") + v;
  }
  return out;
}

bool HasAnyCorsHeader(const base::ServerResponse& r) {
  for (const auto& [k, v] : r.headers) {
    if (k.rfind("Access-Control-", 0) == 0) return true;
  }
  return false;
}

class ProviderCorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("steer-cors-" + RandomToken(6));
    ASSERT_TRUE(GenerateKeyDir(dir_.string()));
    config_.issuer = "http://127.0.0.1:1";
    config_.logins_per_minute = 0;
    clock_.SetUnixSeconds(1'800'000'000);
    store_ = SqliteStore::Open((dir_ / "a.db").string()).value();
    ASSERT_TRUE(store_->AddUser(
        {"alice", "sub-alice", hasher_.Hash("alice-password-1").value(), "a@example.com", "A"}));
    Client spa;
    spa.client_id = "spa";
    spa.grant_types = {"authorization_code", "refresh_token"};
    spa.redirect_uris = {std::string(kSpaOrigin) + "/cb"};
    spa.web_origins = {kSpaOrigin};
    ASSERT_TRUE(store_->PutClient(spa));
    Client cli;
    cli.client_id = "cli";
    cli.secret_hash = HexEncode(Sha256(kSecret));
    cli.grant_types = {"password", "refresh_token"};
    cli.web_origins = {kCliOrigin};
    ASSERT_TRUE(store_->PutClient(cli));
    provider_ = std::make_unique<Provider>(
        config_, KeySet::LoadDir(dir_.string()).value(),
        Sealer::LoadFile((dir_ / kAeadKeyFileName).string()).value(), *store_, hasher_, clock_);
  }
  void TearDown() override {
    provider_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  base::ServerResponse Preflight(const std::string& path, const std::string& origin,
                                 const std::string& method,
                                 const std::string& headers = "authorization, content-type") {
    base::ServerRequest r{"OPTIONS", path, "", {}, "", "10.0.0.1"};
    if (!origin.empty()) r.headers["origin"] = origin;
    r.headers["access-control-request-method"] = method;
    if (!headers.empty()) r.headers["access-control-request-headers"] = headers;
    return provider_->Handle(r);
  }
  base::ServerResponse Send(const std::string& method, const std::string& path,
                            const std::string& origin, const std::string& body = "",
                            const std::string& authorization = "") {
    base::ServerRequest r{method, path, "", {}, body, "10.0.0.1"};
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    if (!origin.empty()) r.headers["origin"] = origin;
    if (!authorization.empty()) r.headers["authorization"] = authorization;
    return provider_->Handle(r);
  }
  std::string PasswordAccessToken() {
    auto r = Send("POST", "/token", "",
                  std::string("grant_type=password&username=alice&password=alice-password-1&"
                              "scope=openid%20profile&client_id=cli&client_secret=") +
                      kSecret);
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body).value("access_token", "");
  }

  fs::path dir_;
  config::AuthdConfig config_;
  base::FakeClock clock_;
  PasswordHasher hasher_{HashParams{1024, 1, 1}, 2};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Provider> provider_;
};

TEST_F(ProviderCorsTest, PreflightOfARegisteredOriginIsAnswered204WithTheExactOrigin) {
  struct Case {
    const char* path;
    const char* method;
    const char* allowed;
  };
  for (const Case& c :
       {Case{"/token", "POST", "POST"}, Case{"/revoke", "POST", "POST"},
        Case{"/userinfo", "GET", "GET, POST"},
        Case{"/.well-known/openid-configuration", "GET", "GET"}, Case{"/jwks", "GET", "GET"}}) {
    auto r = Preflight(c.path, kSpaOrigin, c.method);
    EXPECT_EQ(r.status, 204) << c.path << " " << r.body;
    EXPECT_TRUE(r.body.empty()) << c.path;
    EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), kSpaOrigin) << c.path;
    EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Methods"), c.allowed) << c.path;
    EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Headers"), "authorization, content-type");
    EXPECT_EQ(HeaderOf(r, "Access-Control-Max-Age"), "600") << c.path;
    EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Credentials"), "") << c.path;
    EXPECT_EQ(HeaderOf(r, "Vary"), "Origin") << c.path;
  }
  // Any client's origin passes a preflight (it has no body to name the client).
  EXPECT_EQ(HeaderOf(Preflight("/token", kCliOrigin, "POST"), "Access-Control-Allow-Origin"),
            kCliOrigin);
  EXPECT_EQ(HeaderOf(Preflight("/token", kSpaOrigin, "POST", "Content-Type"),
                     "Access-Control-Allow-Origin"),
            kSpaOrigin);
}

TEST_F(ProviderCorsTest, PreflightOfAnUnregisteredOriginMethodOrHeaderGetsNoCorsHeaders) {
  for (const auto& r :
       {Preflight("/token", kEvilOrigin, "POST"),
        Preflight("/token", "", "POST"),  // no Origin at all
        Preflight("/token", "null", "POST"),
        Preflight("/token", std::string(kSpaOrigin) + "/", "POST"),
        Preflight("/token", kSpaOrigin, "PUT"), Preflight("/jwks", kSpaOrigin, "POST"),
        Preflight("/token", kSpaOrigin, "POST", "content-type, x-api-key")}) {
    EXPECT_EQ(r.status, 403);
    EXPECT_FALSE(HasAnyCorsHeader(r)) << r.body;
    EXPECT_EQ(HeaderOf(r, "Vary"), "Origin");
  }
}

TEST_F(ProviderCorsTest, TokenResponseAllowsOnlyAnOriginOfTheClientThatAuthenticated) {
  const std::string code =
      "grant_type=authorization_code&code=bogus&code_verifier=x&"
      "redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&client_id=spa";
  auto own = Send("POST", "/token", kSpaOrigin, code);
  EXPECT_EQ(own.status, 400);  // the app can read its error
  EXPECT_EQ(HeaderOf(own, "Access-Control-Allow-Origin"), kSpaOrigin);
  EXPECT_EQ(HeaderOf(own, "Vary"), "Origin");
  auto other = Send("POST", "/token", kCliOrigin, code);  // cli's origin, spa's request
  EXPECT_EQ(other.status, 400);
  EXPECT_FALSE(HasAnyCorsHeader(other));
  EXPECT_EQ(HeaderOf(other, "Vary"), "Origin");
  EXPECT_FALSE(HasAnyCorsHeader(Send("POST", "/token", kEvilOrigin, code)));
  auto unknown = Send("POST", "/token", kSpaOrigin, "grant_type=refresh_token&client_id=nobody");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_FALSE(HasAnyCorsHeader(unknown));
  auto issued = Send("POST", "/token", kCliOrigin,
                     std::string("grant_type=password&username=alice&password=alice-password-1&"
                                 "client_id=cli&client_secret=") +
                         kSecret);
  EXPECT_EQ(issued.status, 200) << issued.body;
  EXPECT_EQ(HeaderOf(issued, "Access-Control-Allow-Origin"), kCliOrigin);
  EXPECT_FALSE(HasAnyCorsHeader(Send("POST", "/token", "", code)));  // same-origin/server
}

TEST_F(ProviderCorsTest, RevokeResponseAllowsOnlyAnOriginOfTheClientThatAuthenticated) {
  auto own = Send("POST", "/revoke", kSpaOrigin, "token=whatever&client_id=spa");
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(HeaderOf(own, "Access-Control-Allow-Origin"), kSpaOrigin);
  EXPECT_EQ(HeaderOf(own, "Vary"), "Origin");
  EXPECT_FALSE(HasAnyCorsHeader(Send("POST", "/revoke", kCliOrigin, "token=x&client_id=spa")));
  EXPECT_FALSE(HasAnyCorsHeader(Send("POST", "/revoke", kEvilOrigin, "token=x&client_id=spa")));
}

TEST_F(ProviderCorsTest, UserinfoClaimsOnlyForTheTokensClientErrorsForAnyRegisteredOrigin) {
  std::string bearer = "Bearer " + PasswordAccessToken();  // issued to cli
  auto own = Send("GET", "/userinfo", kCliOrigin, "", bearer);
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(HeaderOf(own, "Access-Control-Allow-Origin"), kCliOrigin);
  EXPECT_EQ(HeaderOf(own, "Vary"), "Origin");
  auto foreign = Send("GET", "/userinfo", kSpaOrigin, "", bearer);
  EXPECT_EQ(foreign.status, 200);
  EXPECT_FALSE(HasAnyCorsHeader(foreign));  // the spa's origin may not read cli's claims
  auto expired = Send("GET", "/userinfo", kSpaOrigin, "", "Bearer not-a-token");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(HeaderOf(expired, "Access-Control-Allow-Origin"), kSpaOrigin);
  EXPECT_FALSE(HasAnyCorsHeader(Send("GET", "/userinfo", kEvilOrigin, "", "Bearer not-a-token")));
}

TEST_F(ProviderCorsTest, DiscoveryAndJwksAllowRegisteredOriginsAndVaryOnOrigin) {
  for (const char* path : {"/.well-known/openid-configuration", "/jwks"}) {
    auto ok = Send("GET", path, kSpaOrigin);
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(HeaderOf(ok, "Access-Control-Allow-Origin"), kSpaOrigin) << path;
    EXPECT_EQ(HeaderOf(ok, "Vary"), "Origin") << path;
    auto evil = Send("GET", path, kEvilOrigin);
    EXPECT_EQ(evil.status, 200);
    EXPECT_FALSE(HasAnyCorsHeader(evil)) << path;
    EXPECT_EQ(HeaderOf(Send("GET", path, ""), "Vary"), "Origin") << path;  // shared caches
  }
}

TEST_F(ProviderCorsTest, AuthorizeLoginAndLogoutNeverAnswerCors) {
  // The control: this very origin is allowed on /token ...
  ASSERT_EQ(HeaderOf(Preflight("/token", kSpaOrigin, "POST"), "Access-Control-Allow-Origin"),
            kSpaOrigin);
  // ... and never where the login form or the session cookie is.
  for (const char* path : {"/authorize", "/login", "/logout", "/introspect", "/healthz"}) {
    auto pre = Preflight(path, kSpaOrigin, "POST");
    EXPECT_EQ(pre.status, 405) << path;
    EXPECT_FALSE(HasAnyCorsHeader(pre)) << path;
  }
  base::ServerRequest get{"GET",
                          "/authorize",
                          "client_id=spa&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&"
                          "response_type=code&scope=openid&state=s&code_challenge_method=S256&"
                          "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                          {{"origin", kSpaOrigin}},
                          "",
                          "10.0.0.1"};
  auto page = provider_->Handle(get);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("name=\"csrf\""), std::string::npos);  // the login form
  EXPECT_FALSE(HasAnyCorsHeader(page));
  auto login = Send("POST", "/login", kSpaOrigin, "username=alice&password=alice-password-1");
  EXPECT_FALSE(HasAnyCorsHeader(login));
  EXPECT_FALSE(HasAnyCorsHeader(Send("GET", "/logout", kSpaOrigin)));
  EXPECT_FALSE(HasAnyCorsHeader(Send("GET", "/authorize", kSpaOrigin)));  // an error page
}

}  // namespace
}  // namespace steer::auth
