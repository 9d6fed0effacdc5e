// RevocationMirror with a feed written by the test: when the copy is trusted (its lease), how
// reads are merged, and that a failed read makes the next one read everything. The feeds of the
// two stores are tested against their databases (sqlite_mirror_test.cc, pg_revocations_test.cc).
#include "revocation_mirror.h"

#include <gtest/gtest.h>

#include <deque>

namespace steer::auth {
namespace {

using Clock = RevocationMirror::Clock;
using std::chrono::milliseconds;

// Answers each Read with the next scripted result and records what it was asked.
class ScriptedFeed final : public RevocationFeed {
 public:
  Result<RevocationRows> Read(bool everything) override {
    asked.push_back(everything);
    if (answers.empty()) return RevocationRows{};
    auto next = std::move(answers.front());
    answers.pop_front();
    return next;
  }
  std::deque<Result<RevocationRows>> answers;
  std::vector<bool> asked;
};

Result<RevocationRows> Rows(bool complete, std::unordered_map<std::string, int64_t> rows) {
  return RevocationRows{complete, std::move(rows)};
}

TEST(RevocationMirror, IsTrustedOnlyWithinTheLeaseOfItsLastSuccessfulPoll) {
  ScriptedFeed feed;
  RevocationMirror mirror(feed);
  auto t0 = Clock::now();
  EXPECT_EQ(mirror.Check({"old"}, t0), std::nullopt);  // never polled
  feed.answers.push_back(Rows(true, {{"old", 100}}));
  ASSERT_TRUE(mirror.Poll(t0));
  EXPECT_EQ(mirror.Check({"", "old"}, t0 + milliseconds(1)), true);
  EXPECT_EQ(mirror.Check({"other", ""}, t0 + RevocationMirror::kLease - milliseconds(1)), false);
  EXPECT_EQ(mirror.Check({"old"}, t0 + RevocationMirror::kLease), std::nullopt);
  // A failed poll does not extend the lease; the previous one still holds until it ends.
  feed.answers.push_back(MakeError(ErrorCode::kUnavailable, "down"));
  EXPECT_FALSE(mirror.Poll(t0 + milliseconds(5)));
  EXPECT_EQ(mirror.Check({"old"}, t0 + milliseconds(6)), true);
  EXPECT_EQ(mirror.Check({"old"}, t0 + RevocationMirror::kLease), std::nullopt);
}

TEST(RevocationMirror, MergesChangesAndReplacesOnACompleteRead) {
  ScriptedFeed feed;
  RevocationMirror mirror(feed);
  feed.answers.push_back(Rows(true, {{"a", 100}, {"b", 100}}));
  feed.answers.push_back(Rows(false, {{"c", 100}}));
  feed.answers.push_back(MakeError(ErrorCode::kUnavailable, "down"));
  feed.answers.push_back(Rows(true, {{"c", 100}}));  // a and b were purged meanwhile
  for (int i = 0; i < 4; ++i) (void)mirror.Poll(Clock::now());
  // The first read and the one after the error ask for everything; the others for changes.
  EXPECT_EQ(feed.asked, (std::vector<bool>{true, false, false, true}));
  EXPECT_EQ(mirror.size(), 1u);
  EXPECT_EQ(mirror.Check({"a", "b"}, Clock::now()), false);
  EXPECT_EQ(mirror.Check({"c"}, Clock::now()), true);
}

TEST(RevocationMirror, PruneForgetsExpiredRows) {
  ScriptedFeed feed;
  RevocationMirror mirror(feed);
  feed.answers.push_back(Rows(true, {{"soon", 10}, {"later", 1000}}));
  ASSERT_TRUE(mirror.Poll(Clock::now()));
  mirror.Prune(500);
  EXPECT_EQ(mirror.Check({"soon"}, Clock::now()), false);
  EXPECT_EQ(mirror.Check({"later"}, Clock::now()), true);
}

TEST(RevocationMirror, ALearnedRowSurvivesACompleteReadThatStartedBeforeIt) {
  ScriptedFeed feed;
  RevocationMirror mirror(feed);
  auto before = Clock::now() - milliseconds(1);
  mirror.Learn("mine", 100);  // committed after `before`: that read may not have it
  feed.answers.push_back(Rows(true, {{"other", 100}}));
  ASSERT_TRUE(mirror.Poll(before));
  EXPECT_EQ(mirror.Check({"mine"}, Clock::now()), true);
  // A read that started after the Learn saw the commit; the row is then the table's to keep.
  feed.answers.push_back(Rows(true, {{"other", 100}}));
  ASSERT_TRUE(mirror.Poll(Clock::now()));
  EXPECT_EQ(mirror.Check({"mine"}, Clock::now()), false);  // (purged from the table meanwhile)
  EXPECT_EQ(mirror.Check({"other"}, Clock::now()), true);
}

TEST(RevocationMirror, IsNotTrustedPastWhatTheFeedAllows) {
  ScriptedFeed feed;
  RevocationMirror mirror(feed);
  auto t0 = Clock::now();
  auto read = Rows(true, {{"old", 100}});
  read->trust_until = t0 + milliseconds(10);
  feed.answers.push_back(std::move(read));
  ASSERT_TRUE(mirror.Poll(t0));
  EXPECT_EQ(mirror.Check({"old"}, t0 + milliseconds(9)), true);
  EXPECT_EQ(mirror.Check({"old"}, t0 + milliseconds(10)), std::nullopt);  // within the lease
}

TEST(RevocationMirror, ItsThreadKeepsItFresh) {
  ScriptedFeed feed;
  RevocationMirror mirror(feed);
  mirror.Start();
  // Polls every kPoll; within a few leases it must have answered (an empty table).
  auto deadline = Clock::now() + 20 * RevocationMirror::kLease;
  while (!mirror.Check({"x"}, Clock::now()) && Clock::now() < deadline) {
    std::this_thread::sleep_for(RevocationMirror::kPoll);
  }
  EXPECT_EQ(mirror.Check({"x"}, Clock::now()), false);
  mirror.Stop();
  mirror.Stop();  // idempotent
}

}  // namespace
}  // namespace steer::auth
