#pragma once

// Time, injected everywhere time matters (scheduling, hysteresis, rate limits, backoff, token
// lifetimes), so tests control it and never sleep. One Clock for every library.
//
// Thread-safety: SystemClock and FakeClock are safe to use from several threads at once.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

namespace steer::base {

class Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  // Monotonic time, for scheduling, deadlines and durations.
  virtual SteadyTime SteadyNow() const = 0;
  // Wall-clock time, for time stamps and token lifetimes.
  virtual WallTime WallNow() const = 0;
  // Blocks the calling thread for `d` (a fake advances instead). Non-positive: returns.
  virtual void SleepFor(std::chrono::nanoseconds d) const = 0;
};

// Seconds since the Unix epoch, as OIDC and JWT count them.
int64_t UnixSeconds(const Clock& clock);

class SystemClock final : public Clock {
 public:
  SteadyTime SteadyNow() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  void SleepFor(std::chrono::nanoseconds d) const override;
};

// A clock that moves only when told to (Advance, SetWall) or slept on (both time lines move by
// the slept duration, which is recorded).
class FakeClock final : public Clock {
 public:
  SteadyTime SteadyNow() const override;
  WallTime WallNow() const override;
  void SleepFor(std::chrono::nanoseconds d) const override;

  // Moves both time lines forward.
  void Advance(std::chrono::nanoseconds d);
  // Sets the wall clock; the steady clock is untouched (as when NTP steps the system clock).
  void SetWall(WallTime t);
  void SetUnixSeconds(int64_t s) { SetWall(WallTime(std::chrono::seconds(s))); }

  // Every SleepFor so far, and their sum.
  std::vector<std::chrono::nanoseconds> Sleeps() const;
  std::chrono::nanoseconds Slept() const;

 private:
  mutable std::mutex mu_;
  mutable SteadyTime steady_{std::chrono::hours(1000)};
  mutable WallTime wall_{std::chrono::seconds(1'700'000'000)};
  mutable std::vector<std::chrono::nanoseconds> sleeps_;
};

}  // namespace steer::base
