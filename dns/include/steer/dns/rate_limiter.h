#pragma once

// A token bucket per provider: `rate` tokens per second refill a bucket of `burst` tokens; a
// request takes one. Defaults come from each provider's published limits (see
// RateLimitFor in factory.h). Thread-safe: callers on several threads share one bucket.

#include <chrono>
#include <mutex>

#include "steer/base/clock.h"

namespace steer::dns {

class RateLimiter {
 public:
  // rate > 0 tokens/second, burst >= 1. The bucket starts full.
  RateLimiter(double rate_per_second, double burst, const base::Clock& clock);

  // Takes a token now if one is available.
  bool TryAcquire();
  // Time until a token will be available (0 if one is now).
  std::chrono::milliseconds TimeUntilAvailable();
  // Takes a token, sleeping on the clock until one is available.
  void Acquire();

  double rate_per_second() const { return rate_; }

 private:
  void RefillLocked();

  const double rate_;
  const double burst_;
  const base::Clock& clock_;
  std::mutex mu_;
  double tokens_;                 // guarded by mu_
  base::Clock::SteadyTime last_;  // guarded by mu_
};

}  // namespace steer::dns
