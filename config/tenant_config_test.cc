#include "steer/config/tenant_config.h"

#include <gtest/gtest.h>

#include "testdata.h"

namespace steer::config {
namespace {

LockoutPolicy Server() { return LockoutPolicy{7, 60}; }

TEST(TenantConfig, ParsesEveryKeyAndKeepsTheServerLockoutByDefault) {
  auto t = ParseTenantConfig(
      "display_name: Acme Corp\n"
      "branding: {logo_url: https://cdn.example.com/a.svg, primary_color: '#0b5fff',\n"
      "           background_color: '#fff'}\n",
      "acme/tenant.yaml", "acme", Server());
  ASSERT_TRUE(t) << All(t.error());
  EXPECT_EQ(t->name, "acme");
  EXPECT_EQ(t->branding.display_name, "Acme Corp");
  EXPECT_EQ(t->branding.logo_url, "https://cdn.example.com/a.svg");
  EXPECT_EQ(t->branding.primary_color, "#0b5fff");
  EXPECT_EQ(t->branding.background_color, "#fff");
  EXPECT_EQ(t->lockout, Server());
}

TEST(TenantConfig, LockoutOverridesTheServers) {
  auto t = ParseTenantConfig("lockout: {max_failures: 3}\n", "t.yaml", "globex", Server());
  ASSERT_TRUE(t) << All(t.error());
  EXPECT_EQ(t->lockout.max_failures, 3);
  EXPECT_EQ(t->lockout.block_seconds, 60);
  EXPECT_EQ(t->branding.display_name, "globex");
}

TEST(TenantConfig, EveryProblemIsReportedWithItsLocation) {
  auto t = ParseTenantConfig(
      "display_name: Acme\n"
      "branding: {logo_url: 'javascript:alert(1)', primary_color: red}\n"
      "lockout: {max_failures: 0}\n"
      "colour: blue\n",
      "acme/tenant.yaml", "acme", Server());
  ASSERT_FALSE(t);
  std::string all = All(t.error());
  EXPECT_NE(all.find("acme/tenant.yaml:2:22: branding.logo_url: must start with https://"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("branding.primary_color: must be #rgb or #rrggbb"), std::string::npos) << all;
  EXPECT_NE(all.find("lockout.max_failures"), std::string::npos) << all;
  EXPECT_NE(all.find("acme/tenant.yaml:4:1: colour: unknown key"), std::string::npos) << all;
}

TEST(TenantConfig, LogoUrlCannotBreakOutOfTheAttribute) {
  auto t = ParseTenantConfig("branding: {logo_url: 'https://x.example/a\"onload=\"x'}\n", "t.yaml",
                             "acme", Server());
  ASSERT_FALSE(t);
  EXPECT_NE(All(t.error()).find("must not contain quotes"), std::string::npos);
}

TEST(TenantConfig, LogoUrlMustBeHttpsWithAHost) {
  // The key's documentation says "https:// image URL": plain http (mixed content on the login
  // page) and a URL without a host were accepted.
  for (const char* bad :
       {"http://cdn.example.com/a.svg", "http://127.0.0.1/a.svg", "https://", "https:///a.svg"}) {
    auto t = ParseTenantConfig(std::string("branding: {logo_url: '") + bad + "'}\n", "t.yaml",
                               "acme", Server());
    ASSERT_FALSE(t) << bad;
    EXPECT_NE(All(t.error()).find("branding.logo_url: must start with https://"), std::string::npos)
        << All(t.error());
  }
  for (const char* ok : {"https://cdn.example.com/a.svg", "https://cdn.example.com/a.svg?v=2"}) {
    auto t = ParseTenantConfig(std::string("branding: {logo_url: '") + ok + "'}\n", "t.yaml",
                               "acme", Server());
    ASSERT_TRUE(t) << ok << ": " << All(t.error());
  }
}

TEST(TenantConfig, NamesAreDnsLabels) {
  for (const char* ok : {"acme", "a", "acme-eu-1", "0day"}) {
    EXPECT_EQ(TenantNameProblem(ok), "") << ok;
  }
  for (const char* bad : {"", "Acme", "acme_eu", "-acme", "acme-", "a.b", "../x", "t/x",
                          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
    EXPECT_NE(TenantNameProblem(bad), "") << bad;
  }
  auto t = ParseTenantConfig("display_name: X\n", "t.yaml", "Bad_Name", Server());
  ASSERT_FALSE(t);
  EXPECT_NE(All(t.error()).find("tenant name 'Bad_Name' may contain only"), std::string::npos);
}

TEST(TenantConfig, WrittenFileReadsBackTheSame) {
  TenantConfig t;
  t.name = "acme";
  t.branding = {"Acme \"Corp\"", "https://cdn.example.com/a.svg", "#123", "#abcdef"};
  t.lockout = {4, 300};
  auto back = ParseTenantConfig(TenantConfigYaml(t, Server()), "t.yaml", "acme", Server());
  ASSERT_TRUE(back) << All(back.error());
  EXPECT_EQ(*back, t);
  // With the server's lockout, none is written: the tenant keeps following the server's.
  t.lockout = Server();
  std::string yaml = TenantConfigYaml(t, Server());
  EXPECT_EQ(yaml.find("lockout"), std::string::npos) << yaml;
  auto later = ParseTenantConfig(yaml, "t.yaml", "acme", LockoutPolicy{20, 600});
  ASSERT_TRUE(later);
  EXPECT_EQ(later->lockout, (LockoutPolicy{20, 600}));
}

TEST(TenantConfig, IssuerFollowsTheRouting) {
  AuthdConfig c;
  c.issuer = "https://login.example.com";
  EXPECT_EQ(TenantIssuer(c, "acme"), "https://login.example.com/t/acme");
  c.tenant_routing = TenantRouting::kHost;
  c.tenant_domain = "id.example.com";
  EXPECT_EQ(TenantIssuer(c, "acme"), "https://acme.id.example.com");
  c.issuer = "http://127.0.0.1:8080/auth";
  c.tenant_domain = "localhost";
  EXPECT_EQ(TenantIssuer(c, "acme"), "http://acme.localhost:8080/auth");
}

TEST(TenantConfig, ServerTenantsSection) {
  const std::string base = "keys_dir: k\nstore: {sqlite: s}\n";
  auto c = ParseAuthdConfig("issuer: http://127.0.0.1:9000\n" + base + "tenants: {dir: tenants}\n",
                            "/etc/a.yaml");
  ASSERT_TRUE(c) << All(c.error());
  EXPECT_EQ(c->tenants_dir, "/etc/tenants");
  EXPECT_EQ(c->tenant_routing, TenantRouting::kPath);
  auto no_domain = ParseAuthdConfig(
      "issuer: http://127.0.0.1:9000\n" + base + "tenants: {dir: t, routing: host}\n", "a.yaml");
  ASSERT_FALSE(no_domain);
  EXPECT_NE(All(no_domain.error()).find("tenants.domain: routing: host needs a domain"),
            std::string::npos);
  // http:// is for loopback only, and so for tenants' host names under localhost.
  auto http_host = ParseAuthdConfig("issuer: http://127.0.0.1:9000\n" + base +
                                        "tenants: {dir: t, routing: host, domain: example.com}\n",
                                    "a.yaml");
  ASSERT_FALSE(http_host);
  EXPECT_NE(All(http_host.error()).find("http:// is allowed only for a loopback issuer"),
            std::string::npos);
  auto local = ParseAuthdConfig("issuer: http://127.0.0.1:9000\n" + base +
                                    "tenants: {dir: t, routing: host, domain: localhost}\n",
                                "a.yaml");
  EXPECT_TRUE(local) << All(local.error());
  auto bad_domain = ParseAuthdConfig("issuer: https://a.example\n" + base +
                                         "tenants: {dir: t, routing: host, domain: Ex_ample.com}\n"
                                         "tls: {cert_file: c, key_file: k}\n",
                                     "a.yaml");
  ASSERT_FALSE(bad_domain);
  EXPECT_NE(All(bad_domain.error()).find("must be a DNS name"), std::string::npos);
}

// The router reads a Host under tenants.domain as a tenant's name, so an issuer host under the
// domain would make the top-level issuer unreachable (every request a 404, or another issuer's
// answer if a tenant had that name).
TEST(TenantConfig, TopLevelIssuerHostMustNotBeUnderTheTenantsDomain) {
  const std::string base = "keys_dir: k\nstore: {sqlite: s}\ntls: {cert_file: c, key_file: k}\n";
  for (const char* issuer : {"https://login.example.com", "https://Login.Example.COM:8443/auth"}) {
    auto c = ParseAuthdConfig(std::string("issuer: ") + issuer + "\n" + base +
                                  "tenants: {dir: t, routing: host, domain: example.com}\n",
                              "a.yaml");
    ASSERT_FALSE(c) << issuer;
    EXPECT_NE(All(c.error()).find("tenants.domain: the issuer's host is under this domain "
                                  "(it would be read as tenant 'login')"),
              std::string::npos)
        << All(c.error());
  }
  for (const char* domain : {"login.example.com", "example.org"}) {
    auto ok = ParseAuthdConfig("issuer: https://login.example.com\n" + base +
                                   "tenants: {dir: t, routing: host, domain: " + domain + "}\n",
                               "a.yaml");
    EXPECT_TRUE(ok) << domain << ": " << All(ok.error());
  }
  auto local = ParseAuthdConfig(
      "issuer: http://login.localhost:9000\nkeys_dir: k\n"
      "store: {sqlite: s}\n"
      "tenants: {dir: t, routing: host, domain: localhost}\n",
      "a.yaml");
  ASSERT_FALSE(local);
  // Path routing does not look at the Host.
  auto path = ParseAuthdConfig("issuer: https://login.example.com\n" + base +
                                   "tenants: {dir: t, routing: path, domain: example.com}\n",
                               "a.yaml");
  EXPECT_TRUE(path) << All(path.error());
}

}  // namespace
}  // namespace steer::config
