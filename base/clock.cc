#include "steer/base/clock.h"

#include <fstream>
#include <numeric>
#include <thread>

#include "steer/base/steady_wall_clock.h"

namespace steer::base {

int64_t UnixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.WallNow().time_since_epoch())
      .count();
}

void SystemClock::SleepFor(std::chrono::nanoseconds d) const {
  if (d.count() > 0) std::this_thread::sleep_for(d);
}

SteadyWallClock::SteadyWallClock(const Clock& inner)
    : inner_(inner), steady0_(inner.SteadyNow()), wall0_(inner.WallNow()) {}

SteadyWallClock::SteadyWallClock(const Clock& inner, WallTime start)
    : inner_(inner), steady0_(inner.SteadyNow()), wall0_(start) {}

Clock::WallTime SteadyWallClock::WallNow() const {
  return wall0_ + std::chrono::duration_cast<WallTime::duration>(inner_.SteadyNow() - steady0_);
}

std::chrono::nanoseconds SteadyWallClock::Skew() const { return inner_.WallNow() - WallNow(); }

Clock::WallTime ResumePolicyTime(const std::optional<PolicyClockAnchor>& anchor,
                                 const std::string& boot_id, const Clock& clock) {
  const Clock::SteadyTime steady = clock.SteadyNow();
  if (!anchor || boot_id.empty() || anchor->boot_id != boot_id || anchor->steady > steady) {
    return clock.WallNow();
  }
  return anchor->policy +
         std::chrono::duration_cast<Clock::WallTime::duration>(steady - anchor->steady);
}

Result<std::string> ReadBootId() {
  const char* path = "/proc/sys/kernel/random/boot_id";
  std::ifstream in(path);
  std::string id;
  if (!std::getline(in, id) || id.empty()) {
    return MakeError(ErrorCode::kIo, std::string("cannot read the boot id from ") + path);
  }
  return id;
}

Clock::SteadyTime FakeClock::SteadyNow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return steady_;
}

Clock::WallTime FakeClock::WallNow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_;
}

void FakeClock::SleepFor(std::chrono::nanoseconds d) const {
  std::lock_guard<std::mutex> lock(mu_);
  sleeps_.push_back(d);
  if (d.count() <= 0) return;
  steady_ += std::chrono::duration_cast<SteadyTime::duration>(d);
  wall_ += std::chrono::duration_cast<WallTime::duration>(d);
}

void FakeClock::Advance(std::chrono::nanoseconds d) {
  std::lock_guard<std::mutex> lock(mu_);
  steady_ += std::chrono::duration_cast<SteadyTime::duration>(d);
  wall_ += std::chrono::duration_cast<WallTime::duration>(d);
}

void FakeClock::SetWall(WallTime t) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ = t;
}

std::vector<std::chrono::nanoseconds> FakeClock::Sleeps() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sleeps_;
}

std::chrono::nanoseconds FakeClock::Slept() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::accumulate(sleeps_.begin(), sleeps_.end(), std::chrono::nanoseconds(0));
}

}  // namespace steer::base
