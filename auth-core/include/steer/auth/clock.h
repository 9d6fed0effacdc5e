#pragma once

// Time source injected everywhere tokens are issued or checked, so tests control time.
// Implementations must be thread-safe.

#include <chrono>
#include <cstdint>

namespace steer::auth {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual int64_t Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t Now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace steer::auth
