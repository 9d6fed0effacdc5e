// Operator requests and overrides: which rule allows or refuses them.
#include <algorithm>
#include <array>
#include <utility>

#include "plan.h"
#include "steer/policies/engine.h"

namespace steer::policies {
namespace {

constexpr std::array<std::pair<Rule, const char*>, 6> kRules = {{
    {Rule::kAtLeastOneServing, "at_least_one_serving"},
    {Rule::kMaxChangesPerHour, "max_changes_per_hour"},
    {Rule::kMinChangeInterval, "min_change_interval"},
    {Rule::kNotDrained, "not_drained"},
    {Rule::kHealthyTarget, "healthy_target"},
    {Rule::kKnownTarget, "known_target"},
}};

RequestCheck Refuse(Rule rule, std::string why) {
  return RequestCheck{false, rule, std::string("refused by ") + RuleName(rule) + ": " + why};
}

// min_change_interval and max_changes_per_hour, unless bypassed.
std::optional<RequestCheck> CheckRates(const config::ServiceConfig& svc, const ServiceState& st,
                                       const std::vector<Rule>& bypass, Time now) {
  if (st.last_change && now - *st.last_change < svc.min_change_interval &&
      !Bypasses(bypass, Rule::kMinChangeInterval)) {
    return Refuse(Rule::kMinChangeInterval, "last change " + Ms(now - *st.last_change) +
                                                " ago, min_change_interval " +
                                                Ms(svc.min_change_interval));
  }
  const int max = svc.safety.max_changes_per_hour;
  const auto recent = std::count_if(st.changes.begin(), st.changes.end(),
                                    [&](Time t) { return t > now - Time(3600 * 1000); });
  if (max > 0 && recent >= max && !Bypasses(bypass, Rule::kMaxChangesPerHour)) {
    return Refuse(Rule::kMaxChangesPerHour,
                  std::to_string(recent) + " changes in the last hour, max " + std::to_string(max));
  }
  return std::nullopt;
}

}  // namespace

const char* RuleName(Rule rule) {
  for (const auto& [r, name] : kRules) {
    if (r == rule) return name;
  }
  return "unknown";
}

std::optional<Rule> ParseRule(std::string_view name) {
  for (const auto& [r, n] : kRules) {
    if (name == n) return r;
  }
  return std::nullopt;
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kNone:
      return "none";
    case Action::kHold:
      return "hold";
    case Action::kFailover:
      return "failover";
    case Action::kFailback:
      return "failback";
    case Action::kBlocked:
      return "blocked";
    case Action::kSwitchover:
      return "switchover";
    case Action::kForced:
      return "forced";
    case Action::kServeAll:
      return "serve_all";
  }
  return "none";
}

void Acknowledge(ServiceState& state) { state.blocked_until.reset(); }

void ClampToNow(ServiceState& state, Time now) {
  if (state.last_change && *state.last_change > now) {
    if (state.blocked_until) *state.blocked_until -= *state.last_change - now;
    state.last_change = now;
  }
  for (Time& t : state.changes) t = std::min(t, now);
  for (RegionTrack& track : state.tracks) track.since = std::min(track.since, now);
}

bool Active(const std::optional<Time>& until, Time now) { return !until || now < *until; }

bool IsPaused(const Overrides& o, const std::string& service, Time now) {
  return std::any_of(o.pauses.begin(), o.pauses.end(), [&](const Pause& p) {
    return (p.service.empty() || p.service == service) && Active(p.until, now);
  });
}

bool IsDrained(const Overrides& o, const std::string& region, Time now) {
  return std::any_of(o.drains.begin(), o.drains.end(),
                     [&](const Drain& d) { return d.region == region && Active(d.until, now); });
}

const Pin* FindPin(const Overrides& o, const std::string& service, Time now) {
  for (auto it = o.pins.rbegin(); it != o.pins.rend(); ++it) {
    if (it->service == service && Active(it->until, now)) return &*it;
  }
  return nullptr;
}

