#pragma once

// Which region's answers a provider serves, for adopting the records found at start.

#include <string>
#include <utility>
#include <vector>

#include "steer/config/policy.h"

namespace steer::agent {

// The region whose answers `records` are ("" when none), and whether they are every region's
// answers together. Records that are some of a region's answers (an address out of rotation,
// docs/policies.md §11) match that region when its answers have their own probes and no
// region's answers match exactly.
std::pair<std::string, bool> MatchRegion(const config::ServiceConfig& sc,
                                         const std::vector<std::string>& records);

}  // namespace steer::agent
