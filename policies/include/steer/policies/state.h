#pragma once

// What the engine remembers about one service between ticks. The engine takes the current
// state and returns the next one; the agent persists it (names, not indexes, so that a policy
// reload keeps it). Plain data.

#include <optional>
#include <string>
#include <vector>

#include "steer/policies/health.h"

namespace steer::policies {

// How long a region has been in its current quorum verdict, for hold_down and failback_after.
struct RegionTrack {
  std::string region;
  Health verdict = Health::kUnknown;
  Time since{0};  // when the verdict last changed
};

struct ServiceState {
  bool initialized = false;  // false: first tick, the service starts on its preferred region
  std::string region;        // the region served; "" while serving all regions
  bool serving_all = false;  // all_down: serve_all is in effect
  std::vector<std::string> answers;   // the answers served
  std::optional<Time> last_change;    // for min_change_interval
  std::vector<Time> changes;          // change times in the last hour, for max_changes_per_hour
  std::optional<Time> blocked_until;  // automatic changes blocked until then (after a failover)
  std::vector<RegionTrack> tracks;    // one per service region, in policy order
};

// An operator acknowledged the last automatic failover: automatic changes resume now.
void Acknowledge(ServiceState& state);

// A state read back (after a restart, or written by another agent) made fit for a clock that
// reads `now`. A time stamp after `now` (the clock was stepped back since it was taken) becomes
// `now`, and the block window moves back with the failover that opened it (last_change): so a
// backward step delays a failback or a change by at most one full hold_down, failback_after,
// min_change_interval, block_after_failover or hour of max_changes_per_hour from `now`, never
// by the step. Stamps that are not in the future are kept. (A step while no agent of this boot
// ran does not reach here: the agent's policy clock continues across restarts,
// agent/policy_clock.h; a step while the machine was off is taken for time that passed.)
void ClampToNow(ServiceState& state, Time now);

}  // namespace steer::policies
