// Refresh rotations in batches against a real PostgreSQL 15 (schema migration 5): a batch
// gives each rotation the outcome it would have had alone, in input order, and locks its
// families in sorted order so that two batches never deadlock; PostgresStore batches rotations
// that arrive together and still gives each caller its own outcome.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <string>
#include <thread>
#include <vector>

#include "pg_pool.h"
#include "pg_rotations.h"
#include "pg_schema.h"
#include "steer/auth/postgres_store.h"
#include "steer/testsupport/pg_server.h"

namespace steer::auth::pg {
namespace {

using testsupport::PgServer;

struct RotationFixture {
  explicit RotationFixture(PgServer& s)
      : server(s),
        db(s.CreateDatabase()),
        store(PostgresStore::Open(s.StoreConfig(db)).value()),
        pool(s.StoreConfig(db), [](PGconn*) -> Result<void> { return {}; }) {
    EXPECT_TRUE(store->MigrateNow());
  }
  PgServer& server;
  std::string db;
  std::unique_ptr<PostgresStore> store;
  Pool pool;
};

Rotation R(std::string family, std::string presented, int64_t gen, std::string next) {
  return Rotation{std::move(family), std::move(presented), gen, std::move(next), 5000};
}

TEST(RotationBatch, EachRotationGetsItsOwnOutcomeAsIfRunAloneInInputOrder) {
  PgServer server;
  RotationFixture f(server);
  ASSERT_TRUE(f.store->StartFamily("f2", "t0", 5000));
  ASSERT_TRUE(f.store->StartFamily("f1", "t0", 5000));
  ASSERT_TRUE(f.store->Revoke("f3", 5000));
  auto out = RotateBatch(f.pool, {R("f2", "t0", 0, "a"), R("f1", "t0", 0, "b"),
                                  R("f2", "t0", 0, "c"),  // f2's old token again: reuse
                                  R("f1", "b", 1, "d"), R("f3", "t0", 0, "e"),
                                  R("f\"4\\", "x", 7, "y")});  // never seen here: adopted
  ASSERT_TRUE(out) << out.error().message;
  using O = RefreshOutcome;
  EXPECT_EQ(*out, (std::vector<O>{O::kRotated, O::kRotated, O::kReused, O::kRotated, O::kRevoked,
                                  O::kRotated}));
  EXPECT_TRUE(f.store->IsRevoked({"f2"}).value());
  EXPECT_FALSE(f.store->IsRevoked({"f1"}).value());
  EXPECT_TRUE(f.store->IsCurrentRefresh("f1", "d", 2).value());
  EXPECT_TRUE(f.store->IsCurrentRefresh("f\"4\\", "y", 8).value());
  EXPECT_FALSE(f.store->IsCurrentRefresh("f\"4\\", "x", 7).value());
}

// A batch waiting for one family's row holds no row it would lock later: families are locked
// in sorted order, not input order. Unsorted, the batch below would hold "b" while it waits for
// "a", and the rotation of "b" would wait for it (a deadlock once that one wanted "a" too).
TEST(RotationBatch, LocksFamiliesInSortedOrder) {
  PgServer server;
  RotationFixture f(server);
  for (const char* fam : {"a", "b"}) ASSERT_TRUE(f.store->StartFamily(fam, "t0", 5000));
  auto holder = f.pool.Acquire().value();  // holds "a" locked in an open transaction
  ASSERT_TRUE(holder.Command("BEGIN"));
  ASSERT_TRUE(holder.Command("SELECT 1 FROM refresh_families WHERE family = 'a' FOR UPDATE"));
  std::thread batch([&] {
    auto out = RotateBatch(f.pool, {R("b", "t0", 0, "b1"), R("a", "t0", 0, "a1")});
    ASSERT_TRUE(out) << out.error().message;
    // "b" was rotated to b2 while this batch waited: its b1 is a reuse, found once it ran.
    EXPECT_EQ(*out,
              (std::vector<RefreshOutcome>{RefreshOutcome::kReused, RefreshOutcome::kRotated}));
  });
  // Until the batch waits on "a"'s lock.
  for (;;) {
    std::string waiting = f.server.Sql(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE "
        "'%steer_rotate_refresh_batch%'",
        f.db);
    if (waiting == "1") break;
    std::this_thread::yield();
  }
  // "b" is free (statement_timeout is 2 s: a wait for it fails the test).
  auto b = RotateBatch(f.pool, {R("b", "t0", 0, "b2")});
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->front(), RefreshOutcome::kRotated);
  ASSERT_TRUE(holder.Command("COMMIT"));
  batch.join();
}

}  // namespace
}  // namespace steer::auth::pg
