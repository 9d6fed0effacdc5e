#pragma once

// SteadyWallClock: Steer's policy time (docs/reliability.md, "Clock faults").
// Thread-safety: as safe as the inner clock (it keeps only constants).

#include <chrono>

#include "steer/base/clock.h"

namespace steer::base {

// A wall clock that moves only with the monotonic clock: it reads `inner`'s wall time once, when
// made, and from then on advances by `inner`'s steady clock. A step of the system clock (NTP, an
// operator's `date -s`, a resumed VM) while the process runs moves neither the durations nor the
// deadlines measured on it, and its readings still mean "milliseconds since the Unix epoch", so
// times it stamps may be persisted and compared with the wall clock after a restart (they equal
// the wall clock at start and differ from it only by the steps since). Steer's policy time.
// SteadyNow and SleepFor are `inner`'s, which must outlive this clock.
class SteadyWallClock final : public Clock {
 public:
  explicit SteadyWallClock(const Clock& inner);
  SteadyTime SteadyNow() const override { return inner_.SteadyNow(); }
  WallTime WallNow() const override;
  void SleepFor(std::chrono::nanoseconds d) const override { inner_.SleepFor(d); }
  // `inner`'s wall time minus this clock's: how far the wall clock was stepped since start.
  std::chrono::nanoseconds Skew() const;

 private:
  const Clock& inner_;
  const SteadyTime steady0_;
  const WallTime wall0_;
};

}  // namespace steer::base
