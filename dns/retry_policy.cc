#include "steer/dns/retry_policy.h"

#include <algorithm>

#include "steer/base/random.h"

namespace steer::dns {

bool RetryPolicy::IsRetryable(const Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kDeadlineExceeded ||
         error.code == ErrorCode::kResourceExhausted;
}

std::chrono::milliseconds RetryPolicy::Backoff(int retry, base::Random& random) const {
  int64_t cap = options_.max.count();
  int64_t base = options_.initial.count();
  // Doubling stops at the cap, so the shift never overflows.
  for (int i = 1; i < retry && base < cap; ++i) base *= 2;
  int64_t ceiling = std::max<int64_t>(0, std::min(base, cap));
  // Full jitter: uniform in [0, ceiling], both ends included.
  return std::chrono::milliseconds(
      static_cast<int64_t>(random.Below(static_cast<uint64_t>(ceiling) + 1)));
}

}  // namespace steer::dns
