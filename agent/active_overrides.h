#pragma once

// The operator overrides in force now (the shared state: the state store, or etcd), as the
// policy engine takes them: read by the decision loop on every tick and by the API for status
// and operator requests. An unreadable shared state is logged (once per distinct error) and
// yields nullopt: the leader then decides nothing rather than forget a pause. Thread-safe as
// far as the shared state is.

#include <optional>

#include "shared_state.h"
#include "steer/policies/overrides.h"

namespace steer::agent {

std::optional<policies::Overrides> LoadOverrides(SharedState& shared, policies::Time now);

// When an override ends on the policy clock that reads `now` (nullopt: when cleared). One made
// "in the future" (the clock was stepped back across a reboot, or another agent's clock) ends
// as much earlier, so it lasts at most its full length from `now` (`pause --for 10m`: at most
// 10 minutes), never an extra step. A forward step across a reboot shortens it (a restart
// within one boot continues policy time: policy_clock.h).
std::optional<policies::Time> OverrideUntil(const Override& o, policies::Time now);

}  // namespace steer::agent
