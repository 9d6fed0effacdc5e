// PostgresStore when the server misbehaves: it turns read-only (a standby, a demoted primary)
// or crashes and comes back. Each test has its own server, since it changes or kills it.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "steer/auth/postgres_store.h"
#include "steer/testsupport/pg_server.h"

namespace steer::auth {
namespace {

using testsupport::PgServer;
using testsupport::WaitUntil;

std::unique_ptr<PostgresStore> OpenOn(const PgServer& server, const std::string& db) {
  return PostgresStore::Open(server.StoreConfig(db)).value();
}

// Uses every pooled connection at once, so that all of them are open.
void WarmPool(PostgresStore& store) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back(
        [&store, i] { EXPECT_TRUE(store.Revoke("warm-" + std::to_string(i), 1000)); });
  }
  for (auto& t : threads) t.join();
}

TEST(PostgresStoreFailures, AReadOnlyServerRefusesWritesRetryablyAndServesReads) {
  PgServer server;
  std::string db = server.CreateDatabase();
  auto store = OpenOn(server, db);
  ASSERT_TRUE(store->AddUser({"alice", "sub-a", "h", "", ""}));
  ASSERT_TRUE(store->StartFamily("fam", "t0", 1000));
  WarmPool(*store);
  server.Sql("ALTER SYSTEM SET default_transaction_read_only = on");
  server.Sql("SELECT pg_reload_conf()");
  ASSERT_TRUE(WaitUntil([&] { return !store->Ping(); }, std::chrono::seconds(10)));
  auto ping = store->Ping();
  EXPECT_EQ(ping.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(ping.error().message.find("read-only"), std::string::npos) << ping.error().message;
  auto consume = store->ConsumeOnce("code", 1000);
  ASSERT_FALSE(consume);
  EXPECT_EQ(consume.error().code, ErrorCode::kUnavailable);  // -> 503 temporarily_unavailable
  EXPECT_NE(consume.error().message.find("read-only"), std::string::npos)
      << consume.error().message;
  auto rotate = store->RotateRefresh("fam", "t0", 0, "t1", 1000);
  ASSERT_FALSE(rotate);
  EXPECT_EQ(rotate.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store->Revoke("jti", 1000).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store->RecordFailure("user:alice", 1, {3, 60}).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store->FindUser("alice").value()->subject, "sub-a");  // reads are served
  EXPECT_TRUE(store->IsRevoked({"warm-0"}).value());
  // Writable again: the same store carries on, and the refused rotation never happened.
  server.Sql("ALTER SYSTEM RESET default_transaction_read_only");
  server.Sql("SELECT pg_reload_conf()");
  ASSERT_TRUE(
      WaitUntil([&] { return static_cast<bool>(store->Ping()); }, std::chrono::seconds(10)));
  EXPECT_TRUE(store->ConsumeOnce("code", 1000).value());
  EXPECT_EQ(store->RotateRefresh("fam", "t0", 0, "t1", 1000).value(), RefreshOutcome::kRotated);
}

TEST(PostgresStoreFailures, ThePoolRecoversAfterTheServerCrashesAndRestarts) {
  PgServer server;
  std::string db = server.CreateDatabase();
  auto store = OpenOn(server, db);
  WarmPool(*store);
  ASSERT_TRUE(store->Revoke("acknowledged", 1000));
  server.Kill();  // kill -9 of the postmaster
  server.Start();
  // Every pooled connection died with the server. A write that must not be retried blindly
  // still succeeds at once: dead connections are noticed before a statement is sent.
  auto first = store->ConsumeOnce("after-restart", 1000);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(*first);
  EXPECT_TRUE(store->IsRevoked({"acknowledged"}).value());
  WarmPool(*store);
  // While the server is down: retryable errors, then recovery, without a new store.
  server.Kill();
  auto down = store->ConsumeOnce("while-down", 1000);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(store->Ping());
  server.Start();
  EXPECT_TRUE(store->Ping());
  EXPECT_TRUE(store->ConsumeOnce("while-down", 1000).value());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back(
        [&, i] { ok += store->StartFamily("f" + std::to_string(i), "t", 9) ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
}

}  // namespace
}  // namespace steer::auth
