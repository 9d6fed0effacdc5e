#include "steer/base/random.h"

#include <mutex>
#include <random>

namespace steer::base {

struct SystemRandom::State {
  std::mutex mu;
  std::mt19937_64 engine{std::random_device{}()};
};

SystemRandom::SystemRandom() : state_(std::make_unique<State>()) {}
SystemRandom::~SystemRandom() = default;

uint64_t SystemRandom::Below(uint64_t bound) {
  if (bound == 0) return 0;
  std::lock_guard<std::mutex> lock(state_->mu);
  return std::uniform_int_distribution<uint64_t>(0, bound - 1)(state_->engine);
}

FakeRandom FakeRandom::Fraction(double fraction) {
  FakeRandom r;
  r.fraction_ = fraction < 0 ? 0 : (fraction > 1 ? 1 : fraction);
  return r;
}

uint64_t FakeRandom::Below(uint64_t bound) {
  asked.push_back(bound);
  if (bound == 0) return 0;
  if (fraction_ < 0) return value_ % bound;
  return static_cast<uint64_t>(static_cast<double>(bound - 1) * fraction_);
}

}  // namespace steer::base
