#pragma once

// Region health by quorum of vantage points (private to steer_policies).

#include "steer/config/policy.h"
#include "steer/policies/decision.h"
#include "steer/policies/health.h"

namespace steer::policies {

// The verdict on one region under one service's quorum settings, with a one-line summary.
// The verdict on one probe target alone (an answer's own probe) by the same quorum rule as a
// region's: outside vantage points vote, the region's own only when nobody outside reports.
struct TargetVerdict {
  Health verdict = Health::kUnknown;
  int down_votes = 0;
  int eligible = 0;
  int min_streak = 0;  // the fewest failures in a row among the down votes
  std::string error;   // one down vote's latest error
};
TargetVerdict AssessTarget(const Layout& layout, int target, const config::QuorumConfig& quorum,
                           const HealthView& view, Time now);

ComponentVerdict AssessComponent(const Layout& layout, int region, int component,
                                 const config::QuorumConfig& quorum, const HealthView& view,
                                 Time now);

RegionVerdict AssessRegion(const Layout& layout, int region, const config::QuorumConfig& quorum,
                           const HealthView& view, Time now);

}  // namespace steer::policies
