// A leader's records (incidents, maintenance windows) exported, sent as JSON and replaced into a
// follower's book: the follower shows the same, and continues the open incident as a new leader.
#include <gtest/gtest.h>

#include "incident_book.h"
#include "records_json.h"
#include "steer/testsupport/process.h"
#include "test_times.h"

namespace steer::status {
namespace {

DecisionFacts Facts(const std::string& action, const std::string& from, const std::string& to,
                    bool a_down) {
  return {"login",
          action,
          action == "failover" ? "down" : "healthy",
          from,
          to,
          "a",
          {{"a", a_down, !a_down, a_down ? 3 : 0, 3}, {"b", false, true, 0, 3}}};
}

// One agent's status tables.
struct Agent {
  explicit Agent(const IncidentOptions& options) {
    db = std::move(StatusDb::Open(dir.path()).value());
    book = std::make_unique<IncidentBook>(*db, options);
  }
  std::string Json() {
    auto records = book->ExportRecords(0);
    EXPECT_TRUE(records.has_value());
    return records ? RecordsToJson(*records).json : "";
  }
  testsupport::TempDir dir{"steer-shared-records"};
  std::unique_ptr<StatusDb> db;
  std::unique_ptr<IncidentBook> book;
};

class SharedRecordsTest : public ::testing::Test {
 protected:
  SharedRecordsTest() {
    options_.resolve_after_ms = 10 * kMin;
    options_.public_regions = {"a", "b"};
    leader_ = std::make_unique<Agent>(options_);
    follower_ = std::make_unique<Agent>(options_);
  }
  // The leader's story: a failover (automatic incident), an operator incident on login, and a
  // window that has started.
  void LeaderStory() {
    ASSERT_TRUE(leader_->book->Observe(Facts("none", "a", "a", false), kT0));
    ASSERT_TRUE(leader_->book->Observe(Facts("failover", "a", "b", true), kT0 + 1000));
    ASSERT_TRUE(leader_->book->OpenIncident(
        {{"login"}, "Slow logins", "major", "investigating", "Looking <b>into</b> it."},
        kT0 + 2000));
    ASSERT_TRUE(leader_->book->ScheduleMaintenance(
        {{"login"}, "DB upgrade", "Upgrading.", kT0 + 5 * kMin, kT0 + 65 * kMin, "b"}, kT0));
    MaintenanceActions none{[](const Maintenance&) { return Result<void>(); },
                            [](const Maintenance&) { return Result<void>(); }};
    ASSERT_TRUE(leader_->book->AdvanceMaintenance(kT0 + 6 * kMin, none));
  }
  Result<void> Send() {
    auto records = RecordsFromJson(leader_->Json());
    if (!records) return tl::unexpected(records.error());
    return follower_->book->ReplaceRecords(*records);
  }

