// PostgresStore against a real PostgreSQL 15 (tests/support PgServer): the store contract,
// plus what only a server has: migrations from two processes at once, a schema from the
// future, a wrong password, an unreachable or read-only server, and a crash + restart.
#include "steer/auth/postgres_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "pg_schema.h"
#include "steer/testsupport/pg_server.h"
#include "store_contract_test.h"

namespace steer::auth {
namespace {

using testsupport::PgServer;

// One server per test process (ctest runs each test in its own process anyway).
PgServer& SharedServer() {
  static PgServer* server = new PgServer();  // stopped by the atexit below
  static bool registered = [] { return std::atexit([] { delete server; }) == 0; }();
  (void)registered;
  return *server;
}

// A fresh database per test; Open() opens a new store (a new pool) on it.
class PostgresBackend {
 public:
  PostgresBackend() : database_(SharedServer().CreateDatabase()) {}
  std::unique_ptr<Store> Open() {
    return PostgresStore::Open(SharedServer().StoreConfig(database_)).value();
  }

 private:
  std::string database_;
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreContract, ::testing::Types<PostgresBackend>);

namespace {

// Two regions, each with its own store (its own pool) on the one database: what one region
// records, the other enforces at once.
TEST(PostgresStore, SecurityStateIsSharedByTwoRegions) {
  PgServer& server = SharedServer();
  std::string db = server.CreateDatabase();
  auto a = PostgresStore::Open(server.StoreConfig(db)).value();
  auto b = PostgresStore::Open(server.StoreConfig(db)).value();
  ASSERT_TRUE(a->Revoke("jti-a", 1000));
  EXPECT_TRUE(b->IsRevoked({"jti-a"}).value());  // revoked in A: inactive in B
  EXPECT_TRUE(a->ConsumeOnce("code-a", 1000).value());
  EXPECT_FALSE(b->ConsumeOnce("code-a", 1000).value());  // redeemed in A: refused in B
  ASSERT_TRUE(a->StartFamily("fam", "t0", 1000));
  EXPECT_EQ(a->RotateRefresh("fam", "t0", 0, "t1", 1000).value(), RefreshOutcome::kRotated);
  EXPECT_FALSE(b->IsCurrentRefresh("fam", "t0", 0).value());
  // The rotated token replayed in B revokes the family everywhere.
  EXPECT_EQ(b->RotateRefresh("fam", "t0", 0, "x", 1000).value(), RefreshOutcome::kReused);
  EXPECT_EQ(a->RotateRefresh("fam", "t1", 1, "t2", 1000).value(), RefreshOutcome::kRevoked);
  LockoutPolicy policy{3, 60};  // max_failures counts across regions, not per region
  EXPECT_EQ(a->RecordFailure("user:alice", 1000, policy).value(), 0);
  EXPECT_EQ(b->RecordFailure("user:alice", 1001, policy).value(), 0);
  EXPECT_EQ(a->RecordFailure("user:alice", 1002, policy).value(), 1062);
  EXPECT_EQ(b->BlockedUntil("user:alice", 1003).value(), 1062);
  ASSERT_TRUE(a->AddUser({"alice", "sub-a", "h", "", ""}));
  EXPECT_EQ(b->FindUser("alice").value()->subject, "sub-a");
  // Disabled through A: B sees the user disabled and its old generation revoked.
  ASSERT_TRUE(a->EndUser("alice", false, 1, 1000).value());
  EXPECT_TRUE(b->FindUser("alice").value()->disabled);
  EXPECT_TRUE(b->IsRevoked({UserRevocationId("sub-a", 0)}).value());
  ASSERT_TRUE(b->EndUser("alice", true, 2, 1000).value());
  EXPECT_EQ(a->AddUser({"alice2", "sub-a", "h", "", ""}).error().code, ErrorCode::kAlreadyExists);
}

// A database at schema 1 (before user generations) with a user: migration 2 adds the columns
// and the retired subjects; the user keeps its row at generation 0, enabled.
TEST(PostgresStore, ADatabaseAtSchemaOneMigratesItsUsers) {
  PgServer& server = SharedServer();
  std::string db = server.CreateDatabase();
  server.Sql(
      "CREATE TABLE steer_authd_schema(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT "
      "NULL DEFAULT now()); INSERT INTO steer_authd_schema(version) VALUES(1); "
      "CREATE TABLE users(username TEXT PRIMARY KEY, subject TEXT UNIQUE NOT NULL, "
      "password_hash TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT NULL); "
      "INSERT INTO users VALUES('alice', 'sub-1', 'h', 'e', 'A'); "
      "CREATE TABLE revoked(id TEXT PRIMARY KEY, expires_at BIGINT NOT NULL)",
      db);
  auto store = PostgresStore::Open(server.StoreConfig(db)).value();
  auto u = store->FindUser("alice");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ((*u)->generation, 0);
  EXPECT_FALSE((*u)->disabled);
  auto status = store->SchemaStatus();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->version, pg::LatestSchemaVersion());
  auto ended = store->EndUser("alice", true, 1, 1000);
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_TRUE(*ended);
  EXPECT_TRUE(store->SubjectUsed("sub-1").value());
}

TEST(PostgresStore, MigratesOnceWhenTwoRegionsStartTogether) {
  PgServer& server = SharedServer();
  std::string db = server.CreateDatabase();
  auto a = PostgresStore::Open(server.StoreConfig(db)).value();
  auto b = PostgresStore::Open(server.StoreConfig(db)).value();
  auto empty = a->SchemaStatus();
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->version, 0);
  Result<pg::SchemaStatus> ra, rb;
  std::thread ta([&] { ra = a->MigrateNow(); });
  std::thread tb([&] { rb = b->MigrateNow(); });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra) << ra.error().message;
  ASSERT_TRUE(rb) << rb.error().message;
  EXPECT_EQ(ra->applied + rb->applied, pg::LatestSchemaVersion());  // applied exactly once
  EXPECT_EQ(ra->version, pg::LatestSchemaVersion());
  EXPECT_EQ(server.Sql("SELECT count(*) FROM steer_authd_schema", db),
            std::to_string(pg::LatestSchemaVersion()));
  EXPECT_TRUE(a->Ping());
}

