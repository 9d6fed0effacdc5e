#include "health_book.h"

#include <gtest/gtest.h>

#include <memory>

#include "agent_context.h"
#include "probe_recorder.h"
#include "steer/base/clock.h"
#include "steer/testsupport/process.h"

namespace steer::agent {
namespace {

using policies::Health;
using policies::Time;

config::Policy TwoRegions() {
  config::Policy p;
  for (const char* name : {"a", "b"}) {
    config::RegionConfig r;
    r.name = name;
    config::ComponentConfig c;
    c.name = "app";
    config::ProbeConfig probe;
    probe.name = "http";
    probe.healthy_threshold = 2;
    probe.unhealthy_threshold = 3;
    c.probes.push_back(probe);
    r.components.push_back(c);
    p.regions.push_back(r);
  }
  return p;
}

TEST(HealthBookTest, NotFreshUntilEveryTargetReported) {
  auto layout = policies::Layout::Build(TwoRegions());
  ASSERT_TRUE(layout);
  HealthBook book(*layout, {"local", ""}, nullptr);
  EXPECT_FALSE(book.AllFresh());
  EXPECT_EQ(book.Missing(), (std::vector<std::string>{"a/app/http", "b/app/http"}));
  book.Record(0, true, Time(1000), "", 0.01);
  EXPECT_FALSE(book.AllFresh());
  book.Record(1, true, Time(1000), "", 0.01);
  EXPECT_TRUE(book.AllFresh());
  EXPECT_TRUE(book.Missing().empty());
}

// The decision loop is woken by a change of verdict, not by every result: results that change
// nothing (a streak below its threshold, the same verdict again) wait for its tick.
TEST(HealthBookTest, OnlyAChangedVerdictWakesTheDecisionLoop) {
  auto layout = policies::Layout::Build(TwoRegions());
  ASSERT_TRUE(layout);
  HealthBook book(*layout, {"local", ""}, nullptr);
  uint64_t v = book.version();
  book.Record(0, true, Time(1000), "", 0.01);  // first result: sets the verdict
  EXPECT_GT(book.version(), v);
  v = book.version();
  book.Record(0, true, Time(1100), "", 0.01);                   // healthy again
  book.Record(0, false, Time(1200), "connect: refused", 0.01);  // 1 and 2 of 3 failures
  book.Record(0, false, Time(1300), "connect: refused", 0.01);
  EXPECT_EQ(book.version(), v);
  book.Record(0, false, Time(1400), "connect: refused", 0.01);  // 3 of 3: unhealthy
  EXPECT_GT(book.version(), v);
  v = book.version();
  book.SetRemote({});
  EXPECT_GT(book.version(), v);
}

TEST(HealthBookTest, AppliesTheStreakRule) {
  auto layout = policies::Layout::Build(TwoRegions());
  ASSERT_TRUE(layout);
  HealthBook book(*layout, {"local", ""}, nullptr);
  uint64_t v0 = book.version();
  book.Record(0, true, Time(1000), "", 0.01);
  EXPECT_GT(book.version(), v0);
  book.Record(0, true, Time(1100), "", 0.01);
  auto view = book.Snapshot();
  int me = view.FindVantage("local");
  ASSERT_GE(me, 0);
  EXPECT_EQ(view.Get(me, 0).state, Health::kHealthy);
  book.Record(0, false, Time(1200), "connect: refused", 0.01);
  book.Record(0, false, Time(1300), "connect: refused", 0.01);
  EXPECT_EQ(book.Snapshot().Get(me, 0).state, Health::kHealthy);  // below the threshold
  book.Record(0, false, Time(1400), "connect: refused", 0.01);
  EXPECT_EQ(book.Snapshot().Get(me, 0).state, Health::kUnhealthy);
  EXPECT_EQ(book.Snapshot().Get(me, 0).last_error, "connect: refused");
  book.Record(99, false, Time(1500), "", 0);  // unknown target: ignored
}

// Another vantage point's report joins the view as its own vantage point, observed when it
// was received here; targets this policy lacks are ignored.
TEST(HealthBookTest, RemoteReportsJoinTheSnapshotAtTheirReceiveTime) {
  auto layout = policies::Layout::Build(TwoRegions());
  ASSERT_TRUE(layout);
  HealthBook book(*layout, {"local", ""}, nullptr);
  VantageReport remote{"eu",
                       "",
                       {{"a", "app", "http", Health::kUnhealthy, 0, 3, 40, "HTTP 503"},
                        {"zz", "app", "http", Health::kHealthy, 2, 0, 10, ""}},
                       5000};
  book.SetRemote({remote});
  policies::HealthView view = book.Snapshot();
  int eu = view.FindVantage("eu");
  ASSERT_GE(eu, 0);
  policies::TargetHealth a = view.Get(eu, 0);
  EXPECT_EQ(a.state, Health::kUnhealthy);
  EXPECT_TRUE(a.observed);
  EXPECT_EQ(a.last_observed, Time(5000));
  EXPECT_EQ(a.last_error, "HTTP 503");
  EXPECT_FALSE(view.Get(eu, 1).observed);  // eu said nothing of b
}

// Only fresh targets are published: a probe that stopped reporting is left out, so a reader
// never takes an old result for a fresh one.
TEST(HealthBookTest, OwnReportHasOnlyFreshTargets) {
  auto layout = policies::Layout::Build(TwoRegions());
  ASSERT_TRUE(layout);
  HealthBook book(*layout, {"local", "a"}, nullptr);
  book.Record(0, true, Time(1000), "", 0.01);
  book.Record(1, false, Time(9000), "refused", 0.01);
  // Probe interval 1 s (the default), stale_after 3: at 10 s, a (9 s old) is stale.
  VantageReport report = book.OwnReport(Time(10000), 3.0);
  EXPECT_EQ(report.vantage, "local");
  EXPECT_EQ(report.home_region, "a");
  ASSERT_EQ(report.targets.size(), 1u);
  EXPECT_EQ(report.targets[0].region, "b");
  EXPECT_EQ(report.targets[0].age_ms, 1000);
  EXPECT_EQ(report.targets[0].error, "refused");
}

// ProbeRecorder, the probe engine's sink into the book: a time-out the engine marked
// inconclusive (its worker was stalled) is counted as such and changes nothing in the target's
// health; a conclusive one does.
TEST(ProbeRecorderTest, InconclusiveResultsNeitherHelpNorHurtTheTarget) {
  testsupport::TempDir dir("steer-recorder");
  base::FakeClock clock;
  const config::Policy policy = TwoRegions();
  auto ctx = AgentContext::Create(policy, dir.path(), &clock);
  ASSERT_TRUE(ctx) << ctx.error().message;
  auto layout = policies::Layout::Build(policy);
  ASSERT_TRUE(layout);
  auto book = std::make_shared<HealthBook>(*layout, policies::VantagePoint{"local", ""},
                                           &(*ctx)->metrics());
  const auto targets = probes::TargetsFromRegions(policy.regions);
  auto recorder = ProbeRecorder::Create(targets, *layout, book, *ctx);
  ASSERT_TRUE(recorder) << recorder.error().message;
  const metrics::Counter& results = *(*ctx)->metrics().probe_results;

  probes::Observation o;
  o.target_id = targets[0].id;
  o.time = clock.WallNow();
  o.ok = true;
  (*recorder)->Record(o);
  ASSERT_EQ(book->Snapshot().Get(0, 0).state, Health::kHealthy);
  ASSERT_EQ(book->Snapshot().Get(0, 0).consecutive_ok, 1);

  o.ok = false;
  o.error = probes::ErrorClass::kTimeout;
  o.inconclusive = true;
  (*recorder)->Record(o);
  EXPECT_EQ(book->Snapshot().Get(0, 0).consecutive_ok, 1);
  EXPECT_EQ(book->Snapshot().Get(0, 0).consecutive_fail, 0);
  EXPECT_EQ(results.Value({"a", "app", "http", "inconclusive"}), 1);
  EXPECT_EQ(results.Value({"a", "app", "http", "failure"}), 0);

  o.inconclusive = false;
  (*recorder)->Record(o);
  EXPECT_EQ(book->Snapshot().Get(0, 0).consecutive_fail, 1);
  EXPECT_EQ(results.Value({"a", "app", "http", "failure"}), 1);
}

}  // namespace
}  // namespace steer::agent
