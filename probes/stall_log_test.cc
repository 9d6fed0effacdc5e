// StallLog and the rule that makes a time-out inconclusive (stall_log.h), on fixed times.
#include "stall_log.h"

#include <gtest/gtest.h>

namespace steer::probes {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

const SteadyTime kT0{std::chrono::seconds(1000)};
SteadyTime At(int ms) { return kT0 + milliseconds(ms); }

TEST(StallLogTest, CountsOverlappingStallsOnceAndOnlyWithinTheWindow) {
  StallLog log;
  log.Record(At(0), At(9));  // 9 ms late: scheduling noise
  EXPECT_EQ(log.size(), 0u);
  log.Record(At(100), At(300));  // a beat 200 ms late
  log.Record(At(150), At(320));  // a slot of the same stall, seen later
  log.Record(At(500), At(520));
  EXPECT_EQ(log.StalledWithin(At(0), At(1000)), milliseconds(220 + 20));
  EXPECT_EQ(log.StalledWithin(At(200), At(510)), milliseconds(120 + 10));
  EXPECT_EQ(log.StalledWithin(At(330), At(500)), microseconds(0));
  log.Prune(At(310));  // the first stall ended before: forgotten
  EXPECT_EQ(log.size(), 2u);
  EXPECT_EQ(log.StalledWithin(At(0), At(1000)), milliseconds(170 + 20));
}

TEST(StallLogTest, KeepsAtMostItsBoundForgettingTheOldest) {
  StallLog log;
  for (size_t i = 0; i < StallLog::kMaxStalls + 5; ++i) {
    const int start = static_cast<int>(i) * 100;
    log.Record(At(start), At(start + 50));
  }
  EXPECT_EQ(log.size(), StallLog::kMaxStalls);
  EXPECT_EQ(log.StalledWithin(At(0), At(500)), microseconds(0));
}

TEST(StallLogTest, OnlyTimeBoundFailuresDuringATenthOfTheTimeoutAreInconclusive) {
  const microseconds timeout = milliseconds(500);
  Observation timed_out;
  timed_out.error = ErrorClass::kTimeout;
  EXPECT_TRUE(Inconclusive(timed_out, milliseconds(50), timeout));
  EXPECT_FALSE(Inconclusive(timed_out, milliseconds(49), timeout));
  EXPECT_FALSE(Inconclusive(timed_out, microseconds(0), microseconds(0)));
  Observation slow = timed_out;
  slow.error = ErrorClass::kLatency;
  EXPECT_TRUE(Inconclusive(slow, milliseconds(400), timeout));
  Observation refused = timed_out;
  refused.error = ErrorClass::kConnect;  // an answer, however late it was read
  EXPECT_FALSE(Inconclusive(refused, milliseconds(400), timeout));
  Observation http = timed_out;
  http.error = ErrorClass::kHttpStatus;
  EXPECT_FALSE(Inconclusive(http, milliseconds(400), timeout));
}

}  // namespace
}  // namespace steer::probes