TEST(PostgresStore, ConcurrentFirstUseFromManyStoresMigratesOnce) {
  PgServer& server = SharedServer();
  std::string db = server.CreateDatabase();
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < 4; ++i) stores.push_back(PostgresStore::Open(server.StoreConfig(db)).value());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (auto& s : stores) {
    threads.emplace_back([&ok, &s] { ok += s->ConsumeOnce("c", 100).value_or(false) ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(server.Sql("SELECT count(*) FROM steer_authd_schema", db),
            std::to_string(pg::LatestSchemaVersion()));
}

TEST(PostgresStore, ASchemaNewerThanTheBinaryIsRefused) {
  PgServer& server = SharedServer();
  std::string db = server.CreateDatabase();
  auto store = PostgresStore::Open(server.StoreConfig(db)).value();
  ASSERT_TRUE(store->Ping());
  std::string future = std::to_string(pg::LatestSchemaVersion() + 1);
  server.Sql("INSERT INTO steer_authd_schema(version) VALUES(" + future + ")", db);
  auto fresh = PostgresStore::Open(server.StoreConfig(db)).value();
  auto ping = fresh->Ping();
  ASSERT_FALSE(ping);
  EXPECT_EQ(ping.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(ping.error().message.find("schema is version " + future +
                                      ", newer than this "
                                      "steer-authd knows"),
            std::string::npos)
      << ping.error().message;
  EXPECT_FALSE(fresh->AddUser({"u", "s", "h", "", ""}));
  auto migrate = fresh->MigrateNow();
  ASSERT_FALSE(migrate);
  EXPECT_EQ(migrate.error().code, ErrorCode::kFailedPrecondition);
}

TEST(PostgresStore, WrongPasswordIsAClearError) {
  PgServer& server = SharedServer();
  setenv("STEER_TEST_PG_WRONG", "not-the-password", 1);
  auto c = server.StoreConfig("postgres");
  c.password = base::ParseSecretRef("env:STEER_TEST_PG_WRONG").value();
  auto store = PostgresStore::Open(c).value();  // does not connect yet
  auto ping = store->Ping();
  ASSERT_FALSE(ping);
  EXPECT_EQ(ping.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(ping.error().message.find("password authentication failed for user \"postgres\""),
            std::string::npos)
      << ping.error().message;
  EXPECT_EQ(ping.error().message.find("not-the-password"), std::string::npos);
}

TEST(PostgresStore, BadDsnAndMissingPasswordAreRefusedAtOpen) {
  config::PostgresConfig c;
  c.dsn = "host=127.0.0.1 port";
  auto bad = PostgresStore::Open(c);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("store.postgres.dsn: missing \"=\" after \"port\""),
            std::string::npos)
      << bad.error().message;
  c.dsn = "host=127.0.0.1";
  c.password = base::ParseSecretRef("env:STEER_TEST_PG_UNSET_VARIABLE").value();
  auto missing = PostgresStore::Open(c);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("env:STEER_TEST_PG_UNSET_VARIABLE"), std::string::npos);
}

TEST(PostgresStore, UnreachableServerIsUnavailableNotFatal) {
  config::PostgresConfig c;
  c.dsn = "host=127.0.0.1 port=" + std::to_string(testsupport::FreePort()) + " user=x dbname=x";
  auto store = PostgresStore::Open(c);
  ASSERT_TRUE(store);  // steer-authd starts and reports not ready
  auto ping = (*store)->Ping();
  ASSERT_FALSE(ping);
  EXPECT_EQ(ping.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(ping.error().message.find("cannot connect"), std::string::npos) << ping.error().message;
  EXPECT_EQ((*store)->ConsumeOnce("c", 1).error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace steer::auth
