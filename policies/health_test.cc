// The streak rule, policies::Observe(): the one hysteresis rule the agent (agent::HealthBook)
// and the simulator both apply. These cases moved here from probes::HealthTracker's test when
// that class was deleted; every assertion of it holds against Observe().
#include "steer/policies/health.h"

#include <gtest/gtest.h>

namespace steer::policies {
namespace {

// One target fed one result per second, as a probe worker would.
class Streak {
 public:
  Streak(int healthy_threshold, int unhealthy_threshold) {
    target_.healthy_threshold = healthy_threshold;
    target_.unhealthy_threshold = unhealthy_threshold;
  }
  Transition Record(bool ok, std::string_view error = "") {
    t_ += Time(1000);
    return Observe(th_, target_, ok, t_, error);
  }
  Health state() const { return th_.state; }
  const TargetHealth& health() const { return th_; }

 private:
  Layout::Target target_;
  TargetHealth th_;
  Time t_{0};
};

TEST(PoliciesObserve, FirstSuccessDecidesHealthy) {
  Streak t(3, 3);
  EXPECT_EQ(t.state(), Health::kUnknown);
  EXPECT_FALSE(t.health().observed);
  EXPECT_EQ(t.Record(true), Transition::kChanged);
  EXPECT_EQ(t.state(), Health::kHealthy);
  EXPECT_TRUE(t.health().observed);
  EXPECT_EQ(t.health().last_observed, Time(1000));
}

TEST(PoliciesObserve, FirstFailureDecidesUnhealthy) {
  Streak t(2, 5);
  EXPECT_EQ(t.Record(false, "HTTP 503"), Transition::kChanged);
  EXPECT_EQ(t.state(), Health::kUnhealthy);
  EXPECT_EQ(t.health().last_error, "HTTP 503");
}

TEST(PoliciesObserve, BecomesUnhealthyAfterThresholdFailures) {
  Streak t(2, 3);
  t.Record(true);
  EXPECT_EQ(t.Record(false), Transition::kPending);
  EXPECT_EQ(t.Record(false), Transition::kPending);
  EXPECT_EQ(t.state(), Health::kHealthy);
  EXPECT_EQ(t.Record(false), Transition::kChanged);
  EXPECT_EQ(t.state(), Health::kUnhealthy);
  EXPECT_EQ(t.Record(false), Transition::kUnchanged);
  EXPECT_EQ(t.health().consecutive_fail, 4);
  EXPECT_EQ(t.health().last_error, "failed");  // no error text given
}

TEST(PoliciesObserve, BecomesHealthyAfterThresholdSuccesses) {
  Streak t(2, 1);
  t.Record(false);
  EXPECT_EQ(t.Record(true), Transition::kPending);
  EXPECT_EQ(t.Record(true), Transition::kChanged);
  EXPECT_EQ(t.state(), Health::kHealthy);
  EXPECT_EQ(t.health().consecutive_ok, 2);
}

TEST(PoliciesObserve, InterruptedStreakStartsOver) {
  Streak t(2, 3);
  t.Record(true);
  t.Record(false);
  t.Record(false);
  EXPECT_EQ(t.Record(true), Transition::kUnchanged);  // resets the failure streak
  EXPECT_EQ(t.health().consecutive_fail, 0);
  t.Record(false);
  t.Record(false);
  EXPECT_EQ(t.state(), Health::kHealthy);
  EXPECT_EQ(t.Record(false), Transition::kChanged);
}

TEST(PoliciesObserve, ThresholdOfOneFlipsImmediately) {
  Streak t(1, 1);
  t.Record(true);
  EXPECT_EQ(t.Record(false), Transition::kChanged);
  EXPECT_EQ(t.Record(true), Transition::kChanged);
}

TEST(PoliciesObserve, NonPositiveThresholdsActAsOne) {
  Streak t(0, -2);
  t.Record(true);
  EXPECT_EQ(t.Record(false), Transition::kChanged);
  EXPECT_EQ(t.Record(true), Transition::kChanged);
}

}  // namespace
}  // namespace steer::policies
