#include "steer/probes/health_tracker.h"

#include <gtest/gtest.h>

namespace steer::probes {
namespace {

TEST(HealthTracker, FirstSuccessDecidesHealthy) {
  HealthTracker t(3, 3);
  EXPECT_EQ(t.state(), HealthState::kUnknown);
  EXPECT_EQ(t.Record(true), Transition::kChanged);
  EXPECT_EQ(t.state(), HealthState::kHealthy);
}

TEST(HealthTracker, FirstFailureDecidesUnhealthy) {
  HealthTracker t(2, 5);
  EXPECT_EQ(t.Record(false), Transition::kChanged);
  EXPECT_EQ(t.state(), HealthState::kUnhealthy);
}

TEST(HealthTracker, BecomesUnhealthyAfterThresholdFailures) {
  HealthTracker t(2, 3);
  t.Record(true);
  EXPECT_EQ(t.Record(false), Transition::kPending);
  EXPECT_EQ(t.Record(false), Transition::kPending);
  EXPECT_EQ(t.state(), HealthState::kHealthy);
  EXPECT_EQ(t.Record(false), Transition::kChanged);
  EXPECT_EQ(t.state(), HealthState::kUnhealthy);
  EXPECT_EQ(t.Record(false), Transition::kUnchanged);
}

TEST(HealthTracker, BecomesHealthyAfterThresholdSuccesses) {
  HealthTracker t(2, 1);
  t.Record(false);
  EXPECT_EQ(t.Record(true), Transition::kPending);
  EXPECT_EQ(t.Record(true), Transition::kChanged);
  EXPECT_EQ(t.state(), HealthState::kHealthy);
}

TEST(HealthTracker, InterruptedStreakStartsOver) {
  HealthTracker t(2, 3);
  t.Record(true);
  t.Record(false);
  t.Record(false);
  EXPECT_EQ(t.Record(true), Transition::kUnchanged);  // resets the failure streak
  EXPECT_EQ(t.consecutive_failures(), 0);
  t.Record(false);
  t.Record(false);
  EXPECT_EQ(t.state(), HealthState::kHealthy);
  EXPECT_EQ(t.Record(false), Transition::kChanged);
}

TEST(HealthTracker, ThresholdOfOneFlipsImmediately) {
  HealthTracker t(1, 1);
  t.Record(true);
  EXPECT_EQ(t.Record(false), Transition::kChanged);
  EXPECT_EQ(t.Record(true), Transition::kChanged);
}

TEST(HealthTracker, NonPositiveThresholdsActAsOne) {
  HealthTracker t(0, -2);
  t.Record(true);
  EXPECT_EQ(t.Record(false), Transition::kChanged);
}

}  // namespace
}  // namespace steer::probes
