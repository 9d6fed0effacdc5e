#include "outage_failures.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace steer::auth::pg {
namespace {

const config::LockoutPolicy kPolicy = [] {
  config::LockoutPolicy p;
  p.max_failures = 3;
  p.block_seconds = 60;
  return p;
}();

TEST(OutageFailures, BlocksAfterMaxFailuresCountedHere) {
  OutageFailures f(10);
  bool counted = false;
  ASSERT_TRUE(f.Admit("user:alice"));
  EXPECT_EQ(f.Record("user:alice", 1000, 0, 0, kPolicy, &counted), 0);
  EXPECT_TRUE(counted);
  EXPECT_EQ(f.Record("user:alice", 1001, 0, 0, kPolicy, &counted), 0);
  EXPECT_EQ(f.Record("user:alice", 1002, 0, 0, kPolicy, &counted), 1062);
  EXPECT_EQ(f.BlockedUntil("user:alice", 1010), 1062);
  EXPECT_EQ(f.BlockedUntil("user:alice", 1062), 0);
  EXPECT_EQ(f.BlockedUntil("user:bob", 1010), 0);
}

// The standby's count is the global one: 2 failures before the outage leave one attempt.
TEST(OutageFailures, StartsFromTheGlobalCountInItsWindow) {
  OutageFailures f(10);
  bool counted = false;
  EXPECT_EQ(f.Record("user:alice", 1000, 2, 990, kPolicy, &counted), 1060);
  // A global count whose window has closed does not count.
  EXPECT_EQ(f.Record("user:bob", 1000, 2, 900, kPolicy, &counted), 0);
  EXPECT_EQ(f.Record("user:bob", 1001, 2, 900, kPolicy, &counted), 0);
  EXPECT_EQ(f.Record("user:bob", 1002, 2, 900, kPolicy, &counted), 1062);
}

TEST(OutageFailures, BoundedFailsClosedForNewKeys) {
  OutageFailures f(2);
  EXPECT_TRUE(f.Admit("ip:1"));
  EXPECT_TRUE(f.Admit("ip:2"));
  EXPECT_TRUE(f.Admit("ip:1"));  // already held
  EXPECT_FALSE(f.Admit("ip:3"));
  bool counted = true;
  f.Record("ip:3", 1000, 0, 0, kPolicy, &counted);
  EXPECT_FALSE(counted);
  f.Clear("ip:2");
  EXPECT_TRUE(f.Admit("ip:3"));
}

TEST(OutageFailures, DrainHandsOverUnrecordedFailuresAndRestorePutsThemBack) {
  OutageFailures f(10);
  bool counted = false;
  f.Admit("user:carol");  // admitted, never failed: nothing owed
  f.Record("user:alice", 1000, 0, 0, kPolicy, &counted);
  f.Record("user:alice", 1001, 0, 0, kPolicy, &counted);
  f.Record("ip:9", 1001, 0, 0, kPolicy, &counted);
  EXPECT_TRUE(f.HasPending());
  auto owed = f.Drain();
  std::sort(owed.begin(), owed.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  ASSERT_EQ(owed.size(), 2u);
  EXPECT_EQ(owed[0], (OutageFailures::Owed{"ip:9", 1, kPolicy}));
  EXPECT_EQ(owed[1], (OutageFailures::Owed{"user:alice", 2, kPolicy}));
  EXPECT_FALSE(f.HasPending());
  f.Restore({owed[1]});
  EXPECT_EQ(f.Drain(), (std::vector<OutageFailures::Owed>{owed[1]}));
}

TEST(OutageFailures, SuccessEndsTheCount) {
  OutageFailures f(10);
  bool counted = false;
  f.Record("user:alice", 1000, 0, 0, kPolicy, &counted);
  f.Record("user:alice", 1001, 0, 0, kPolicy, &counted);
  f.Clear("user:alice");
  EXPECT_FALSE(f.HasPending());
  EXPECT_EQ(f.Record("user:alice", 1002, 0, 0, kPolicy, &counted), 0);
}

}  // namespace
}  // namespace steer::auth::pg
