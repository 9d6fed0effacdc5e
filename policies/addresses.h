#pragma once

// Addresses out of rotation (private to steer_policies; docs/policies.md, §11): an answer
// with its own probe that a quorum of vantage points sees down is left out of its region's
// answers while the region keeps min_healthy addresses up; below that the region counts as
// down and, should it still be served, serves all its answers (never an empty RRset).

#include <string>
#include <vector>

#include "steer/config/policy.h"
#include "steer/policies/decision.h"
#include "steer/policies/health.h"

namespace steer::policies {

// Per service region, per answer: the layout target of the answer's own probe, or -1.
std::vector<std::vector<int>> AddressTargets(const Layout& layout,
                                             const config::ServiceConfig& svc);

// Per service region: the answers to serve, and why addresses are out. Both empty when no
// address is out anywhere (the common case allocates nothing).
struct AddressPool {
  std::vector<std::vector<std::string>> reduced;  // empty entry: the region's answers as written
  std::vector<std::string> notes;                 // the addresses out and why ("" if none)

  const std::vector<std::string>& Answers(const config::ServiceConfig& svc, size_t region) const {
    return reduced.empty() || reduced[region].empty() ? svc.regions[region].answers
                                                      : reduced[region];
  }
};

// Judges every probed answer of the service and turns a region with fewer than min_healthy
// addresses up into a down verdict (its summary says which addresses are down and why).
AddressPool AssessAddresses(const Layout& layout, const config::ServiceConfig& svc,
                            const std::vector<std::vector<int>>& targets, const HealthView& view,
                            Time now, std::vector<RegionVerdict>& verdicts);

}  // namespace steer::policies
