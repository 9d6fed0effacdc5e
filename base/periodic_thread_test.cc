#include "steer/base/periodic_thread.h"

#include <gtest/gtest.h>

namespace steer::base {
namespace {

// Rounds counted under a mutex; the test waits for them instead of sleeping.
struct Rounds {
  std::mutex mu;
  std::condition_variable cv;
  int n = 0;
  void Count(PeriodicThread::Clock::time_point) {
    std::lock_guard lock(mu);
    ++n;
    cv.notify_all();
  }
  bool AwaitAtLeast(int want) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return n >= want; });
  }
  int Now() {
    std::lock_guard lock(mu);
    return n;
  }
};

TEST(PeriodicThread, RunsRoundsUntilStoppedAndNoneAfter) {
  Rounds rounds;
  PeriodicThread t(std::chrono::milliseconds(1), [&](auto at) { rounds.Count(at); });
  t.Start();
  ASSERT_TRUE(rounds.AwaitAtLeast(3));
  t.Stop();
  int stopped_at = rounds.Now();
  t.Stop();   // idempotent
  t.Start();  // after Stop: nothing
  EXPECT_EQ(rounds.Now(), stopped_at);
}

TEST(PeriodicThread, StopWakesAWaitAtOnce) {
  Rounds rounds;
  PeriodicThread t(std::chrono::hours(1), [&](auto at) { rounds.Count(at); });
  t.Start();
  ASSERT_TRUE(rounds.AwaitAtLeast(1));  // the first round runs at once
  auto before = std::chrono::steady_clock::now();
  t.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  EXPECT_EQ(rounds.Now(), 1);
}

TEST(PeriodicThread, NeverStartedStopsCleanly) {
  PeriodicThread t(std::chrono::milliseconds(1), [](auto) { FAIL() << "no round without Start"; });
  t.Stop();
}

}  // namespace
}  // namespace steer::base
