#include "incident_book.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "test_times.h"

namespace steer::status {
namespace {

RegionFacts Healthy(const std::string& name) { return {name, false, true, 0, 3}; }
RegionFacts Down(const std::string& name) { return {name, true, false, 3, 3}; }

DecisionFacts Facts(const std::string& action, const std::string& cause, const std::string& from,
                    const std::string& to, std::vector<RegionFacts> regions) {
  return {"login", action, cause, from, to, "us-east", std::move(regions)};
}
DecisionFacts AllWell() {
  return Facts("none", "healthy", "us-east", "us-east", {Healthy("us-east"), Healthy("eu-west")});
}
DecisionFacts Failover() {
  return Facts("failover", "down", "us-east", "eu-west", {Down("us-east"), Healthy("eu-west")});
}
DecisionFacts OnBackup() {
  return Facts("none", "healthy", "eu-west", "eu-west", {Down("us-east"), Healthy("eu-west")});
}
DecisionFacts Failback() {
  return Facts("failback", "failback", "eu-west", "us-east",
               {Healthy("us-east"), Healthy("eu-west")});
}

class IncidentBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-incidents-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto db = StatusDb::Open(dir_);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_ = std::move(*db);
    options_.public_regions = {"us-east", "eu-west"};
    book_ = std::make_unique<IncidentBook>(*db_, options_);
  }
  void TearDown() override {
    book_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void See(const DecisionFacts& f, int64_t at) { ASSERT_TRUE(book_->Observe(f, at)); }
  std::vector<Incident> All() {
    auto all = book_->Since(0);
    EXPECT_TRUE(all.has_value());
    return all ? *all : std::vector<Incident>{};
  }

  std::string dir_;
  IncidentOptions options_;
  std::unique_ptr<StatusDb> db_;
  std::unique_ptr<IncidentBook> book_;
};

TEST_F(IncidentBookTest, HealthyServiceOpensNothing) {
  for (int i = 0; i < 10; ++i) See(AllWell(), kT0 + i * kMin);
  EXPECT_TRUE(All().empty());
}

TEST_F(IncidentBookTest, FailoverOpensMonitorsAndResolvesItself) {
  See(AllWell(), kT0);
  See(Failover(), kT0 + 1000);
  auto open = book_->Open();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  const Incident& i = open->front();
  EXPECT_EQ(i.name, "login: failover away from us-east");
  EXPECT_EQ(i.status, "identified");
  EXPECT_EQ(i.impact, "minor");
  ASSERT_EQ(i.updates.size(), 1u);
  EXPECT_EQ(i.updates[0].body,
            "us-east was judged down by 3/3 vantage points; login now answers from eu-west.");
  // Served from the backup: still open, no new update for the same story.
  See(OnBackup(), kT0 + 2000);
  EXPECT_EQ(All().front().updates.size(), 1u);
  // us-east down for more than 5 minutes: the timeline says so.
  See(OnBackup(), kT0 + 1000 + 5 * kMin);
  EXPECT_EQ(All().front().updates.front().body,
            "us-east has been down for more than 5 min; login answers from eu-west.");
  // Back on the preferred region and healthy: monitoring, then resolved after 5 minutes.
  See(Failback(), kT0 + 10 * kMin);
  EXPECT_EQ(All().front().status, "monitoring");
  See(AllWell(), kT0 + 14 * kMin);
  EXPECT_FALSE(All().front().resolved_ms.has_value());
  See(AllWell(), kT0 + 15 * kMin);
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, "resolved");
  EXPECT_EQ(all[0].resolved_ms, kT0 + 15 * kMin);
  EXPECT_EQ(all[0].updates.size(), 4u);
  EXPECT_EQ(all[0].updates.front().body,
            "Resolved: login has answered from us-east, healthy, for 5 min.");
  EXPECT_TRUE(book_->Open()->empty());
  // The next outage is a new incident.
  See(Failover(), kT0 + 60 * kMin);
  EXPECT_EQ(All().size(), 2u);
}

// The failover's update names the components the vantage points saw fail (never an address's
// own probe component).
TEST_F(IncidentBookTest, TheFailoverSaysWhichComponentsFailed) {
  DecisionFacts f = Failover();
  f.regions[0].failing = {"auth", "@192.0.2.1", "db", "api"};
  See(f, kT0);
  EXPECT_EQ(All().front().updates.front().body,
            "us-east was judged down by 3/3 vantage points (auth, db and api failed); login now "
            "answers from eu-west.");
  See(AllWell(), kT0 + 10 * kMin);  // resolved: the next one is new
  See(AllWell(), kT0 + 16 * kMin);
  f.regions[0].failing = {"auth"};
  See(f, kT0 + 20 * kMin);
  EXPECT_EQ(All().front().updates.front().body,
            "us-east was judged down by 3/3 vantage points (auth failed); login now answers from "
            "eu-west.");
}

