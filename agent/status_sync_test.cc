// StatusSync on an in-memory StatusShare: a leader publishes its records when they change and
// each finished uptime minute once, a follower imports them when they are new, failures are
// retried.
#include "status_sync.h"

#include <gtest/gtest.h>

#include <map>

#include "status/records_json.h"
#include "steer/base/clock.h"
#include "steer/testsupport/process.h"

namespace steer::agent {
namespace {

constexpr int64_t kT0 = 1'769'817'600'000;

class FakeShare : public StatusShare {
 public:
  Result<void> PutStatusRecords(const std::string& records, int64_t token) override {
    ++puts;
    if (fail) return MakeError(ErrorCode::kUnavailable, "etcd unreachable");
    if (token != leader) return MakeError(ErrorCode::kFailedPrecondition, "not the leader");
    doc = SharedDocument{records, ++revision};
    return {};
  }
  Result<std::optional<SharedDocument>> StatusRecords() override {
    ++reads;
    if (fail) return MakeError(ErrorCode::kUnavailable, "etcd unreachable");
    return doc;
  }
  Result<void> PutUptimeMinute(int64_t minute_ms, const std::string& minute, int64_t keep_from_ms,
                               int64_t token) override {
    ++puts;
    if (fail) return MakeError(ErrorCode::kUnavailable, "etcd unreachable");
    if (token != leader) return MakeError(ErrorCode::kFailedPrecondition, "not the leader");
    minutes[minute_ms] = minute;
    minutes.erase(minutes.begin(), minutes.lower_bound(keep_from_ms));
    return {};
  }
  Result<std::vector<std::pair<int64_t, std::string>>> UptimeMinutesAfter(
      int64_t after_ms) override {
    if (fail) return MakeError(ErrorCode::kUnavailable, "etcd unreachable");
    return std::vector<std::pair<int64_t, std::string>>(minutes.upper_bound(after_ms),
                                                        minutes.end());
  }
  std::optional<SharedDocument> doc;
  std::map<int64_t, std::string> minutes;
  int64_t revision = 0;
  int64_t leader = 7;
  bool fail = false;
  int puts = 0;
  int reads = 0;
};

// One agent's status tables, on a fake clock at kT0.
struct Book {
  Book() {
    clock.SetUnixSeconds(kT0 / 1000);
    db = std::move(status::StatusDb::Open(dir.path()).value());
    book = std::make_unique<status::IncidentBook>(*db, status::IncidentOptions{});
    uptime = std::make_unique<status::UptimeStore>(*db, clock, status::UptimeOptions{});
  }
  size_t Count() { return book->Since(0).value().size(); }
  // Every minute row of `series`: start -> (good, bad).
  std::map<int64_t, std::pair<int64_t, int64_t>> Rows(const std::string& series) {
    std::map<int64_t, std::pair<int64_t, int64_t>> out;
    auto rows = uptime->Buckets(series, 0, INT64_MAX);
    EXPECT_TRUE(rows.has_value());
    for (const auto& r : rows.value_or(std::vector<status::UptimeBucket>{})) {
      out[r.start_ms] = {r.good, r.bad};
    }
    return out;
  }
  // `good` and `bad` samples of `series` in the current minute, then the clock one minute on
  // and one more sample of "tick" (which writes the minute).
  void Minute(const std::string& series, int good, int bad) {
    for (int i = 0; i < good; ++i) ASSERT_TRUE(uptime->Record(series, true));
    for (int i = 0; i < bad; ++i) ASSERT_TRUE(uptime->Record(series, false));
    clock.Advance(std::chrono::minutes(1));
    ASSERT_TRUE(uptime->Record("tick", true));
  }
  base::FakeClock clock;
  testsupport::TempDir dir{"steer-status-sync"};
  std::unique_ptr<status::StatusDb> db;
  std::unique_ptr<status::IncidentBook> book;
  std::unique_ptr<status::UptimeStore> uptime;
};

status::OperatorIncident Incident(const std::string& message) {
  return {{"login"}, "", "minor", "investigating", message};
}

TEST(StatusSyncTest, TheLeaderPublishesOnlyWhenItsRecordsChange) {
  FakeShare share;
  Book leader;
  StatusSync sync(share, *leader.book, *leader.uptime);
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
  StatusSync sync(share, *leader.book, *leader.uptime);
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
  StatusSync publisher(share, *leader.book, *leader.uptime);
  StatusSync importer(share, *follower.book, *follower.uptime);
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
  StatusSync importer(share, *follower.book, *follower.uptime);
  importer.Import();
  EXPECT_EQ(follower.Count(), 1u);
}

// Each finished minute is written once, and only the last kSharedMinutes stay shared.
TEST(StatusSyncTest, TheLeaderSharesEachFinishedMinuteOnce) {
  FakeShare share;
  Book leader;
  StatusSync sync(share, *leader.book, *leader.uptime);
  sync.Publish(7, 0);
  EXPECT_TRUE(share.minutes.empty());  // nothing written yet
  leader.Minute("login", 3, 1);
  sync.Publish(7, 0);
  sync.Publish(7, 0);
  ASSERT_EQ(share.minutes.size(), 1u);
  auto rows = status::MinuteFromJson(share.minutes.at(kT0), kT0);
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(rows->at("login").good, 3);
  EXPECT_EQ(rows->at("login").bad, 1);
  EXPECT_EQ(rows->at("login").bad_minutes, 1);
  for (int i = 0; i < kSharedMinutes + 5; ++i) {
    leader.Minute("login", 1, 0);
    sync.Publish(7, 0);
  }
  EXPECT_EQ(share.minutes.size(), static_cast<size_t>(kSharedMinutes));
  EXPECT_EQ(share.minutes.rbegin()->first, kT0 + (kSharedMinutes + 5) * status::kMinuteMs);
}

// A follower's history becomes the leader's, minute for minute, replacing what it had counted
// itself for those minutes (an ex-leader); a restarted follower takes every shared minute.
TEST(StatusSyncTest, AFollowersHistoryIsTheLeaders) {
  FakeShare share;
  Book leader, follower;
  StatusSync publisher(share, *leader.book, *leader.uptime);
  follower.Minute("login", 0, 9);  // its own count of minute kT0, to be replaced
  leader.Minute("login", 5, 1);
  publisher.Publish(7, 0);
  leader.Minute("login", 4, 0);
  publisher.Publish(7, 0);
  {
    StatusSync importer(share, *follower.book, *follower.uptime);
    importer.Import();
  }
  EXPECT_EQ(follower.Rows("login"), leader.Rows("login"));
  EXPECT_EQ(follower.Rows("login").at(kT0), (std::pair<int64_t, int64_t>{5, 1}));
  EXPECT_EQ(follower.Rows("tick"), leader.Rows("tick"));
  leader.Minute("login", 2, 2);
  publisher.Publish(7, 0);
  StatusSync restarted(share, *follower.book, *follower.uptime);
  restarted.Import();
  EXPECT_EQ(follower.Rows("login"), leader.Rows("login"));
  EXPECT_EQ(follower.Rows("login").size(), 3u);
}

// A minute that does not parse is skipped and the next ones are still taken.
TEST(StatusSyncTest, ABadMinuteIsSkipped) {
  FakeShare share;
  Book follower;
  share.minutes[kT0] = "{\"series\": []}";
  share.minutes[kT0 + status::kMinuteMs] = "{\"series\": {\"login\": [1, 0, 0]}}";
  StatusSync importer(share, *follower.book, *follower.uptime);
  importer.Import();
  EXPECT_EQ(follower.Rows("login"),
            (std::map<int64_t, std::pair<int64_t, int64_t>>{{kT0 + status::kMinuteMs, {1, 0}}}));
}

}  // namespace
}  // namespace steer::agent
