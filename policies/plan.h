#pragma once

// The steps of one service's decision (private to steer_policies): what the pins ask for,
// what the automatic rules want, and the gates a change must pass.

#include <algorithm>
#include <string>
#include <vector>

#include "steer/config/policy.h"
#include "steer/policies/decision.h"
#include "steer/policies/overrides.h"
#include "steer/policies/state.h"

namespace steer::policies {

// Whether a forced request names `rule` among the rules it bypasses.
inline bool Bypasses(const std::vector<Rule>& bypass, Rule rule) {
  return std::find(bypass.begin(), bypass.end(), rule) != bypass.end();
}

struct Context {
  const config::ServiceConfig& svc;
  const std::vector<RegionVerdict>& verdicts;  // per service region
  std::vector<bool> drained;                   // per service region
  const ServiceState& state;                   // prepared: initialised, tracks current
  int current = -1;                            // service region index; -1 while serving all
  Time now{0};
};

struct Plan {
  bool decided = false;  // false: the pins had nothing to say
  bool change = false;
  bool serve_all = false;  // the change is to serve every region
  int target = -1;         // service region index of the change
  Action action = Action::kNone;
  std::string cause;
  std::vector<Rule> bypass;  // rules a force overrides
  std::vector<std::string> reasons;
};

// What a force or switchover pin asks for; not decided when there is no valid pin (the
// reasons then say why a pin was set aside).
Plan PlanPinned(const Context& ctx, const Pin* pin, bool at_least_one_serving);

// What the automatic rules want: failover, failback, hold, serve all or nothing.
Plan PlanAutomatic(const Context& ctx, std::vector<std::string> notes);

// Turns a wanted change into hold or blocked when a rule refuses it now.
void Gate(const Context& ctx, bool paused, Plan& plan);

std::string Ms(Time t);  // "12.5s" style, for reasons

}  // namespace steer::policies
