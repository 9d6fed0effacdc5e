#include "steer/dns/rate_limiter.h"

#include <gtest/gtest.h>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/dns/retry_policy.h"
#include "test_fakes.h"

namespace steer::dns {
namespace {

using base::FakeClock;
using std::chrono::milliseconds;

TEST(RateLimiterTest, BurstThenRefillAtRate) {
  base::FakeClock clock;
  RateLimiter limiter(4.0, 2.0, clock);  // 4/s: one token per 250 ms
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_FALSE(limiter.TryAcquire());
  EXPECT_EQ(limiter.TimeUntilAvailable(), milliseconds(250));
  clock.Advance(milliseconds(249));
  EXPECT_FALSE(limiter.TryAcquire());
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(limiter.TryAcquire());
}

TEST(RateLimiterTest, RefillNeverExceedsBurst) {
  base::FakeClock clock;
  RateLimiter limiter(10.0, 3.0, clock);
  clock.Advance(milliseconds(60000));
  int taken = 0;
  while (limiter.TryAcquire()) ++taken;
  EXPECT_EQ(taken, 3);
}

TEST(RateLimiterTest, AcquireSleepsOnTheClockUntilATokenIsThere) {
  base::FakeClock clock;
  RateLimiter limiter(5.0, 1.0, clock);  // 200 ms per token
  for (int i = 0; i < 6; ++i) limiter.Acquire();
  // One from the full bucket, then five refills of 200 ms each.
  EXPECT_EQ(clock.Slept(), milliseconds(1000));
}

TEST(RetryPolicyTest, FullJitterUpToAnExponentialCap) {
  RetryPolicy policy(RetryOptions{6, milliseconds(100), milliseconds(1000)});
  base::FakeRandom max_random = base::FakeRandom::Fraction(1.0);
  EXPECT_EQ(policy.Backoff(1, max_random), milliseconds(100));
  EXPECT_EQ(policy.Backoff(2, max_random), milliseconds(200));
  EXPECT_EQ(policy.Backoff(3, max_random), milliseconds(400));
  EXPECT_EQ(policy.Backoff(4, max_random), milliseconds(800));
  EXPECT_EQ(policy.Backoff(5, max_random), milliseconds(1000));
  EXPECT_EQ(policy.Backoff(60, max_random), milliseconds(1000));  // no overflow
  base::FakeRandom min_random = base::FakeRandom::Fraction(0.0);
  EXPECT_EQ(policy.Backoff(3, min_random), milliseconds(0));
  base::FakeRandom half = base::FakeRandom::Fraction(0.5);
  EXPECT_EQ(policy.Backoff(3, half), milliseconds(200));
  EXPECT_EQ(half.asked, (std::vector<uint64_t>{401}));  // [0, 400]: the bound is exclusive
}

TEST(RetryPolicyTest, RetriesOnlyTransientErrors) {
  EXPECT_TRUE(RetryPolicy::IsRetryable(Error(ErrorCode::kUnavailable, "503")));
  EXPECT_TRUE(RetryPolicy::IsRetryable(Error(ErrorCode::kResourceExhausted, "429")));
  EXPECT_TRUE(RetryPolicy::IsRetryable(Error(ErrorCode::kDeadlineExceeded, "timeout")));
  EXPECT_FALSE(RetryPolicy::IsRetryable(Error(ErrorCode::kPermissionDenied, "401")));
  EXPECT_FALSE(RetryPolicy::IsRetryable(Error(ErrorCode::kNotFound, "404")));
  EXPECT_FALSE(RetryPolicy::IsRetryable(Error(ErrorCode::kInvalidArgument, "422")));
}

}  // namespace
}  // namespace steer::dns