  IncidentOptions options_;
  std::unique_ptr<Agent> leader_;
  std::unique_ptr<Agent> follower_;
};

TEST_F(SharedRecordsTest, TheFollowerHoldsTheSameRecords) {
  LeaderStory();
  ASSERT_TRUE(Send());
  EXPECT_EQ(follower_->Json(), leader_->Json());
  auto open = follower_->book->Open();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ(open->at(0).services, std::vector<std::string>{"login"});
  EXPECT_EQ(open->at(0).updates.front().body, "Looking <b>into</b> it.");
  auto windows = follower_->book->Maintenances(0);
  ASSERT_TRUE(windows.has_value());
  ASSERT_EQ(windows->size(), 1u);
  EXPECT_EQ(windows->front().status, "in_progress");
  EXPECT_EQ(windows->front().started_ms, kT0 + 6 * kMin);
}

// A follower that becomes leader continues the open incident (same id) and resolves it; a new
// incident takes an id after every shared one.
TEST_F(SharedRecordsTest, ANewLeaderContinuesTheSharedIncident) {
  LeaderStory();
  ASSERT_TRUE(Send());
  auto& book = *follower_->book;
  ASSERT_TRUE(book.Observe(Facts("failback", "b", "a", false), kT0 + 20 * kMin));
  ASSERT_TRUE(book.Observe(Facts("none", "a", "a", false), kT0 + 31 * kMin));
  auto all = book.Since(0);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 2u);
  const Incident& automatic = all->at(1);
  EXPECT_EQ(automatic.name, "login: failover away from a");
  EXPECT_EQ(automatic.status, "resolved");
  EXPECT_EQ(automatic.updates.size(), 3u);  // identified, monitoring, resolved
  auto id = book.OpenIncident({{"login"}, "", "minor", "investigating", "Again."}, kT0 + 40 * kMin);
  ASSERT_TRUE(id.has_value());
  EXPECT_GT(*id, all->at(0).id);
}

// Bad input changes nothing; the replace is all or nothing.
TEST_F(SharedRecordsTest, ABadDocumentChangesNothing) {
  LeaderStory();
  ASSERT_TRUE(Send());
  const std::string before = follower_->Json();
  EXPECT_FALSE(RecordsFromJson("{\"incidents\": [{\"id\": \"x\"}], \"maintenances\": []}"));
  EXPECT_FALSE(RecordsFromJson("not json"));
  StatusRecords twice = RecordsFromJson(leader_->Json()).value();
  twice.incidents.push_back(twice.incidents.front());  // a duplicate id: the insert fails
  EXPECT_FALSE(follower_->book->ReplaceRecords(twice));
  EXPECT_EQ(follower_->Json(), before);
}

// Over the size limit, the oldest resolved incidents are left out; open ones and windows stay.
TEST_F(SharedRecordsTest, OldResolvedIncidentsAreLeftOutToFit) {
  LeaderStory();
  auto& book = *leader_->book;
  for (int i = 0; i < 20; ++i) {
    auto id = book.OpenIncident({{"login"}, "", "minor", "investigating", std::string(4000, 'x')},
                                kT0 + 100 * kMin + i);
    ASSERT_TRUE(id.has_value());
    ASSERT_TRUE(book.ResolveIncident(*id, "Fixed.", kT0 + 101 * kMin + i));
  }
  auto records = book.ExportRecords(0);
  ASSERT_TRUE(records.has_value());
  RecordsJson small = RecordsToJson(*records, 30'000);
  EXPECT_LE(small.json.size(), 30'000u);
  EXPECT_GT(small.dropped, 0u);
  auto back = RecordsFromJson(small.json);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->incidents.size(), records->incidents.size() - small.dropped);
  EXPECT_EQ(back->maintenances.size(), 1u);
  EXPECT_EQ(back->incidents.back().name, "login: failover away from a");  // open: kept
  EXPECT_EQ(back->incidents.front().id, records->incidents.front().id);   // newest kept
}

// A leader publishes when its version moves: every change it makes moves it, a replace does not.
TEST_F(SharedRecordsTest, TheVersionMovesWithTheBooksOwnChanges) {
  const uint64_t v0 = leader_->book->version();
  LeaderStory();
  EXPECT_GT(leader_->book->version(), v0);
  const uint64_t f0 = follower_->book->version();
  ASSERT_TRUE(Send());
  EXPECT_EQ(follower_->book->version(), f0);
}

}  // namespace
}  // namespace steer::status

namespace steer::status {
namespace {

TEST(UptimeMinuteJsonTest, RoundTripAndBadDocuments) {
  std::map<std::string, UptimeBucket> rows{{"login", {0, 0, 5, 1, 1}},
                                           {"login/a/auth", {0, 0, 0, 6, 1}}};
  auto back = MinuteFromJson(MinuteToJson(rows), kT0);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ(back->at("login").start_ms, kT0);
  EXPECT_EQ(back->at("login").span_ms, kMinuteMs);
  EXPECT_EQ(back->at("login").good, 5);
  EXPECT_EQ(back->at("login/a/auth").bad, 6);
  for (const char* bad : {"", "[]", R"({"series": []})", R"({"series": {"a": [1, 2]}})",
                          R"({"series": {"a": ["1", 0, 0]}})", R"({"rows": {}})"}) {
    EXPECT_FALSE(MinuteFromJson(bad, kT0).has_value()) << bad;
  }
}

}  // namespace
}  // namespace steer::status
