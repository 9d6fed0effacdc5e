// Clock faults: the wall clock stepped an hour forward or back while the monotonic clock runs on.
// Each test drives the agent's pieces the way steerd does — AgentContext (policy_clock(),
// PolicyNow()), HealthBook fed with results stamped on the policy clock (as probes::Engine
// stamps them with the clock RuntimeBuilder gives it), LoadOverrides from the shared state and
// the policy engine — on a FakeClock whose wall clock alone is stepped, and checks that no
// change comes early (spurious) or late (a window lasting an extra hour).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "active_overrides.h"
#include "agent_context.h"
#include "health_book.h"
#include "policy_clock.h"
#include "state_store.h"
#include "steer/base/clock.h"
#include "steer/policies/engine.h"
#include "steer/testsupport/process.h"

namespace steer::agent {
namespace {

using policies::Action;
using policies::Time;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

config::Policy TwoRegions() {
  config::Policy p;
  for (const char* name : {"a", "b"}) {
    config::RegionConfig r;
    r.name = name;
    config::ComponentConfig c;
    c.name = "app";
    config::ProbeConfig probe;
    probe.name = "http";
    probe.healthy_threshold = 1;
    probe.unhealthy_threshold = 1;
    c.probes.push_back(probe);
    r.components.push_back(c);
    p.regions.push_back(r);
  }
  config::ServiceConfig s;
  s.name = "web";
  s.dns_name = "web.example.com.";
  s.zone = "example.com.";
  s.regions = {{"a", {"192.0.2.1"}}, {"b", {"192.0.2.2"}}};
  s.hold_down = base::Duration(0);
  s.min_change_interval = base::Duration(0);
  s.block_after_failover = base::Duration(0);
  s.failback_after = base::Duration(0);
  s.safety.max_changes_per_hour = 0;
  p.services.push_back(s);
  return p;
}

class ClockFaultsTest : public ::testing::Test {
 protected:
  void Start(const config::Policy& policy) {
    char tmpl[] = "/tmp/steer-clockfaults-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    policy_ = policy;
    auto ctx = AgentContext::Create(policy, dir_, &clock_);
    ASSERT_TRUE(ctx) << ctx.error().message;
    ctx_ = *ctx;
    auto engine = policies::Engine::Create(policy);
    ASSERT_TRUE(engine) << engine.error().message;
    engine_ = std::make_unique<policies::Engine>(std::move(*engine));
    book_ = std::make_unique<HealthBook>(engine_->layout(), policies::VantagePoint{"local", ""},
                                         nullptr);
    Tick();
    ASSERT_EQ(state_.region, "a");
  }
  void TearDown() override {
    ctx_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // One second of steady (and, unless stepped, wall) time: each region's probe reports on the
  // policy clock, then the engine decides on PolicyNow() with the stored overrides.
  policies::Decision Tick() {
    clock_.Advance(seconds(1));
    const Time stamp = WallMs(ctx_->policy_clock().WallNow());
    book_->Record(0, a_ok_, stamp, a_ok_ ? "" : "HTTP 503", 0.01);
    book_->Record(1, b_ok_, stamp, b_ok_ ? "" : "HTTP 503", 0.01);
    const Time now = ctx_->PolicyNow();
    auto overrides = LoadOverrides(ctx_->shared(), now);
    EXPECT_TRUE(overrides);
    policies::Decision d = engine_->Decide(0, book_->Snapshot(), state_,
                                           overrides.value_or(policies::Overrides{}), now);
    state_ = d.next;
    return d;
  }
  // Ticks until the service moves or `limit` passes; the steady time that took.
  seconds UntilMoved(seconds limit) {
    const std::string from = state_.region;
    for (seconds t(1); t <= limit; ++t) {
      if (Tick().to != from) return t;
    }
    return limit + seconds(1);
  }
  void StepWall(std::chrono::nanoseconds by) { clock_.SetWall(clock_.WallNow() + by); }
  // steerd stopped for `down`, the wall clock stepped by `step` meanwhile, and a new steerd (same
  // boot: same monotonic clock) started on the same state directory.
  void Restart(seconds down, std::chrono::nanoseconds step) {
    ctx_.reset();
    clock_.Advance(down);
    StepWall(step);
    auto ctx = AgentContext::Create(policy_, dir_, &clock_);
    ASSERT_TRUE(ctx) << ctx.error().message;
    ctx_ = *ctx;
  }
  // An automatic failover a -> b (region a down), then region a healthy again.
  void FailOverAndRecover() {
    a_ok_ = false;
    ASSERT_EQ(Tick().action, Action::kFailover);
    a_ok_ = true;
  }

  base::FakeClock clock_;
  config::Policy policy_;
  std::string dir_;
  std::shared_ptr<AgentContext> ctx_;
  std::unique_ptr<policies::Engine> engine_;
  std::unique_ptr<HealthBook> book_;
  policies::ServiceState state_;
  bool a_ok_ = true;
  bool b_ok_ = true;
};

TEST_F(ClockFaultsTest, PolicyTimeFollowsTheMonotonicClockNotWallSteps) {
  Start(TwoRegions());
  const Time t0 = ctx_->PolicyNow();
  StepWall(hours(1));
  clock_.Advance(seconds(2));
  EXPECT_EQ(ctx_->PolicyNow() - t0, seconds(2));
  StepWall(-hours(2));
  clock_.Advance(seconds(3));
  EXPECT_EQ(ctx_->PolicyNow() - t0, seconds(5));
}

// hold_down 60 s: a forward step during a short outage must not make it count as a long one.
TEST_F(ClockFaultsTest, ForwardStepCausesNoSpuriousFailover) {
  auto policy = TwoRegions();
  policy.services[0].hold_down = base::Duration(60000);
  Start(policy);
  a_ok_ = false;
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Tick().action, Action::kHold);
  StepWall(hours(1));
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Tick().action, Action::kHold) << "tick " << i;
  a_ok_ = true;  // recovered after 40 s: no failover ever
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Tick().to, "a");
}

