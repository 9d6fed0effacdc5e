#include "steer/auth/tenant_router.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "provider_test_util.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/clock.h"

namespace steer::auth {
namespace {

namespace fs = std::filesystem;
using testing::kSecret;

// RSA key generation dominates these tests: the key directories are made once per suite
// and copied into each test's directory.
fs::path KeyTemplate() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("steer-tenant-keys-" + RandomToken(6));
    for (const char* sub : {"keys", "acme", "globex"})
      EXPECT_TRUE(GenerateKeyDir((d / sub).string()));
    return d;
  }();
  return dir;
}

class TenantRouterTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() { fs::remove_all(KeyTemplate()); }
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("steer-tenants-" + RandomToken(6));
    fs::create_directories(dir_);
    fs::copy(KeyTemplate() / "keys", dir_ / "keys");
    config_.issuer = "http://127.0.0.1:1";
    config_.keys_dir = (dir_ / "keys").string();
    config_.tenants_dir = (dir_ / "tenants").string();
    config_.lockout = {3, 60};
    config_.logins_per_minute = 0;
    clock_.SetUnixSeconds(1'800'000'000);
    store_ = SqliteStore::Open((dir_ / "a.db").string()).value();
    AddTenant("acme", "Acme Corp", "acme-password-1");
    AddTenant("globex", "Globex", "globex-password-1");
    router_ = std::make_unique<TenantRouter>(config_, Load());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A tenant directory as `admin tenant add` makes it, with alice and a password client.
  void AddTenant(const std::string& name, const std::string& display, const std::string& pw) {
    fs::path d = fs::path(config_.tenants_dir) / name;
    fs::create_directories(d);
    fs::copy(KeyTemplate() / name, d / "keys");
    config::TenantConfig t{name, {display, "", "#0b5fff", ""}, config_.lockout};
    std::ofstream(d / "tenant.yaml") << config::TenantConfigYaml(t, {});
    ScopedStore scoped(*store_, name);
    User alice{"alice", "sub-" + name, hasher_.Hash(pw).value(), name + "@example.com", "A"};
    ASSERT_TRUE(scoped.AddUser(alice));
    Client cli;
    cli.client_id = "cli";
    cli.secret_hash = HexEncode(Sha256(kSecret));
    cli.grant_types = {"password", "refresh_token", "authorization_code"};
    cli.redirect_uris = {"http://127.0.0.1:9/cb"};
    ASSERT_TRUE(scoped.PutClient(cli));
  }
  std::shared_ptr<const TenantSet> Load() {
    auto files = LoadIssuerFiles(config_);
    EXPECT_TRUE(files) << files.error().message;
    return TenantSet::Build(config_, std::move(*files), *store_, hasher_, clock_);
  }
  base::ServerResponse Get(const std::string& path, const std::string& host = "127.0.0.1:1") {
    base::ServerRequest r;
    r.method = "GET";
    r.path = path;
    r.remote_ip = "10.0.0.1";
    r.headers["host"] = host;
    auto q = path.find('?');
    if (q != std::string::npos) {
      r.path = path.substr(0, q);
      r.query = path.substr(q + 1);
    }
    return router_->Handle(r);
  }
  base::ServerResponse Post(const std::string& path, const std::string& body,
                            const std::string& bearer = "") {
    base::ServerRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.remote_ip = "10.0.0.1";
    r.headers["host"] = "127.0.0.1:1";
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    r.headers["authorization"] = bearer.empty()
                                     ? "Basic " + Base64Encode(std::string("cli:") + kSecret)
                                     : "Bearer " + bearer;
    return router_->Handle(r);
  }
  nlohmann::json Password(const std::string& tenant, const std::string& pw) {
    auto r =
        Post("/t/" + tenant + "/token",
             "grant_type=password&username=alice&scope=openid%20offline_access&password=" + pw);
    auto body = nlohmann::json::parse(r.body);
    body["status"] = r.status;
    return body;
  }

  fs::path dir_;
  config::AuthdConfig config_;
  base::FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  PasswordHasher hasher_{HashParams{1024, 1, 1}, 2};
  std::unique_ptr<TenantRouter> router_;
};

