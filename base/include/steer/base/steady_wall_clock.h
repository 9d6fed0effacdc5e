#pragma once

// SteadyWallClock: Steer's policy time (docs/reliability.md, "Clock faults"), and the anchor
// that lets a restarted process continue it.
// Thread-safety: SteadyWallClock is as safe as the inner clock (it keeps only constants);
// the functions are pure except ReadBootId.

#include <chrono>
#include <optional>
#include <string>

#include "steer/base/clock.h"
#include "steer/base/error.h"

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
  // Starts at `start` instead of `inner`'s wall time (a line continued by ResumePolicyTime).
  SteadyWallClock(const Clock& inner, WallTime start);
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

// A point of a policy-time line: what the line read when the monotonic clock of boot `boot_id`
// read `steady`. The monotonic clock counts from the boot, so within one boot two processes'
// readings compare, and the anchor a process persisted lets the next one continue its line.
struct PolicyClockAnchor {
  std::string boot_id;
  Clock::SteadyTime steady{};
  Clock::WallTime policy{};
};

// Where a new process's policy time starts. With an anchor of this boot (same boot id, its
// monotonic reading not after `clock`'s): the anchor's policy time plus the monotonic time
// since, so a window persisted before a restart lasts its real length even when the wall clock
// was stepped (either way) while no process ran. Otherwise (no anchor, another boot, no boot
// id): `clock`'s wall time, and a step while the machine was off is indistinguishable from
// time that passed.
Clock::WallTime ResumePolicyTime(const std::optional<PolicyClockAnchor>& anchor,
                                 const std::string& boot_id, const Clock& clock);

// This boot's id (/proc/sys/kernel/random/boot_id, without the newline).
Result<std::string> ReadBootId();

}  // namespace steer::base
