#pragma once

// Randomness, injected (jitter, backoff, spreading probes) so that tests are deterministic.
// One Random for every library; its bound is always exclusive.
//
// Thread-safety: SystemRandom is safe to use from several threads; FakeRandom is for
// single-threaded tests.

#include <cstdint>
#include <memory>
#include <vector>

namespace steer::base {

class Random {
 public:
  virtual ~Random() = default;
  // Uniformly distributed in [0, bound); 0 when bound == 0.
  virtual uint64_t Below(uint64_t bound) = 0;
};

// std::mt19937_64 seeded from std::random_device, under a mutex.
class SystemRandom final : public Random {
 public:
  SystemRandom();
  ~SystemRandom() override;
  uint64_t Below(uint64_t bound) override;

 private:
  struct State;
  std::unique_ptr<State> state_;  // keeps <random> and <mutex> out of the header
};

// Deterministic: either a fixed value (`value % bound`) or a fixed fraction of the range
// (0 -> 0, 1 -> bound - 1). Records every bound asked for.
class FakeRandom final : public Random {
 public:
  explicit FakeRandom(uint64_t value = 0) : value_(value) {}
  static FakeRandom Fraction(double fraction);

  uint64_t Below(uint64_t bound) override;
  void Set(uint64_t value) { value_ = value; }

  std::vector<uint64_t> asked;

 private:
  uint64_t value_ = 0;
  double fraction_ = -1;  // < 0: use value_
};

}  // namespace steer::base