TEST_F(TenantRouterTest, EachTenantIsItsOwnIssuerBelowItsPath) {
  auto acme = nlohmann::json::parse(Get("/t/acme/.well-known/openid-configuration").body);
  EXPECT_EQ(acme["issuer"], "http://127.0.0.1:1/t/acme");
  EXPECT_EQ(acme["token_endpoint"], "http://127.0.0.1:1/t/acme/token");
  auto top = nlohmann::json::parse(Get("/.well-known/openid-configuration").body);
  EXPECT_EQ(top["issuer"], "http://127.0.0.1:1");
}

TEST_F(TenantRouterTest, UnknownTenantLooksLikeAnUnknownPath) {
  auto unknown_path = Get("/no/such/thing");
  for (const char* path : {"/t/initech/.well-known/openid-configuration", "/t/Bad_Name/jwks",
                           "/t/../jwks", "/t/", "/t/acme-/token"}) {
    auto r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body, unknown_path.body) << path;
  }
}

TEST_F(TenantRouterTest, JwksShowOnlyTheTenantsOwnKeys) {
  auto kids = [&](const std::string& path) {
    std::set<std::string> out;
    auto jwks = nlohmann::json::parse(Get(path).body);
    for (const auto& k : jwks["keys"]) out.insert(k["kid"]);
    return out;
  };
  auto acme = kids("/t/acme/jwks"), globex = kids("/t/globex/jwks"), top = kids("/jwks");
  ASSERT_FALSE(acme.empty());
  for (const auto& kid : acme) {
    EXPECT_FALSE(globex.count(kid)) << kid;
    EXPECT_FALSE(top.count(kid)) << kid;
  }
}

TEST_F(TenantRouterTest, UserNamesRepeatAndPasswordsStayWithTheirTenant) {
  EXPECT_EQ(Password("acme", "acme-password-1")["status"], 200);
  EXPECT_EQ(Password("globex", "globex-password-1")["status"], 200);
  EXPECT_EQ(Password("globex", "acme-password-1")["status"], 400);
  EXPECT_EQ(Password("acme", "globex-password-1")["status"], 400);
}

TEST_F(TenantRouterTest, OneTenantsTokensAreRefusedByAnother) {
  auto acme = Password("acme", "acme-password-1");
  ASSERT_EQ(acme["status"], 200) << acme.dump();
  std::string at = acme["access_token"], rt = acme["refresh_token"];
  EXPECT_EQ(Post("/t/acme/userinfo", "", at).status, 200);
  EXPECT_EQ(Post("/t/globex/userinfo", "", at).status, 401);
  EXPECT_EQ(Post("/userinfo", "", at).status, 401);
  for (const char* t : {"globex", "acme"}) {
    auto r = Post(std::string("/t/") + t + "/introspect", "token=" + at);
    EXPECT_EQ(nlohmann::json::parse(r.body)["active"], std::string(t) == "acme") << t;
  }
  auto refresh = Post("/t/globex/token", "grant_type=refresh_token&refresh_token=" + rt);
  EXPECT_EQ(refresh.status, 400);
  EXPECT_EQ(Post("/t/acme/token", "grant_type=refresh_token&refresh_token=" + rt).status, 200);
}

TEST_F(TenantRouterTest, OneTenantsLockoutNeverBlocksAnothers) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Password("acme", "wrong-password")["status"], 400);
  auto blocked = Password("acme", "acme-password-1");
  EXPECT_EQ(blocked["error_description"], "account or address temporarily blocked");
  // Same user name, same IP, other tenant: untouched.
  EXPECT_EQ(Password("globex", "globex-password-1")["status"], 200);
}

TEST_F(TenantRouterTest, LoginPageIsBrandedAndPostsBelowTheTenantsPath) {
  auto r =
      Get("/t/acme/authorize?client_id=cli&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&"
          "response_type=code&scope=openid&state=s");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("Acme Corp"), std::string::npos);
  EXPECT_NE(r.body.find("#0b5fff"), std::string::npos);
  EXPECT_NE(r.body.find("action=\"/t/acme/login\""), std::string::npos);
  std::string cookies;
  for (const auto& [k, v] : r.headers) {
    if (k == "Set-Cookie") cookies += v + "\n";
  }
  EXPECT_NE(cookies.find("Path=/t/acme/login"), std::string::npos) << cookies;
}