// failback_after 5 min: a forward step must not fail back onto a barely recovered region.
TEST_F(ClockFaultsTest, ForwardStepCausesNoEarlyFailback) {
  auto policy = TwoRegions();
  policy.services[0].failback_after = base::Duration(300000);
  Start(policy);
  FailOverAndRecover();
  ASSERT_EQ(Tick().action, Action::kHold);  // a healthy again: failback_after starts
  StepWall(hours(1));
  EXPECT_EQ(UntilMoved(minutes(10)), seconds(300));  // 300 s after the hold above
}

TEST_F(ClockFaultsTest, BackwardStepDoesNotDelayFailback) {
  auto policy = TwoRegions();
  policy.services[0].failback_after = base::Duration(300000);
  Start(policy);
  FailOverAndRecover();
  ASSERT_EQ(Tick().action, Action::kHold);  // a healthy again: failback_after starts
  StepWall(-hours(1));
  EXPECT_EQ(UntilMoved(minutes(70)), seconds(300));
}

// block_after_failover 10 min: neither ends early (+1 h) nor lasts an extra hour (-1 h).
TEST_F(ClockFaultsTest, BlockWindowDoesNotEndEarlyOnForwardStep) {
  auto policy = TwoRegions();
  policy.services[0].block_after_failover = base::Duration(600000);
  Start(policy);
  FailOverAndRecover();
  StepWall(hours(1));
  EXPECT_EQ(UntilMoved(minutes(20)), seconds(600));  // 600 s after the failover's tick
}

TEST_F(ClockFaultsTest, BlockWindowDoesNotLastAnExtraHourOnBackwardStep) {
  auto policy = TwoRegions();
  policy.services[0].block_after_failover = base::Duration(600000);
  Start(policy);
  FailOverAndRecover();
  StepWall(-hours(1));
  EXPECT_EQ(UntilMoved(minutes(80)), seconds(600));
}

// `steerctl pause --for 10m`, stored the way OperatorRequests::Handle stores it: created and
// expiry on PolicyNow().
void Pause(AgentContext& ctx, minutes d) {
  const WallTime now(ctx.PolicyNow());
  Override o{OverrideKind::kPause, "web", "", "op", "clock test", now, now + d, {}};
  auto lead = ctx.coordinator().CurrentLeadership();
  ASSERT_TRUE(lead.is_leader);
  ASSERT_TRUE(ctx.shared().PutOverride(o, lead.fencing_token));
}

