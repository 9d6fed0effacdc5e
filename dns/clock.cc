#include "steer/dns/clock.h"

#include <mutex>
#include <random>
#include <thread>

namespace steer::dns {

Clock::TimePoint SystemClock::Now() { return std::chrono::steady_clock::now(); }

void SystemClock::SleepFor(std::chrono::milliseconds d) {
  if (d.count() > 0) std::this_thread::sleep_for(d);
}

struct SystemRandom::State {
  std::mutex mu;
  std::mt19937_64 engine{std::random_device{}()};
};

SystemRandom::SystemRandom() : state_(new State) {}
SystemRandom::~SystemRandom() { delete state_; }

uint64_t SystemRandom::Uniform(uint64_t n) {
  std::lock_guard<std::mutex> lock(state_->mu);
  return std::uniform_int_distribution<uint64_t>(0, n)(state_->engine);
}

}  // namespace steer::dns
