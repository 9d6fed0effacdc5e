// RevocationMirror against a real PostgreSQL 15: what a poll sees (rows committed after the
// previous snapshot, including those whose transaction was still running then), when the copy
// is trusted (its lease), a restarted server (everything reloaded), and the store-level rule
// that a revocation acknowledged by one region is seen by another region's mirror at once.
#include "pg_revocations.h"

#include <gtest/gtest.h>

#include "pg_pool.h"
#include "pg_schema.h"
#include "steer/auth/postgres_store.h"
#include "steer/testsupport/pg_server.h"

namespace steer::auth::pg {
namespace {

using testsupport::PgServer;
using Clock = RevocationMirror::Clock;
using std::chrono::milliseconds;

// A database with the schema applied, a store writing to it and a pool for a mirror.
struct Fixture {
  explicit Fixture(PgServer& s)
      : server(s),
        db(s.CreateDatabase()),
        writer(PostgresStore::Open(s.StoreConfig(db)).value()),
        pool(s.StoreConfig(db), [](PGconn*) -> Result<void> { return {}; }) {
    EXPECT_TRUE(writer->MigrateNow());
  }
  PgServer& server;
  std::string db;
  std::unique_ptr<PostgresStore> writer;
  Pool pool;
};

TEST(RevocationMirror, IsTrustedOnlyWithinTheLeaseOfItsLastPoll) {
  PgServer server;
  Fixture f(server);
  ASSERT_TRUE(f.writer->Revoke("old", 1000));
  SnapshotFeed feed(f.pool);
  RevocationMirror mirror(feed);
  Clock::time_point t0 = Clock::now();
  EXPECT_EQ(mirror.Check({"old"}, t0), std::nullopt);  // never polled
  ASSERT_TRUE(mirror.Poll(t0));
  EXPECT_EQ(mirror.Check({"", "old"}, t0 + milliseconds(1)), true);
  EXPECT_EQ(mirror.Check({"other", ""}, t0 + RevocationMirror::kLease - milliseconds(1)), false);
  EXPECT_EQ(mirror.Check({"old"}, t0 + RevocationMirror::kLease), std::nullopt);
  // A failed poll leaves the copy stale however recent the last good one was.
  server.Stop();
  EXPECT_FALSE(mirror.Poll(t0 + milliseconds(5)));
  EXPECT_EQ(mirror.Check({"old"}, t0 + milliseconds(6)), true);  // t0's poll still holds...
  EXPECT_EQ(mirror.Check({"old"}, t0 + RevocationMirror::kLease), std::nullopt);  // ...no longer
  server.Start();
  ASSERT_TRUE(mirror.Poll(t0 + milliseconds(100)));
  EXPECT_EQ(mirror.Check({"old"}, t0 + milliseconds(101)), true);
}

TEST(RevocationMirror, APollSeesRowsOfTransactionsRunningAtTheLastOne) {
  PgServer server;
  Fixture f(server);
  SnapshotFeed feed(f.pool);
  RevocationMirror mirror(feed);
  ASSERT_TRUE(mirror.Poll(Clock::now()));
  // A revocation whose transaction began before the next poll and commits after it: the
  // poll's snapshot does not see it, and a poll that only read newer transaction ids would
  // miss it for good.
  PGconn* slow = f.pool.Connect().value();
  auto exec = [&](const char* sql) {
    PGresult* r = PQexec(slow, sql);
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
    PQclear(r);
  };
  exec("BEGIN");
  exec("INSERT INTO revoked(id, expires_at) VALUES('slow', 1000)");
  ASSERT_TRUE(f.writer->Revoke("quick", 1000));  // a later transaction, committed first
  ASSERT_TRUE(mirror.Poll(Clock::now()));
  EXPECT_EQ(mirror.Check({"quick"}, Clock::now()), true);
  EXPECT_EQ(mirror.Check({"slow"}, Clock::now()), false);
  exec("COMMIT");
  PQfinish(slow);
  ASSERT_TRUE(mirror.Poll(Clock::now()));
  EXPECT_EQ(mirror.Check({"slow"}, Clock::now()), true);
  EXPECT_EQ(mirror.size(), 2u);
  // A longer expiry is an update of the row: read again, so Prune keeps it.
  ASSERT_TRUE(f.writer->Revoke("quick", 5000));
  ASSERT_TRUE(mirror.Poll(Clock::now()));
  mirror.Prune(2000);
  EXPECT_EQ(mirror.Check({"slow"}, Clock::now()), false);
  EXPECT_EQ(mirror.Check({"quick"}, Clock::now()), true);
}

TEST(RevocationMirror, ARestartedServerIsReadAgainFromScratch) {
  PgServer server;
  Fixture f(server);
  ASSERT_TRUE(f.writer->Revoke("kept", 1000));
  ASSERT_TRUE(f.writer->Revoke("deleted", 1000));
  SnapshotFeed feed(f.pool);
  RevocationMirror mirror(feed);
  ASSERT_TRUE(mirror.Poll(Clock::now()));
  ASSERT_EQ(mirror.size(), 2u);
  // A delete is not a change a poll reads; only a full read drops the row. After a restart
  // (as after a failover) the transaction ids of the old snapshot mean nothing, so the first
  // poll on the new server reads everything.
  server.Sql("DELETE FROM revoked WHERE id = 'deleted'", f.db);
  ASSERT_TRUE(mirror.Poll(Clock::now()));
  EXPECT_EQ(mirror.size(), 2u);
  server.Kill();
  server.Start();
  ASSERT_TRUE(mirror.Poll(Clock::now()));
  EXPECT_EQ(mirror.size(), 1u);
  EXPECT_EQ(mirror.Check({"deleted"}, Clock::now()), false);
  EXPECT_EQ(mirror.Check({"kept"}, Clock::now()), true);
}

// The rule the mirror exists under: once Revoke returned in one region, another region's
// mirrored store refuses the id at once, without asking the database.
TEST(RevocationMirror, ARevocationAcknowledgedInOneRegionIsEnforcedByAnotherAtOnce) {
  PgServer server;
  Fixture f(server);
  auto b = PostgresStore::Open(server.StoreConfig(f.db), RevocationReads::kMirror).value();
  ASSERT_TRUE(b->Ping());
  for (int i = 0; i < 20; ++i) {
    std::string id = "jti-" + std::to_string(i);
    EXPECT_FALSE(b->IsRevoked({id}).value());
    auto started = Clock::now();
    ASSERT_TRUE(f.writer->Revoke(id, 1000));
    EXPECT_GE(Clock::now() - started, RevocationMirror::kLease);  // acknowledged after the lease
    EXPECT_TRUE(b->IsRevoked({id}).value()) << id;
  }
  // The same for a user's generations ended by an admin command elsewhere.
  ASSERT_TRUE(f.writer->AddUser({"alice", "sub-a", "h", "", ""}));
  ASSERT_TRUE(f.writer->EndUser("alice", /*remove=*/false, 1, 1000).value());
  EXPECT_TRUE(b->IsRevoked({UserRevocationId("sub-a", 0)}).value());
}

}  // namespace
}  // namespace steer::auth::pg
