#pragma once

// The operator overrides in force now (state store), as the policy engine takes them: read by
// the decision loop on every tick and by the API for status and operator requests. A store
// error is logged and yields no overrides. Thread-safe as far as the store is.

#include "shared_state.h"
#include "steer/policies/overrides.h"

namespace steer::agent {

policies::Overrides LoadOverrides(SharedState& shared, policies::Time now);

}  // namespace steer::agent