RequestCheck Engine::Check(const OperatorRequest& req, const HealthView& view,
                           const std::vector<ServiceState>& states, const Overrides& overrides,
                           Time now) const {
  if (req.kind == RequestKind::kSwitchover && !req.bypass.empty()) {
    return RequestCheck{false, std::nullopt,
                        "refused: a switchover cannot override rules; use a forced failover"};
  }
  if (req.kind == RequestKind::kDrain) return CheckDrain(req, view, overrides, now);
  return CheckPin(req, view, states, overrides, now);
}

RequestCheck Engine::CheckDrain(const OperatorRequest& req, const HealthView& view,
                                const Overrides& overrides, Time now) const {
  if (layout_.FindRegion(req.region) < 0) {
    return Refuse(Rule::kKnownTarget, "no region named " + req.region);
  }
  for (size_t s = 0; s < policy_.services.size(); ++s) {
    const auto& svc = policy_.services[s];
    const bool uses = std::any_of(svc.regions.begin(), svc.regions.end(),
                                  [&](const auto& sr) { return sr.region == req.region; });
    if (!uses || !svc.safety.at_least_one_serving ||
        Bypasses(req.bypass, Rule::kAtLeastOneServing)) {
      continue;
    }
    const auto verdicts = AssessRegions(static_cast<int>(s), view, now);
    const bool other = std::any_of(verdicts.begin(), verdicts.end(), [&](const RegionVerdict& v) {
      return v.region != req.region && v.verdict == Health::kHealthy &&
             !IsDrained(overrides, v.region, now);
    });
    if (!other) {
      return Refuse(Rule::kAtLeastOneServing,
                    "draining " + req.region + " leaves " + svc.name + " no healthy region");
    }
  }
  return RequestCheck{true, std::nullopt, "drain " + req.region + " allowed"};
}

RequestCheck Engine::CheckPin(const OperatorRequest& req, const HealthView& view,
                              const std::vector<ServiceState>& states, const Overrides& overrides,
                              Time now) const {
  const bool force = req.kind == RequestKind::kForce;
  auto bypassed = [&](Rule r) { return force && Bypasses(req.bypass, r); };
  auto found = std::find_if(policy_.services.begin(), policy_.services.end(),
                            [&](const config::ServiceConfig& c) { return c.name == req.service; });
  if (found == policy_.services.end()) {
    return Refuse(Rule::kKnownTarget, "no service named " + req.service);
  }
  const config::ServiceConfig& svc = *found;
  const auto s = static_cast<size_t>(found - policy_.services.begin());
  const auto verdicts = AssessRegions(static_cast<int>(s), view, now);
  auto it = std::find_if(verdicts.begin(), verdicts.end(),
                         [&](const RegionVerdict& v) { return v.region == req.region; });
  if (it == verdicts.end()) {
    return Refuse(Rule::kKnownTarget, req.region + " does not serve " + req.service);
  }
  if (IsDrained(overrides, req.region, now) && !bypassed(Rule::kNotDrained)) {
    return Refuse(Rule::kNotDrained, req.region + " is drained");
  }
  if (!force && it->verdict != Health::kHealthy) {
    return Refuse(Rule::kHealthyTarget, "a switchover needs a healthy target; " + it->summary);
  }
  if (force && svc.safety.at_least_one_serving && it->verdict == Health::kUnhealthy &&
      !bypassed(Rule::kAtLeastOneServing)) {
    return Refuse(Rule::kAtLeastOneServing, it->summary);
  }
  const ServiceState fresh;
  const ServiceState& st = s < states.size() ? states[s] : fresh;
  if (st.initialized && !st.serving_all && st.region == req.region) {
    return RequestCheck{true, std::nullopt, req.service + " already serves " + req.region};
  }
  if (auto refused = CheckRates(svc, st, force ? req.bypass : std::vector<Rule>{}, now)) {
    return *refused;
  }
  std::string why = std::string(force ? "force" : "switchover") + " to " + req.region + " allowed";
  if (force && !req.bypass.empty()) {
    why += ", overriding";
    for (Rule r : req.bypass) why += std::string(" ") + RuleName(r);
  }
  return RequestCheck{true, std::nullopt, why};
}

}  // namespace steer::policies
