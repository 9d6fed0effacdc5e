#pragma once

// The policy engine's per-service memory (policies::ServiceState) as JSON, so the state store
// keeps block windows, change times and region tracks across restarts. Stateless functions.

#include <nlohmann/json.hpp>

#include "steer/policies/state.h"

namespace steer::agent {

nlohmann::json ServiceStateToJson(const policies::ServiceState& s);
// Unknown or malformed fields fall back to defaults (an uninitialised state).
policies::ServiceState ServiceStateFromJson(const nlohmann::json& j);

}  // namespace steer::agent
