#include "steer/dns/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "steer/base/clock.h"

namespace steer::dns {

RateLimiter::RateLimiter(double rate_per_second, double burst, const base::Clock& clock)
    : rate_(rate_per_second > 0 ? rate_per_second : 1.0),
      burst_(std::max(1.0, burst)),
      clock_(clock),
      tokens_(std::max(1.0, burst)),
      last_(clock.SteadyNow()) {}

void RateLimiter::RefillLocked() {
  base::Clock::SteadyTime now = clock_.SteadyNow();
  if (now <= last_) return;
  double seconds = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  last_ = now;
}

bool RateLimiter::TryAcquire() {
  std::lock_guard<std::mutex> lock(mu_);
  RefillLocked();
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::chrono::milliseconds RateLimiter::TimeUntilAvailable() {
  std::lock_guard<std::mutex> lock(mu_);
  RefillLocked();
  if (tokens_ >= 1.0) return std::chrono::milliseconds(0);
  double ms = std::ceil((1.0 - tokens_) / rate_ * 1000.0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(1.0, ms)));
}

void RateLimiter::Acquire() {
  // Another thread may take the token we waited for; loop until ours is taken.
  while (!TryAcquire()) clock_.SleepFor(TimeUntilAvailable());
}

}  // namespace steer::dns
