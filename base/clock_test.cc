#include "steer/base/clock.h"

#include <gtest/gtest.h>

#include <chrono>

#include "steer/base/random.h"
#include "steer/base/steady_wall_clock.h"

namespace steer::base {
namespace {

using std::chrono::milliseconds;

TEST(FakeClockTest, MovesOnlyWhenToldOrSleptOn) {
  FakeClock clock;
  auto steady = clock.SteadyNow();
  auto wall = clock.WallNow();
  EXPECT_EQ(clock.SteadyNow(), steady);
  clock.Advance(milliseconds(250));
  EXPECT_EQ(clock.SteadyNow() - steady, milliseconds(250));
  EXPECT_EQ(clock.WallNow() - wall, milliseconds(250));
  clock.SleepFor(milliseconds(100));
  clock.SleepFor(milliseconds(0));
  EXPECT_EQ(clock.SteadyNow() - steady, milliseconds(350));
  EXPECT_EQ(clock.Sleeps().size(), 2u);
  EXPECT_EQ(clock.Slept(), milliseconds(100));
}

TEST(FakeClockTest, WallCanStepWithoutMovingSteady) {
  FakeClock clock;
  auto steady = clock.SteadyNow();
  clock.SetUnixSeconds(1'800'000'000);
  EXPECT_EQ(UnixSeconds(clock), 1'800'000'000);
  EXPECT_EQ(clock.SteadyNow(), steady);
}

TEST(SteadyWallClockTest, StartsAtWallTimeAndIgnoresWallSteps) {
  using std::chrono::hours;
  FakeClock clock;
  SteadyWallClock policy(clock);
  const auto start = clock.WallNow();
  EXPECT_EQ(policy.WallNow(), start);
  clock.Advance(milliseconds(1500));
  EXPECT_EQ(policy.WallNow() - start, milliseconds(1500));
  clock.SetWall(clock.WallNow() + hours(1));  // stepped forward: only the wall clock moves
  EXPECT_EQ(policy.WallNow() - start, milliseconds(1500));
  EXPECT_EQ(policy.Skew(), hours(1));
  clock.SetWall(clock.WallNow() - hours(2));  // and back, past where it was
  clock.Advance(milliseconds(500));
  EXPECT_EQ(policy.WallNow() - start, milliseconds(2000));
  EXPECT_EQ(policy.Skew(), -hours(1));
  EXPECT_EQ(policy.SteadyNow(), clock.SteadyNow());
  policy.SleepFor(milliseconds(10));
  EXPECT_EQ(clock.Slept(), milliseconds(10));
}

// A restart within one boot continues the line: the wall clock stepped while no process ran
// moves neither way what the new process reads.
TEST(ResumePolicyTimeTest, ContinuesTheLineOfThisBootWhateverTheWallClockDid) {
  using std::chrono::hours;
  FakeClock clock;
  const PolicyClockAnchor anchor{"boot-1", clock.SteadyNow(), clock.WallNow()};
  clock.Advance(milliseconds(4000));
  clock.SetWall(clock.WallNow() + hours(1));
  EXPECT_EQ(ResumePolicyTime(anchor, "boot-1", clock), anchor.policy + milliseconds(4000));
  clock.SetWall(clock.WallNow() - hours(3));
  EXPECT_EQ(ResumePolicyTime(anchor, "boot-1", clock), anchor.policy + milliseconds(4000));
  SteadyWallClock policy(clock, ResumePolicyTime(anchor, "boot-1", clock));
  clock.Advance(milliseconds(500));
  EXPECT_EQ(policy.WallNow(), anchor.policy + milliseconds(4500));
}

TEST(ResumePolicyTimeTest, StartsAtTheWallClockWithoutAnAnchorOfThisBoot) {
  using std::chrono::hours;
  FakeClock clock;
  const PolicyClockAnchor anchor{"boot-1", clock.SteadyNow(), clock.WallNow()};
  clock.Advance(milliseconds(4000));
  clock.SetWall(clock.WallNow() + hours(1));
  EXPECT_EQ(ResumePolicyTime(std::nullopt, "boot-1", clock), clock.WallNow());
  EXPECT_EQ(ResumePolicyTime(anchor, "boot-2", clock), clock.WallNow());  // rebooted
  EXPECT_EQ(ResumePolicyTime(anchor, "", clock), clock.WallNow());        // boot id unknown
  PolicyClockAnchor later = anchor;  // a monotonic reading ahead of ours: not this boot's
  later.steady = clock.SteadyNow() + milliseconds(1);
  EXPECT_EQ(ResumePolicyTime(later, "boot-1", clock), clock.WallNow());
}

TEST(ReadBootIdTest, ReadsTheKernelsBootId) {
  auto id = ReadBootId();
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->size(), 36u);  // a UUID
  EXPECT_EQ(*ReadBootId(), *id);
}

TEST(SystemClockTest, UnixSecondsIsNow) {
  SystemClock clock;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  EXPECT_NEAR(static_cast<double>(UnixSeconds(clock)), static_cast<double>(now), 2.0);
}

TEST(RandomTest, BoundIsExclusive) {
  SystemRandom random;
  EXPECT_EQ(random.Below(0), 0u);
  EXPECT_EQ(random.Below(1), 0u);
  bool saw_top = false;
  for (int i = 0; i < 2000; ++i) {
    uint64_t v = random.Below(3);
    ASSERT_LT(v, 3u);
    saw_top |= v == 2;
  }
  EXPECT_TRUE(saw_top);
}

TEST(RandomTest, FakeFixedValueAndFraction) {
  FakeRandom fixed(7);
  EXPECT_EQ(fixed.Below(5), 2u);
  EXPECT_EQ(fixed.Below(0), 0u);
  EXPECT_EQ(fixed.asked, (std::vector<uint64_t>{5, 0}));
  FakeRandom top = FakeRandom::Fraction(1.0);
  EXPECT_EQ(top.Below(101), 100u);
  FakeRandom half = FakeRandom::Fraction(0.5);
  EXPECT_EQ(half.Below(101), 50u);
  FakeRandom bottom = FakeRandom::Fraction(0.0);
  EXPECT_EQ(bottom.Below(101), 0u);
}

}  // namespace
}  // namespace steer::base
