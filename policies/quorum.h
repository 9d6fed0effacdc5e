#pragma once

// Region health by quorum of vantage points (private to steer_policies).

#include "steer/config/policy.h"
#include "steer/policies/decision.h"
#include "steer/policies/health.h"

namespace steer::policies {

// The verdict on one region under one service's quorum settings, with a one-line summary.
RegionVerdict AssessRegion(const Layout& layout, int region, const config::QuorumConfig& quorum,
                           const HealthView& view, Time now);

}  // namespace steer::policies