TEST_F(TenantRouterTest, HostRoutingAndAPathNamingAnotherTenant) {
  config_.tenant_routing = config::TenantRouting::kHost;
  config_.tenant_domain = "localhost";
  router_ = std::make_unique<TenantRouter>(config_, Load());
  auto acme = Get("/.well-known/openid-configuration", "ACME.localhost:1");
  ASSERT_EQ(acme.status, 200);
  EXPECT_EQ(nlohmann::json::parse(acme.body)["issuer"], "http://acme.localhost:1");
  EXPECT_EQ(Get("/t/acme/jwks", "acme.localhost:1").status, 200);
  auto mixed = Get("/t/globex/jwks", "acme.localhost:1");
  EXPECT_EQ(mixed.status, 400);
  EXPECT_NE(mixed.body.find("different tenants"), std::string::npos);
  EXPECT_EQ(Get("/jwks", "initech.localhost:1").status, 404);
  auto top = nlohmann::json::parse(Get("/.well-known/openid-configuration").body);
  EXPECT_EQ(top["issuer"], "http://127.0.0.1:1");
}

TEST_F(TenantRouterTest, RemovedTenantIsRefusedAfterTheSwapAndInFlightUseStaysSafe) {
  auto acme = Password("acme", "acme-password-1");
  std::string at = acme["access_token"];
  std::shared_ptr<const TenantSet> old = router_->Current();
  fs::rename(fs::path(config_.tenants_dir) / "acme", fs::path(config_.tenants_dir) / ".acme.gone");
  router_->Swap(Load());
  EXPECT_EQ(Get("/t/acme/jwks").status, 404);
  EXPECT_EQ(Post("/t/acme/userinfo", "", at).status, 404);
  // A request that began before the swap still holds the old set, and finishes normally.
  base::ServerRequest r;
  r.method = "GET";
  r.path = "/userinfo";
  r.headers["authorization"] = "Bearer " + at;
  EXPECT_EQ(old->Find("acme")->Handle(r).status, 200);
  EXPECT_EQ(router_->Current()->names(), std::vector<std::string>{"globex"});
}

TEST_F(TenantRouterTest, EveryBadFileIsReportedAndNothingLoads) {
  std::ofstream(fs::path(config_.tenants_dir) / "acme" / "tenant.yaml") << "colour: red\n";
  fs::create_directories(fs::path(config_.tenants_dir) / "Bad_Name");
  std::ofstream(fs::path(config_.tenants_dir) / "stray.txt") << "x";
  fs::remove(fs::path(config_.tenants_dir) / "globex" / "keys" / "aead.keys");
  auto files = LoadIssuerFiles(config_);
  ASSERT_FALSE(files);
  const std::string& m = files.error().message;
  EXPECT_NE(m.find("acme/tenant.yaml:1:1: colour: unknown key"), std::string::npos) << m;
  EXPECT_NE(m.find("Bad_Name: tenant name may contain only"), std::string::npos) << m;
  EXPECT_NE(m.find("stray.txt: not a tenant directory"), std::string::npos) << m;
  EXPECT_NE(m.find("globex/keys/aead.keys"), std::string::npos) << m;
}

TEST_F(TenantRouterTest, TopLevelViewNeverSeesATenantsEntries) {
  ScopedStore top(*store_, ""), acme(*store_, "acme");
  EXPECT_FALSE(top.FindUser("acme/alice").value());
  EXPECT_TRUE(top.ListUsers().value().empty());
  EXPECT_TRUE(top.ListClients().value().empty());
  EXPECT_FALSE(top.AddUser(User{"acme/bob", "s", "h", "", ""}));
  ASSERT_EQ(acme.ListUsers().value().size(), 1u);
  EXPECT_EQ(acme.ListUsers().value()[0].username, "alice");
  // The same token id revoked in one tenant is not revoked in another.
  ASSERT_TRUE(acme.Revoke("jti-1", 1'900'000'000));
  EXPECT_TRUE(acme.IsRevoked({"jti-1"}).value());
  EXPECT_FALSE(ScopedStore(*store_, "globex").IsRevoked({"jti-1"}).value());
  EXPECT_FALSE(top.IsRevoked({"jti-1", ""}).value());
}

}  // namespace
}  // namespace steer::auth
