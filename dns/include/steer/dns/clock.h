#pragma once

// Time and randomness, injected so that rate limits, backoff and deadlines are tested without
// sleeping. The real implementations are thread-safe; fakes for tests (FakeClock advances
// only when slept on, FakeRandom) live in dns/test_fakes.h.

#include <chrono>
#include <cstdint>

namespace steer::dns {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() = 0;
  // Blocks the calling thread for `d` (a fake just advances Now()).
  virtual void SleepFor(std::chrono::milliseconds d) = 0;
};

class Random {
 public:
  virtual ~Random() = default;
  // Uniform in [0, n] inclusive.
  virtual uint64_t Uniform(uint64_t n) = 0;
};

// steady_clock and std::this_thread::sleep_for.
class SystemClock : public Clock {
 public:
  TimePoint Now() override;
  void SleepFor(std::chrono::milliseconds d) override;
};

// std::mt19937_64 seeded from std::random_device, guarded by a mutex.
class SystemRandom : public Random {
 public:
  SystemRandom();
  ~SystemRandom() override;
  uint64_t Uniform(uint64_t n) override;

 private:
  struct State;
  State* state_;  // owned; pimpl keeps <random> and <mutex> out of the header
};

}  // namespace steer::dns