TEST_F(ClockFaultsTest, PauseForTenMinutesSurvivesForwardStep) {
  Start(TwoRegions());
  Pause(*ctx_, minutes(10));
  a_ok_ = false;  // a failover is wanted but paused
  ASSERT_EQ(Tick().action, Action::kBlocked);
  StepWall(hours(1));
  EXPECT_EQ(UntilMoved(minutes(20)), seconds(599));  // 600 s after the pause, one tick ago
}

TEST_F(ClockFaultsTest, PauseForTenMinutesDoesNotLastAnExtraHourOnBackwardStep) {
  Start(TwoRegions());
  Pause(*ctx_, minutes(10));
  a_ok_ = false;
  ASSERT_EQ(Tick().action, Action::kBlocked);
  StepWall(-hours(1));
  EXPECT_EQ(UntilMoved(minutes(80)), seconds(599));
}

// A restart within one boot continues policy time (policy_clock.h): the pause made before it
// ends 600 s after it was made, whichever way the wall clock was stepped while no steerd ran.
TEST_F(ClockFaultsTest, PauseSurvivesAForwardStepWhileSteerdWasStopped) {
  Start(TwoRegions());
  Pause(*ctx_, minutes(10));
  a_ok_ = false;
  ASSERT_EQ(Tick().action, Action::kBlocked);
  const Time before = ctx_->PolicyNow();
  Restart(seconds(5), hours(1));
  EXPECT_EQ(ctx_->PolicyNow() - before, seconds(5));  // the line goes on: not 1 h 5 s
  EXPECT_EQ(UntilMoved(minutes(20)), seconds(594));   // 600 s after the pause, 7 s ago
}

TEST_F(ClockFaultsTest, PauseDoesNotLastLongerAfterABackwardStepWhileSteerdWasStopped) {
  Start(TwoRegions());
  Pause(*ctx_, minutes(10));
  a_ok_ = false;
  ASSERT_EQ(Tick().action, Action::kBlocked);
  Restart(seconds(5), -hours(1));
  EXPECT_EQ(UntilMoved(minutes(80)), seconds(594));
}

// max_changes_per_hour 2: after failover + failback, the third change waits until the hour
// since the first has passed — on the monotonic clock.
class RateLimitTest : public ClockFaultsTest {
 protected:
  void StartAndSpendTheHour() {
    auto policy = TwoRegions();
    policy.services[0].safety.max_changes_per_hour = 2;
    Start(policy);
    FailOverAndRecover();                         // change 1 at second 1
    ASSERT_EQ(Tick().action, Action::kFailback);  // change 2 at second 2
    a_ok_ = false;
    ASSERT_EQ(Tick().action, Action::kBlocked);  // second 3
  }
};

TEST_F(RateLimitTest, WindowDoesNotEndEarlyOnForwardStep) {
  StartAndSpendTheHour();
  StepWall(hours(1));
  // Change 1 (second 2) leaves the window at second 3602, 3598 s after second 4.
  EXPECT_EQ(UntilMoved(hours(2)), seconds(3598));
}

TEST_F(RateLimitTest, WindowDoesNotLastAnExtraHourOnBackwardStep) {
  StartAndSpendTheHour();
  StepWall(-hours(1));
  EXPECT_EQ(UntilMoved(hours(3)), seconds(3598));
}

// After a reboot (or from another agent, in etcd mode) persisted stamps are read on another
// line of policy time. One taken before a backward step is in the future; ClampToNow bounds
// what it delays.
TEST(ClampToNowTest, AStateFromBeforeABackwardStepDelaysAtMostOneWindow) {
  policies::ServiceState st;
  const Time now(10 * 3600 * 1000);
  const Time taken = now + hours(1);  // stamped an hour "later" than now
  st.last_change = taken;
  st.changes = {taken - minutes(30), taken};
  st.blocked_until = taken + minutes(10);
  st.tracks = {{"a", policies::Health::kHealthy, taken}, {"b", policies::Health::kHealthy, now}};
  policies::ClampToNow(st, now);
  EXPECT_EQ(st.last_change, now);
  EXPECT_EQ(st.blocked_until, now + minutes(10));
  EXPECT_EQ(st.changes, (std::vector<Time>{now, now}));
  EXPECT_EQ(st.tracks[0].since, now);
  EXPECT_EQ(st.tracks[1].since, now);
}

