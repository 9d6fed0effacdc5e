#pragma once

// Time and randomness are injected so scheduling and hysteresis are testable without sleeps.
// SystemClock and SystemRandom are thread-safe; the fakes are for single-threaded tests.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace steer::probes {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time for scheduling and durations.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
  // Wall-clock time stamped on Observations.
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now();
  }
};

// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point SteadyNow() const override { return steady_; }
  std::chrono::system_clock::time_point WallNow() const override { return wall_; }
  void Advance(std::chrono::microseconds d) {
    steady_ += d;
    wall_ += d;
  }

 private:
  std::chrono::steady_clock::time_point steady_{std::chrono::hours(1)};
  std::chrono::system_clock::time_point wall_{std::chrono::seconds(1'700'000'000)};
};

class Random {
 public:
  virtual ~Random() = default;
  // A uniformly distributed value in [0, bound); 0 when bound == 0.
  virtual uint64_t Below(uint64_t bound) = 0;
};

class SystemRandom final : public Random {
 public:
  uint64_t Below(uint64_t bound) override {
    if (bound == 0) return 0;
    std::lock_guard<std::mutex> lock(mu_);
    return std::uniform_int_distribution<uint64_t>(0, bound - 1)(rng_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 rng_{std::random_device{}()};
};

// Returns a fixed value (clamped below the bound), for deterministic tests.
class FakeRandom final : public Random {
 public:
  explicit FakeRandom(uint64_t value = 0) : value_(value) {}
  uint64_t Below(uint64_t bound) override { return bound == 0 ? 0 : value_ % bound; }
  void Set(uint64_t value) { value_ = value; }

 private:
  uint64_t value_;
};

}  // namespace steer::probes
