#pragma once

// The policy engine: a pure function from (policy, health view, state, overrides, now) to one
// Decision per service. No I/O, no clock, no threads, no randomness: the same inputs always
// give the same decisions, which is what lets `steerctl simulate` replay an incident exactly.
// An Engine is immutable after Create(); its const methods are safe from many threads.
// Semantics, rule by rule: docs/policies.md.

#include <string>
#include <vector>

#include "steer/base/error.h"
#include "steer/config/policy.h"
#include "steer/policies/decision.h"
#include "steer/policies/health.h"
#include "steer/policies/overrides.h"
#include "steer/policies/state.h"

namespace steer::policies {

// What an operator asks for.
enum class RequestKind { kSwitchover, kForce, kDrain };

struct OperatorRequest {
  RequestKind kind = RequestKind::kSwitchover;
  std::string service;       // switchover, force
  std::string region;        // the target region (drain: the region drained)
  std::vector<Rule> bypass;  // force only
};

class Engine {
 public:
  // Fails when the policy refers to regions or components that do not exist.
  static Result<Engine> Create(config::Policy policy);

  const config::Policy& policy() const { return policy_; }
  const Layout& layout() const { return layout_; }

  // Quorum verdict of every region of one service (the service's quorum settings apply); a
  // region with fewer than min_healthy of its probed answers up counts as down.
  std::vector<RegionVerdict> AssessRegions(int service, const HealthView& view, Time now) const;

  // Quorum verdict of every component of every region of one service, regions in policy
  // order and components in layout order. Costs about as much as AssessRegions: the agent
  // samples it for uptime history, not on every tick.
  std::vector<ComponentVerdict> AssessComponents(int service, const HealthView& view,
                                                 Time now) const;

  // One service; `state` is the previous tick's Decision::next (or a default state).
  Decision Decide(int service, const HealthView& view, const ServiceState& state,
                  const Overrides& overrides, Time now) const;

  // Every service, in policy order; `states` is indexed like policy().services (missing
  // entries start fresh).
  std::vector<Decision> Evaluate(const HealthView& view, const std::vector<ServiceState>& states,
                                 const Overrides& overrides, Time now) const;

  // Whether an operator request is allowed now, and if not which rule refuses it.
  RequestCheck Check(const OperatorRequest& request, const HealthView& view,
                     const std::vector<ServiceState>& states, const Overrides& overrides,
                     Time now) const;

 private:
  Engine(config::Policy policy, Layout layout);
  // `verdicts`: the regions' quorum verdicts; the answers' own probes are judged here.
  Decision DecideWith(int service, std::vector<RegionVerdict> verdicts, const HealthView& view,
                      const ServiceState& state, const Overrides& overrides, Time now) const;
  RequestCheck CheckDrain(const OperatorRequest& request, const HealthView& view,
                          const Overrides& overrides, Time now) const;
  RequestCheck CheckPin(const OperatorRequest& request, const HealthView& view,
                        const std::vector<ServiceState>& states, const Overrides& overrides,
                        Time now) const;

  config::Policy policy_;
  Layout layout_;
  std::vector<std::vector<int>> service_regions_;  // service -> layout region indexes
  std::vector<int> region_users_;                  // layout region -> services using it
  // service -> service region -> answer -> layout target of its own probe, or -1
  std::vector<std::vector<std::vector<int>>> address_targets_;
};

}  // namespace steer::policies