TEST(ClampToNowTest, KeepsStampsThatAreNotInTheFuture) {
  policies::ServiceState st;
  const Time now(10 * 3600 * 1000);
  st.last_change = now - minutes(5);
  st.changes = {now - minutes(5)};
  st.blocked_until = now + minutes(5);
  st.tracks = {{"a", policies::Health::kHealthy, now - hours(2)}};
  policies::ServiceState before = st;
  policies::ClampToNow(st, now);
  EXPECT_EQ(st.last_change, before.last_change);
  EXPECT_EQ(st.changes, before.changes);
  EXPECT_EQ(st.blocked_until, before.blocked_until);
  EXPECT_EQ(st.tracks[0].since, before.tracks[0].since);
}

TEST(OverrideUntilTest, APauseMadeBeforeABackwardStepLastsAtMostItsLength) {
  const Time now(10 * 3600 * 1000);
  Override o;
  o.created = WallTime(now + hours(1));  // made an hour "later": the clock was stepped back
  o.expires = o.created + minutes(10);
  EXPECT_EQ(OverrideUntil(o, now), now + minutes(10));
  o.created = WallTime(now - minutes(4));  // made before now: kept as it is
  o.expires = o.created + minutes(10);
  EXPECT_EQ(OverrideUntil(o, now), now + minutes(6));
  o.expires.reset();
  EXPECT_EQ(OverrideUntil(o, now), std::nullopt);
}

// The anchor in the state store: a start with none, an unreadable one or no boot id begins at
// the wall clock; each start leaves the anchor of its line for the next.
class StartPolicyClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = StateStore::Open(dir_.path());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override { store_.reset(); }  // closed before dir_ is removed
  base::FakeClock clock_;
  testsupport::TempDir dir_{"steer-policyclock"};
  std::unique_ptr<StateStore> store_;
};

TEST_F(StartPolicyClockTest, EachStartContinuesTheLineTheLastOneLeft) {
  auto first = StartPolicyClock(*store_, clock_, "boot-1");
  const auto start = first->WallNow();
  EXPECT_EQ(start, clock_.WallNow());
  clock_.Advance(seconds(30));
  clock_.SetWall(clock_.WallNow() + hours(2));
  auto second = StartPolicyClock(*store_, clock_, "boot-1");
  EXPECT_EQ(second->WallNow() - start, seconds(30));
  clock_.Advance(seconds(10));
  auto third = StartPolicyClock(*store_, clock_, "boot-1");  // the second's anchor, not the first's
  EXPECT_EQ(third->WallNow() - start, seconds(40));
  auto rebooted = StartPolicyClock(*store_, clock_, "boot-2");
  EXPECT_EQ(rebooted->WallNow(), clock_.WallNow());
}

TEST_F(StartPolicyClockTest, AMalformedAnchorOrNoBootIdStartsAtTheWallClock) {
  ASSERT_TRUE(store_->PutBlob(kPolicyClockBlob, "{\"boot_id\": 7}"));
  clock_.SetWall(clock_.WallNow() + hours(1));
  EXPECT_EQ(StartPolicyClock(*store_, clock_, "boot-1")->WallNow(), clock_.WallNow());
  auto blob = store_->GetBlob(kPolicyClockBlob);  // replaced by a good one
  ASSERT_TRUE(blob && *blob);
  EXPECT_NE((*blob)->find("\"boot_id\":\"boot-1\""), std::string::npos) << **blob;
  ASSERT_TRUE(store_->PutBlob(kPolicyClockBlob, "not json"));
  EXPECT_EQ(StartPolicyClock(*store_, clock_, "")->WallNow(), clock_.WallNow());
  EXPECT_EQ(**store_->GetBlob(kPolicyClockBlob), "not json");  // no boot id: nothing to anchor
}

}  // namespace
}  // namespace steer::agent
