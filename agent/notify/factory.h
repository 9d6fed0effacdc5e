#pragma once

// Builds the notifiers of a policy (an explicit switch over NotifierType; no registry magic).
// Secrets (url_secret, password) are resolved here; errors name only the reference.

#include <vector>

#include "notify/dispatcher.h"
#include "steer/config/policy.h"

namespace steer::agent::notify {

Result<std::vector<Route>> BuildRoutes(const std::vector<config::NotifierConfig>& configs);

}  // namespace steer::agent::notify
