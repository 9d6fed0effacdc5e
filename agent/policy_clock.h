#pragma once

// The agent's policy time across restarts (docs/reliability.md, "Clock faults"). A running
// steerd's policy time moves only with the monotonic clock (base::SteadyWallClock); the stamps
// it persists (engine state, overrides) are on that line. StartPolicyClock continues the line
// of the previous steerd of this boot, so a window persisted before a restart lasts its real
// length even when the wall clock was stepped while no steerd ran.
//
// Thread-safety: call once, at start, before any thread reads the clock.

#include <memory>
#include <string>

#include "state_store.h"
#include "steer/base/steady_wall_clock.h"

namespace steer::agent {

// The state-store blob that holds the anchor (JSON: boot_id, steady_ns, policy_ns).
inline constexpr const char* kPolicyClockBlob = "policy_clock";

// A policy clock over `clock` that starts where base::ResumePolicyTime puts it, given the anchor
// in `store` and this boot's id (empty: unknown, start at the wall time), and the anchor of the
// new line written back. A store that cannot be read or written costs only the continuation
// (logged once): the clock then starts at the wall time, as it did before anchors.
std::unique_ptr<base::SteadyWallClock> StartPolicyClock(StateStore& store, const base::Clock& clock,
                                                        const std::string& boot_id);

}  // namespace steer::agent
