#include "steer/config/authd_config.h"

#include <gtest/gtest.h>

#include <functional>

#include "testdata.h"

namespace steer::config {
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
  ASSERT_TRUE(c) << All(c.error());
  EXPECT_EQ(c->issuer, "http://127.0.0.1:9000");
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->keys_dir, "/etc/steer/keys");
  EXPECT_EQ(c->store_path, "/etc/steer/authd.db");
  EXPECT_EQ(c->access_ttl, 300);
  EXPECT_EQ(c->refresh_ttl, 720 * 3600);
  EXPECT_EQ(c->leeway, 10);
  EXPECT_EQ(c->lockout.max_failures, 5);
  EXPECT_EQ(c->lockout.block_seconds, 120);
  EXPECT_EQ(c->logins_per_minute, 0);
  EXPECT_EQ(c->hashing.memory_kib, 1024u);
  EXPECT_EQ(c->hashing.iterations, 1u);
  EXPECT_EQ(c->max_concurrent_hashes, 4);
  EXPECT_TRUE(c->plain_http());
}

TEST(AuthdConfig, DefaultsOfKeysNotWritten) {
  auto c = ParseAuthdConfig(
      "issuer: https://login.example.com\nkeys_dir: /k\nstore: {sqlite: /s}\n"
      "tls: {cert_file: /c.pem, key_file: /k.pem}\n",
      "d.yaml");
  ASSERT_TRUE(c) << All(c.error());
  AuthdConfig defaults;
  EXPECT_EQ(c->listen_address, "127.0.0.1");
  EXPECT_EQ(c->port, 8443);
  EXPECT_EQ(c->threads, 2);
  EXPECT_EQ(c->access_ttl, 600);
  EXPECT_EQ(c->refresh_ttl, 30 * 24 * 3600);
  EXPECT_EQ(c->lockout.max_failures, 10);
  EXPECT_EQ(c->lockout.block_seconds, 900);
  EXPECT_EQ(c->logins_per_minute, 30);
  EXPECT_EQ(c->max_body_bytes, 16384u);
  EXPECT_EQ(c->hashing.memory_kib, defaults.hashing.memory_kib);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->log_format, "text");
  EXPECT_FALSE(c->plain_http());
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
  std::string all = All(c.error());
  EXPECT_NE(all.find("authd.yaml:1:9: issuer: must be a URL"), std::string::npos) << all;
  EXPECT_NE(all.find("authd.yaml:2:34: listen.port: value 99999 is out of range [0, 65535]"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("authd.yaml:2:19: listen.address: plain HTTP is allowed only on loopback"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("authd.yaml:4:23: store.flavour: unknown key 'flavour' in store"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("authd.yaml:5:22: tokens.access_ttl:"), std::string::npos) << all;
  EXPECT_NE(all.find("authd.yaml:6:1: colour: unknown key 'colour' in steer-authd config"),
            std::string::npos)
      << all;
  EXPECT_EQ(c.error().size(), 6u) << all;
}

TEST(AuthdConfig, PostgresStore) {
  auto c = ParseAuthdConfig(
      "issuer: https://a.example\nkeys_dir: k\nstore:\n  postgres:\n"
      "    dsn: \"host=db1,db2 dbname=authd user=authd target_session_attrs=read-write\"\n"
      "    password: env:PGPW\n    pool_size: 8\n    statement_timeout: 2s\n",
      "/etc/p.yaml");
  ASSERT_TRUE(c) << All(c.error());
  EXPECT_EQ(c->store_path, "");
  EXPECT_EQ(c->postgres.dsn,
            "host=db1,db2 dbname=authd user=authd target_session_attrs=read-write");
  EXPECT_EQ(c->postgres.password.ToString(), "env:PGPW");
  EXPECT_EQ(c->postgres.pool_size, 8);
  EXPECT_EQ(c->postgres.connect_timeout, 5);
  EXPECT_EQ(c->postgres.statement_timeout, 2);
}

TEST(AuthdConfig, PostgresStoreErrors) {
  auto both = ParseAuthdConfig(
      "issuer: https://a.example\nkeys_dir: k\nstore: {sqlite: a.db, postgres: {dsn: host=x}}\n",
      "s.yaml");
  ASSERT_FALSE(both);
  EXPECT_EQ(All(both.error()),
            "s.yaml:3:8: store: sqlite and postgres exclude each other; choose one\n");
  auto bad = ParseAuthdConfig(
      "issuer: https://a.example\nkeys_dir: k\nstore:\n  postgres:\n"
      "    dsn: host=x password=hunter2\n    password: hunter2\n    pool_size: 0\n",
      "p.yaml");
  ASSERT_FALSE(bad);
  std::string all = All(bad.error());
  EXPECT_NE(all.find("p.yaml:5:10: store.postgres.dsn: must not contain a password"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("p.yaml:6:15: store.postgres.password:"), std::string::npos) << all;
  EXPECT_NE(all.find("p.yaml:7:16: store.postgres.pool_size:"), std::string::npos) << all;
  EXPECT_EQ(all.find("hunter2"), std::string::npos) << all;  // the secret is never echoed
  auto no_dsn =
      ParseAuthdConfig("issuer: https://a.example\nkeys_dir: k\nstore: {postgres: {}}\n", "d.yaml");
  ASSERT_FALSE(no_dsn);
  EXPECT_EQ(All(no_dsn.error()), "d.yaml:3:19: store.postgres.dsn: missing required key 'dsn'\n");
}

TEST(AuthdConfig, RequiredKeysAndSyntaxErrors) {
  auto c = ParseAuthdConfig("threads: 2\n", "a.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().size(), 3u) << All(c.error());  // issuer, keys_dir, store
  EXPECT_EQ(All(c.error()),
            "a.yaml:1:1: issuer: missing required key 'issuer'\n"
            "a.yaml:1:1: keys_dir: missing required key 'keys_dir'\n"
            "a.yaml:1:1: store: missing required key 'store'\n");
  auto no_sqlite =
      ParseAuthdConfig("issuer: https://a.example\nkeys_dir: k\nstore: {}\n", "e.yaml");
  ASSERT_FALSE(no_sqlite);
  EXPECT_EQ(All(no_sqlite.error()), "e.yaml:3:8: store: needs sqlite or postgres\n");
  auto bad = ParseAuthdConfig("issuer: [unclosed\n", "b.yaml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error()[0].location.file, "b.yaml");
  EXPECT_GT(bad.error()[0].location.line, 0);
  auto http = ParseAuthdConfig(
      "issuer: http://login.example.com\nkeys_dir: k\nstore: {sqlite: s}\n", "c.yaml");
  ASSERT_FALSE(http);
  EXPECT_NE(http.error()[0].message.find("loopback"), std::string::npos);
}

TEST(AuthdConfig, ValueRules) {
  auto c = ParseAuthdConfig(R"(issuer: https://login.example.com
keys_dir: ""
store: {sqlite: s}
tokens: {code_ttl: 1500ms, id_ttl: 500ms}
tls: {cert_file: c.pem}
log: {format: xml, level: loud}
listen: {address: not-an-ip}
)",
                            "v.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(All(c.error()),
            "v.yaml:2:11: keys_dir: must not be empty\n"
            "v.yaml:4:20: tokens.code_ttl: must be a whole number of seconds\n"
            "v.yaml:4:36: tokens.id_ttl: value 500ms is below the minimum 1s\n"
            "v.yaml:5:6: tls: cert_file and key_file go together\n"
            "v.yaml:6:15: log.format: unknown value 'xml' (expected one of: text, json)\n"
            "v.yaml:6:27: log.level: unknown value 'loud' (expected one of: trace, debug, info, "
            "warn, error, off)\n"
            "v.yaml:7:19: listen.address: must be an IP address\n");
}

TEST(AuthdConfig, EmptyFileAndUnreadableFile) {
  auto empty = ParseAuthdConfig("", "e.yaml");
  ASSERT_FALSE(empty);
  EXPECT_EQ(All(empty.error()),
            "e.yaml:1:1: the steer-authd config is empty; expected a mapping with 'issuer', "
            "'keys_dir' and 'store'\n");
  auto missing = LoadAuthdConfig("/nonexistent/authd.yaml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error()[0].ToString().find("/nonexistent/authd.yaml:0:0: cannot open file"),
            std::string::npos);
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

TEST(AuthdConfig, ShippedExampleValidates) {
  auto c = LoadAuthdConfig(SourcePath("examples/authd/authd.yaml"));
  ASSERT_TRUE(c) << All(c.error());
  EXPECT_FALSE(c->plain_http());
  EXPECT_EQ(c->lockout.max_failures, 10);
}

// Every key of the catalog, written as `value(key)`, one section per line. Nested sections
// (store.postgres, which excludes store.sqlite) are left out: EveryPostgresKeyIsRead.
std::string EveryKey(const std::function<std::string(const KeyInfo&)>& value,
                     const std::string& skip = "") {
  std::string yaml;
  for (const auto& k : AuthdCatalog().keys) {
    if (k.object == nullptr) {
      if (k.key != skip) yaml += k.key + ": " + value(k) + "\n";
      continue;
    }
    std::string items;
    for (const auto& sub : k.object->keys) {
      if (k.key + "." + sub.key == skip || sub.object != nullptr) continue;
      items += (items.empty() ? "" : ", ") + sub.key + ": " + value(sub);
    }
    yaml += k.key + ": {" + items + "}\n";
  }
  return yaml;
}

std::string Example(const KeyInfo& k) { return k.example; }

// The defaults the docs state are the struct's: writing each one out changes nothing.
TEST(AuthdConfig, CatalogDefaultsAreTheDefaults) {
  auto written = ParseAuthdConfig(EveryKey([](const KeyInfo& k) {
                                    return k.default_text.empty() ? k.example : k.default_text;
                                  }),
                                  "/d/authd.yaml");
  ASSERT_TRUE(written) << All(written.error());
  auto omitted = ParseAuthdConfig(
      "issuer: https://login.example.com\nkeys_dir: /etc/steer/authd/keys\n"
      "store: {sqlite: /var/lib/steer-authd/authd.db}\n"
      "tls: {cert_file: tls/chain.pem, key_file: tls/key.pem}\n"
      "tenants: {dir: /etc/steer/authd/tenants, domain: login.example.com}\n",
      "/d/authd.yaml");
  ASSERT_TRUE(omitted) << All(omitted.error());
  EXPECT_TRUE(*written == *omitted);
}

// Every key is read: the examples parse, and dropping any one key changes the result (or,
// for a required key, fails the load).
TEST(AuthdConfig, EveryCatalogKeyIsRead) {
  auto all = ParseAuthdConfig(EveryKey(Example), "/d/authd.yaml");
  ASSERT_TRUE(all) << All(all.error());
  int checked = 0;
  for (const auto& k : AuthdCatalog().keys) {
    std::vector<std::string> paths;
    if (k.object == nullptr) paths.push_back(k.key);
    for (const auto& sub : k.object ? k.object->keys : std::vector<KeyInfo>{}) {
      if (sub.object == nullptr) paths.push_back(k.key + "." + sub.key);
    }
    for (const auto& path : paths) {
      auto without = ParseAuthdConfig(EveryKey(Example, path), "/d/authd.yaml");
      EXPECT_TRUE(!without || !(*without == *all)) << path << " is not read";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 30);
}

// store.postgres.*: its examples parse, every key is read, and the defaults are the struct's.
TEST(AuthdConfig, EveryPostgresKeyIsRead) {
  const KeyInfo* postgres = nullptr;
  for (const auto& k : AuthdCatalog().keys) {
    if (k.key != "store") continue;
    for (const auto& sub : k.object->keys) {
      if (sub.key == "postgres") postgres = &sub;
    }
  }
  ASSERT_NE(postgres, nullptr);
  auto with = [&](const std::function<std::string(const KeyInfo&)>& value,
                  const std::string& skip) {
    std::string items;
    for (const auto& k : postgres->object->keys) {
      if (k.key != skip) items += (items.empty() ? "" : ", ") + k.key + ": " + value(k);
    }
    return ParseAuthdConfig(
        "issuer: https://a.example\nkeys_dir: /k\nstore: {postgres: {" + items + "}}\n", "p.yaml");
  };
  auto all = with(Example, "");
  ASSERT_TRUE(all) << All(all.error());
  for (const auto& k : postgres->object->keys) {
    auto without = with(Example, k.key);
    EXPECT_TRUE(!without || !(*without == *all)) << k.key << " is not read";
  }
  EXPECT_EQ(postgres->object->keys.size(), 6u);
  auto defaults = with(
      [](const KeyInfo& k) { return k.default_text.empty() ? k.example : k.default_text; }, "");
  ASSERT_TRUE(defaults) << All(defaults.error());
  auto omitted = with(Example, "pool_size");
  ASSERT_TRUE(omitted);
  EXPECT_EQ(defaults->postgres.pool_size, 4);
  EXPECT_EQ(defaults->postgres, (config::PostgresConfig{all->postgres.dsn, all->postgres.password,
                                                        all->postgres.standby_dsn}));
}

// docs/auth-core.md's key reference is generated from the catalog (scripts/gen-policy-docs).
TEST(AuthdConfig, DocsKeyReferenceMatchesCatalog) {
  std::string doc = ReadText(SourcePath("docs/auth-core.md"));
  const std::string begin = "<!-- BEGIN GENERATED AUTHD KEY REFERENCE -->\n";
  const std::string end = "<!-- END GENERATED AUTHD KEY REFERENCE -->";
  size_t b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), AuthdMarkdownReference())
      << "run scripts/gen-policy-docs";
}

}  // namespace
}  // namespace steer::config
