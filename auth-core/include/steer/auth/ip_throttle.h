#pragma once

// Per-IP token buckets: `rate` requests per second with a burst of `burst`. Used to answer
// 429 to one address hammering the login or all endpoints. Memory is bounded: idle buckets
// are dropped when the table grows past `max_entries`. Thread-safe (one mutex).

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace steer::auth {

class IpThrottle {
 public:
  IpThrottle(double rate_per_second, double burst, size_t max_entries = 100000);
  // Takes one token for `ip` at time `now` (seconds, any monotonic origin); false = throttled.
  bool Allow(std::string_view ip, double now);
  bool enabled() const { return rate_ > 0; }

 private:
  struct Bucket {
    double tokens;
    double updated;
  };
  double rate_, burst_;
  size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace steer::auth
