#include "steer/auth/ip_throttle.h"

#include <algorithm>

namespace steer::auth {

IpThrottle::IpThrottle(double rate_per_second, double burst, size_t max_entries)
    : rate_(rate_per_second), burst_(std::max(burst, 1.0)), max_entries_(max_entries) {}

bool IpThrottle::Allow(std::string_view ip, double now) {
  if (rate_ <= 0) return true;
  std::lock_guard lock(mu_);
  if (buckets_.size() >= max_entries_) {
    // Drop buckets that have refilled completely: forgetting them changes nothing.
    std::erase_if(buckets_, [&](const auto& kv) {
      return kv.second.tokens + (now - kv.second.updated) * rate_ >= burst_;
    });
    if (buckets_.size() >= max_entries_) return false;  // under attack from many addresses
  }
  auto [it, inserted] = buckets_.try_emplace(std::string(ip), Bucket{burst_, now});
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + (now - b.updated) * rate_);
  b.updated = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace steer::auth
