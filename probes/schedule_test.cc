#include "steer/probes/schedule.h"

#include <gtest/gtest.h>

namespace steer::probes {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(Schedule, StaggerSpreadsTargetsEvenlyOverTheInterval) {
  microseconds interval = milliseconds(1000);
  EXPECT_EQ(StaggerOffset(0, 4, interval), microseconds(0));
  EXPECT_EQ(StaggerOffset(1, 4, interval), milliseconds(250));
  EXPECT_EQ(StaggerOffset(3, 4, interval), milliseconds(750));
  EXPECT_EQ(StaggerOffset(0, 0, interval), microseconds(0));
  EXPECT_EQ(StaggerOffset(9999, 10000, interval), microseconds(999900));
}

TEST(Schedule, NextDueOnTimeKeepsTheGrid) {
  SteadyTime t0{std::chrono::seconds(100)};
  NextSlot n = NextDue(t0, t0 + milliseconds(3), milliseconds(1000));
  EXPECT_EQ(n.due, t0 + milliseconds(1000));
  EXPECT_EQ(n.skipped, 0u);
}

TEST(Schedule, NextDueSkipsPassedSlotsInsteadOfQueueing) {
  SteadyTime t0{std::chrono::seconds(100)};
  NextSlot n = NextDue(t0, t0 + milliseconds(3500), milliseconds(1000));
  EXPECT_EQ(n.due, t0 + milliseconds(4000));
  EXPECT_EQ(n.skipped, 3u);
  NextSlot exact = NextDue(t0, t0 + milliseconds(1000), milliseconds(1000));
  EXPECT_EQ(exact.due, t0 + milliseconds(2000));
  EXPECT_EQ(exact.skipped, 1u);
}

TEST(LatencyHistogram, QuantilesWithinBucketError) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.Record(microseconds(i * 10));  // 10 us .. 10 ms
  EXPECT_EQ(h.count(), 1000u);
  auto p50 = h.Quantile(0.5).count();
  auto p99 = h.Quantile(0.99).count();
  EXPECT_GE(p50, 5000);
  EXPECT_LE(p50, 5000 * 107 / 100);
  EXPECT_GE(p99, 9900);
  EXPECT_LE(p99, 10000);  // capped by the max seen
  EXPECT_EQ(h.max(), microseconds(10000));
}

TEST(LatencyHistogram, SmallValuesExactAndNegativeClampedToZero) {
  LatencyHistogram h;
  h.Record(microseconds(-5));
  h.Record(microseconds(3));
  EXPECT_EQ(h.Quantile(0.0), microseconds(0));
  EXPECT_EQ(h.Quantile(1.0), microseconds(3));
  LatencyHistogram other;
  other.Record(microseconds(7));
  h.Merge(other);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.Quantile(1.0), microseconds(7));
}

}  // namespace
}  // namespace steer::probes
