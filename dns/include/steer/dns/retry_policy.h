#pragma once

// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
// Jitter"): the n-th retry waits a uniform random time in [0, min(max, initial * 2^n)].
// Full jitter spreads retries of many agents hitting one rate-limited API. Immutable after
// construction; thread-safe given a thread-safe base::Random.

#include <chrono>

#include "steer/base/clock.h"
#include "steer/base/error.h"
#include "steer/base/random.h"

namespace steer::dns {

struct RetryOptions {
  int max_attempts = 5;                    // tries in total, the first included
  std::chrono::milliseconds initial{100};  // cap of the first retry's wait
  std::chrono::milliseconds max{10000};    // cap of any wait
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options) : options_(options) {}

  // True for provider errors worth retrying: kUnavailable (5xx, network),
  // kDeadlineExceeded (timeout), kResourceExhausted (429, throttling).
  static bool IsRetryable(const Error& error);

  // Wait before retry number `retry` (1 = the first retry).
  std::chrono::milliseconds Backoff(int retry, base::Random& random) const;

  int max_attempts() const { return options_.max_attempts; }

 private:
  RetryOptions options_;
};

}  // namespace steer::dns
