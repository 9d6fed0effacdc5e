// PostgresStore with a standby_dsn on a real 2-node Patroni cluster (synchronous_mode): a write
// is acknowledged only once the sync standby applied it (remote_apply), and while the primary
// is away (Patroni paused, so nothing is promoted) sign-in, SSO and token checks read the
// standby, writes that need the primary are refused as retryable, and login failures are
// counted in memory and recorded on the primary once it is back.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <future>
#include <memory>
#include <thread>

#include "steer/auth/postgres_store.h"
#include "steer/testsupport/patroni_cluster.h"

namespace steer::auth {
namespace {

using testsupport::PatroniCluster;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::unique_ptr<PostgresStore> Open(const PatroniCluster& cluster, int first, int standby) {
  config::PostgresConfig c = cluster.StoreConfig(first);
  if (standby >= 0) c.standby_dsn = cluster.NodeDsn(standby);
  c.statement_timeout = 5;  // reads from a standby wait out a promotion
  auto store = PostgresStore::Open(c);
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(*store);
}

LockoutPolicy Policy() {
  LockoutPolicy p;
  p.max_failures = 3;
  p.block_seconds = 300;
  return p;
}

template <typename T>
bool Unavailable(const Result<T>& r) {
  return !r && r.error().code == ErrorCode::kUnavailable;
}

TEST(PostgresStandby, ReadsTheStandbyWhileThePrimaryIsAwayAndCountsFailuresUntilItIsBack) {
  PatroniCluster cluster;
  int primary = cluster.Primary().value();
  int standby = 1 - primary;
  auto store = Open(cluster, primary, standby);
  auto plain = Open(cluster, primary, -1);  // no standby_dsn: everything on the primary

  ASSERT_TRUE(store->AddUser(User{"alice", "sub-alice", "hash", "a@example.com", "Alice", 0}));
  Client client;
  client.client_id = "app";
  client.grant_types = {"authorization_code"};
  ASSERT_TRUE(store->PutClient(client));
  ASSERT_TRUE(store->StartFamily("fam", "tok0", Now() + 3600));

  // Acknowledged only after the standby applied it: with its replay paused, a revocation
  // waits; resumed, it is acknowledged and the standby shows it.
  // Maintenance mode first: Patroni resumes a paused replay otherwise.
  cluster.SetPaused(true);
  cluster.SqlOn(standby, "SELECT pg_wal_replay_pause()");
  auto revoke =
      std::async(std::launch::async, [&] { return store->Revoke("tok-1", Now() + 3600); });
  EXPECT_EQ(revoke.wait_for(std::chrono::milliseconds(1500)), std::future_status::timeout)
      << "acknowledged before the standby applied it";
  cluster.SqlOn(standby, "SELECT pg_wal_replay_resume()");
  ASSERT_TRUE(revoke.get());
  EXPECT_EQ(cluster.SqlOn(standby, "SELECT count(*) FROM revoked WHERE id = 'tok-1'"), "1");

  ASSERT_TRUE(store->RecordFailure("user:bob", Now(), Policy()));  // 1 of 3, global

  cluster.KillNode(primary);

  // Reads: from the standby.
  EXPECT_EQ(store->IsRevoked({"tok-1"}).value(), true);
  EXPECT_EQ(store->IsRevoked({"tok-2"}).value(), false);
  EXPECT_TRUE(store->FindUser("alice").value().has_value());
  EXPECT_TRUE(store->FindClient("app").value().has_value());
  EXPECT_EQ(store->IsCurrentRefresh("fam", "tok0", 0).value(), true);
  EXPECT_TRUE(Unavailable(plain->IsRevoked({"tok-1"})));

  // Writes: refused, retryable; nothing accepted without the primary.
  EXPECT_TRUE(Unavailable(store->ConsumeOnce("code-1", Now() + 60)));
  EXPECT_TRUE(Unavailable(store->RotateRefresh("fam", "tok0", 0, "tok1", Now() + 3600)));
  EXPECT_TRUE(Unavailable(store->Revoke("tok-3", Now() + 3600)));
  EXPECT_TRUE(Unavailable(store->Ping()));

  // Lockout: the global failure and two counted here block bob.
  EXPECT_EQ(store->BlockedUntil("user:bob", Now()).value(), 0);
  EXPECT_EQ(store->RecordFailure("user:bob", Now(), Policy()).value(), 0);
  EXPECT_GT(store->RecordFailure("user:bob", Now(), Policy()).value(), 0);
  EXPECT_GT(store->BlockedUntil("user:bob", Now()).value(), 0);
  EXPECT_EQ(store->BlockedUntil("user:carol", Now()).value(), 0);

  // Back: the failures counted here are recorded on the primary.
  cluster.StartNode(primary);
  cluster.SetPaused(false);
  ASSERT_TRUE(cluster.WaitHealthy(std::chrono::seconds(90)));
  bool written = false;
  for (int i = 0; i < 100 && !written; ++i) {
    (void)store->BlockedUntil("user:carol", Now());
    try {
      written = cluster.Sql(
                    "SELECT count(*) FROM failures WHERE key = 'user:bob' AND "
                    "blocked_until > 0") == "1";
    } catch (const std::runtime_error&) {
      // The new primary may still be read-only for a moment.
    }
    if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(written) << cluster.Sql("SELECT * FROM failures");
  EXPECT_GT(plain->BlockedUntil("user:bob", Now()).value(), 0);
  EXPECT_TRUE(store->ConsumeOnce("code-2", Now() + 60).value());
}

}  // namespace
}  // namespace steer::auth