// The DNS change verified on every nameserver: the timeline says so and how long after the
// decision, once per region; a service without an open incident gets nothing.
TEST_F(IncidentBookTest, AVerifiedChangeIsOnTheTimeline) {
  ASSERT_TRUE(book_->NoteVerified("login", "eu-west", 4, kT0));
  EXPECT_TRUE(All().empty());
  See(Failover(), kT0 + 1000);
  ASSERT_TRUE(book_->NoteVerified("login", "eu-west", 4, kT0 + 1310));
  ASSERT_TRUE(book_->NoteVerified("login", "eu-west", 4, kT0 + 2000));  // a recheck: said
  auto i = All().front();
  ASSERT_EQ(i.updates.size(), 2u);
  EXPECT_EQ(i.status, "identified");
  EXPECT_EQ(i.updates.front().body,
            "login answers from eu-west on every nameserver (4/4), verified 0.31 s after the "
            "decision.");
  See(Failback(), kT0 + 10 * kMin);
  ASSERT_TRUE(book_->NoteVerified("login", "us-east", 4, kT0 + 10 * kMin + 450));
  i = All().front();
  EXPECT_EQ(i.status, "monitoring");
  EXPECT_EQ(i.updates.front().body,
            "login answers from us-east on every nameserver (4/4), verified 0.45 s after the "
            "decision.");
  // A region the page does not name is not named here either.
  ASSERT_TRUE(book_->NoteVerified("login", "ap-south", 2, kT0 + 11 * kMin));
  EXPECT_EQ(All().front().updates.front().body.rfind("login answers from its new region on", 0),
            0u);
}

// status.resolve_after sets the monitoring time; the resolving update names it as it is (90 s
// used to be written "1 min").
TEST_F(IncidentBookTest, ResolveAfterIsTheOptionsAndTheUpdateSaysIt) {
  options_.resolve_after_ms = 90'000;
  book_ = std::make_unique<IncidentBook>(*db_, options_);
  See(Failover(), kT0);
  See(Failback(), kT0 + kMin);
  See(AllWell(), kT0 + kMin + 89'000);
  EXPECT_EQ(All().front().status, "monitoring");
  See(AllWell(), kT0 + kMin + 90'000);
  EXPECT_EQ(All().front().status, "resolved");
  EXPECT_EQ(All().front().updates.front().body,
            "Resolved: login has answered from us-east, healthy, for 90 s.");
}

TEST_F(IncidentBookTest, FlappingUpdatesOneIncident) {
  int64_t t = kT0;
  for (int flap = 0; flap < 20; ++flap) {
    See(Failover(), t += kMin);
    See(Failback(), t += kMin);
  }
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].resolved_ms.has_value());
  EXPECT_EQ(all[0].updates.size(), 40u);  // failover, monitoring, failover, ...
  See(AllWell(), t + 5 * kMin);
  EXPECT_EQ(All()[0].status, "resolved");
  EXPECT_EQ(All().size(), 1u);
}

TEST_F(IncidentBookTest, EveryRegionDownIsMajorAndFailOpenIsNamed) {
  See(Facts("hold", "all_down_keep", "us-east", "us-east", {Down("us-east"), Down("eu-west")}),
      kT0);
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].impact, "major");
  EXPECT_EQ(all[0].name, "login: every region down");
  See(Facts("serve_all", "all_down_serve_all", "us-east", "*", {Down("us-east"), Down("eu-west")}),
      kT0 + kMin);
  all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].updates.front().body,
            "Every region is down or unknown; login now answers from every region at once (fail "
            "open).");
}

TEST_F(IncidentBookTest, RegionsNotPublicAreNotNamed) {
  options_.public_regions.clear();
  IncidentBook book(*db_, options_);
  ASSERT_TRUE(book.Observe(Failover(), kT0));
  auto open = book.Open();
  ASSERT_TRUE(open.has_value());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().updates[0].body,
            "the primary region was judged down by 3/3 vantage points; login now answers from a "
            "standby region.");
  EXPECT_EQ(open->front().name.find("us-east"), std::string::npos);
}

TEST_F(IncidentBookTest, ARegionDownPastTheThresholdOpensOne) {
  auto backup_down =
      Facts("none", "healthy", "us-east", "us-east", {Healthy("us-east"), Down("eu-west")});
  See(backup_down, kT0);
  See(backup_down, kT0 + 5 * kMin - 1);
  EXPECT_TRUE(All().empty());
  See(backup_down, kT0 + 5 * kMin);
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "login: a region is down");
  EXPECT_EQ(all[0].status, "investigating");
}

TEST_F(IncidentBookTest, AfterARestartTheOpenIncidentContinues) {
  See(Failover(), kT0);
  IncidentBook restarted(*db_, options_);  // a new steerd on the same state database
  ASSERT_TRUE(restarted.Observe(OnBackup(), kT0 + 6 * kMin));  // down clock starts again
  ASSERT_TRUE(restarted.Observe(OnBackup(), kT0 + 11 * kMin));
  ASSERT_TRUE(restarted.Observe(Failback(), kT0 + 12 * kMin));
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_EQ(all[0].updates.size(), 3u);
  EXPECT_EQ(all[0].status, "monitoring");
  EXPECT_EQ(all[0].updates[1].body,
            "us-east has been down for more than 5 min; login answers from eu-west.");
}

TEST_F(IncidentBookTest, ResolvedIncidentsArePrunedOpenOnesKept) {
  See(Failover(), kT0);
  See(AllWell(), kT0 + kMin);
  See(AllWell(), kT0 + 6 * kMin);
  DecisionFacts other = Failover();
  other.service = "api";
  See(other, kT0 + 7 * kMin);
  ASSERT_TRUE(book_->Prune(kT0 + 7 * kMin));
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].service, "api");
}

}  // namespace
}  // namespace steer::status
