// StatusSync on an in-memory StatusShare: a leader publishes its records when they change, a
// follower imports them when the shared version moves, failures are retried.
#include "status_sync.h"

#include <gtest/gtest.h>

#include "status/records_json.h"
#include "steer/testsupport/process.h"

namespace steer::agent {
namespace {

constexpr int64_t kT0 = 1'769'817'600'000;

class FakeShare : public StatusShare {
 public:
  Result<void> PutStatusRecords(const std::string& json, int64_t token) override {
    ++puts;
    if (fail) return MakeError(ErrorCode::kUnavailable, "etcd unreachable");
    if (token != leader) return MakeError(ErrorCode::kFailedPrecondition, "not the leader");
    doc = SharedDocument{json, ++revision};
    return {};
  }
  Result<std::optional<SharedDocument>> StatusRecords() override {
    ++reads;
    if (fail) return MakeError(ErrorCode::kUnavailable, "etcd unreachable");
    return doc;
  }
  std::optional<SharedDocument> doc;
  int64_t revision = 0;
  int64_t leader = 7;
  bool fail = false;
  int puts = 0;
  int reads = 0;
};

struct Book {
  Book() {
    db = std::move(status::StatusDb::Open(dir.path()).value());
    book = std::make_unique<status::IncidentBook>(*db, status::IncidentOptions{});
  }
  size_t Count() { return book->Since(0).value().size(); }
  testsupport::TempDir dir{"steer-status-sync"};
  std::unique_ptr<status::StatusDb> db;
  std::unique_ptr<status::IncidentBook> book;
};

status::OperatorIncident Incident(const std::string& message) {
  return {{"login"}, "", "minor", "investigating", message};
}

TEST(StatusSyncTest, TheLeaderPublishesOnlyWhenItsRecordsChange) {
  FakeShare share;
  Book leader;
  StatusSync sync(share, *leader.book);
  sync.Publish(7, 0);
  EXPECT_EQ(share.puts, 1);  // the first tick of a term always writes
  sync.Publish(7, 0);
  EXPECT_EQ(share.puts, 1);
  ASSERT_TRUE(leader.book->OpenIncident(Incident("Slow."), kT0));
  sync.Publish(7, 0);
  EXPECT_EQ(share.puts, 2);
  ASSERT_TRUE(share.doc.has_value());
  EXPECT_EQ(status::RecordsFromJson(share.doc->value)->incidents.size(), 1u);
}

TEST(StatusSyncTest, AFailedWriteIsRetriedOnTheNextTick) {
  FakeShare share;
  Book leader;
  StatusSync sync(share, *leader.book);
  ASSERT_TRUE(leader.book->OpenIncident(Incident("Slow."), kT0));
  share.fail = true;
  sync.Publish(7, 0);
  EXPECT_FALSE(share.doc.has_value());
  share.fail = false;
  sync.Publish(7, 0);
  ASSERT_TRUE(share.doc.has_value());
  // A deposed leader's write is refused and retried under its next term.
  ASSERT_TRUE(leader.book->OpenIncident(Incident("Slower."), kT0 + 1));
  sync.Publish(6, 0);
  EXPECT_EQ(status::RecordsFromJson(share.doc->value)->incidents.size(), 1u);
  sync.Publish(7, 0);
  EXPECT_EQ(status::RecordsFromJson(share.doc->value)->incidents.size(), 2u);
}

TEST(StatusSyncTest, AFollowerImportsWhenTheSharedVersionMoves) {
  FakeShare share;
  Book leader, follower;
  StatusSync publisher(share, *leader.book);
  StatusSync importer(share, *follower.book);
  importer.Import();  // nothing shared yet
  EXPECT_EQ(follower.Count(), 0u);
  ASSERT_TRUE(leader.book->OpenIncident(Incident("Slow."), kT0));
  publisher.Publish(7, 0);
  importer.Import();
  EXPECT_EQ(follower.Count(), 1u);
  // Unchanged: not replaced again (a local row added by hand stays until the next version).
  ASSERT_TRUE(follower.book->OpenIncident(Incident("Local."), kT0 + 1));
  importer.Import();
  EXPECT_EQ(follower.Count(), 2u);
  ASSERT_TRUE(leader.book->ResolveIncident(1, "Fixed.", kT0 + 2));
  publisher.Publish(7, 0);
  importer.Import();
  ASSERT_EQ(follower.Count(), 1u);
  EXPECT_EQ(follower.book->Since(0)->front().status, "resolved");
}

// A document that does not parse changes nothing and is not read again until it changes.
TEST(StatusSyncTest, ABadSharedDocumentChangesNothing) {
  FakeShare share;
  Book follower;
  ASSERT_TRUE(follower.book->OpenIncident(Incident("Mine."), kT0));
  share.doc = SharedDocument{"{\"incidents\": 3}", 1};
  StatusSync importer(share, *follower.book);
  importer.Import();
  EXPECT_EQ(follower.Count(), 1u);
}

}  // namespace
}  // namespace steer::agent
