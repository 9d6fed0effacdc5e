#include "steer/auth/authd_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace steer::auth {
namespace {

constexpr char kGood[] = R"(issuer: http://127.0.0.1:9000
listen: {address: 127.0.0.1, port: 9000}
keys_dir: keys
store: {sqlite: authd.db}
tokens: {access_ttl: 5m, refresh_ttl: 720h, leeway: 10s}
lockout: {max_failures: 5, block_for: 2m}
throttle: {logins_per_minute: 0}
hashing: {memory_kib: 1024, iterations: 1, max_concurrent: 4}
)";

TEST(AuthdConfig, ParsesAndResolvesRelativePaths) {
  auto c = ParseAuthdConfig(kGood, "/etc/steer/authd.yaml");
  ASSERT_TRUE(c) << c.error()[0].ToString();
  EXPECT_EQ(c->issuer, "http://127.0.0.1:9000");
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->keys_dir, "/etc/steer/keys");
  EXPECT_EQ(c->store_path, "/etc/steer/authd.db");
  EXPECT_EQ(c->access_ttl, 300);
  EXPECT_EQ(c->refresh_ttl, 720 * 3600);
  EXPECT_EQ(c->lockout.max_failures, 5);
  EXPECT_EQ(c->lockout.block_seconds, 120);
  EXPECT_EQ(c->logins_per_minute, 0);
  EXPECT_EQ(c->hashing.memory_kib, 1024u);
  EXPECT_EQ(c->max_concurrent_hashes, 4);
  EXPECT_TRUE(c->plain_http());
}

TEST(AuthdConfig, ReportsEveryProblemWithPosition) {
  auto c = ParseAuthdConfig(R"(issuer: https://login.example.com/
listen: {address: 0.0.0.0, port: 99999}
keys_dir: keys
store: {sqlite: a.db, flavour: x}
tokens: {access_ttl: 10}
colour: blue
)",
                            "authd.yaml");
  ASSERT_FALSE(c);
  std::string all;
  for (const auto& d : c.error()) all += d.ToString() + "\n";
  EXPECT_NE(all.find("authd.yaml:1:9: issuer: must be a URL"), std::string::npos) << all;
  EXPECT_NE(all.find("authd.yaml:2:34: listen.port: must be an integer"), std::string::npos) << all;
  EXPECT_NE(all.find("listen.address: plain HTTP is allowed only on loopback"), std::string::npos);
  EXPECT_NE(all.find("authd.yaml:4:23: store.flavour: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find("tokens.access_ttl:"), std::string::npos) << all;
  EXPECT_NE(all.find("authd.yaml:6:1: colour: unknown key"), std::string::npos) << all;
  EXPECT_EQ(c.error().size(), 6u) << all;
}

TEST(AuthdConfig, RequiredKeysAndSyntaxErrors) {
  auto c = ParseAuthdConfig("threads: 2\n", "a.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().size(), 3u);  // issuer, keys_dir, store.sqlite
  auto bad = ParseAuthdConfig("issuer: [unclosed\n", "b.yaml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error()[0].file, "b.yaml");
  EXPECT_GT(bad.error()[0].line, 0);
  auto http = ParseAuthdConfig(
      "issuer: http://login.example.com\nkeys_dir: k\nstore: {sqlite: s}\n", "c.yaml");
  ASSERT_FALSE(http);
  EXPECT_NE(http.error()[0].message.find("loopback"), std::string::npos);
}

TEST(AuthdConfig, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.8.0.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.example.com"));
}

}  // namespace
}  // namespace steer::auth

namespace steer::auth {
namespace {

TEST(AuthdConfig, ShippedExampleValidates) {
  const char* src = std::getenv("STEER_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  auto c = LoadAuthdConfig(std::string(src) + "/examples/authd/authd.yaml");
  ASSERT_TRUE(c) << c.error()[0].ToString();
  EXPECT_FALSE(c->plain_http());
  EXPECT_EQ(c->lockout.max_failures, 10);
}

}  // namespace
}  // namespace steer::auth
