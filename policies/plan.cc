#include "plan.h"

#include <algorithm>

#include "steer/base/duration.h"

namespace steer::policies {
namespace {

const std::string& Name(const Context& ctx, int i) {
  return ctx.svc.regions[static_cast<size_t>(i)].region;
}

Health Verdict(const Context& ctx, int i) { return ctx.verdicts[static_cast<size_t>(i)].verdict; }

const std::string& Summary(const Context& ctx, int i) {
  return ctx.verdicts[static_cast<size_t>(i)].summary;
}

// The highest-priority healthy region that is not drained, below `limit` and not `exclude`.
int BestHealthy(const Context& ctx, int limit, int exclude) {
  for (int i = 0; i < limit; ++i) {
    if (i != exclude && Verdict(ctx, i) == Health::kHealthy &&
        !ctx.drained[static_cast<size_t>(i)]) {
      return i;
    }
  }
  return -1;
}

Plan Change(int target, Action action, std::string cause, std::vector<std::string> reasons) {
  Plan p;
  p.decided = true;
  p.change = true;
  p.target = target;
  p.action = action;
  p.cause = std::move(cause);
  p.reasons = std::move(reasons);
  return p;
}

Plan Stay(Action action, std::string cause, std::vector<std::string> reasons) {
  Plan p;
  p.decided = true;
  p.action = action;
  p.cause = std::move(cause);
  p.reasons = std::move(reasons);
  return p;
}

// Every region down, unknown or drained: never steer to a down region, never serve nothing.
Plan AllDown(const Context& ctx, std::vector<std::string> reasons) {
  for (size_t i = 0; i < ctx.verdicts.size(); ++i) {
    if (static_cast<int>(i) != ctx.current) reasons.push_back(ctx.verdicts[i].summary);
  }
  if (ctx.svc.all_down == config::AllDownMode::kServeAll) {
    if (ctx.current < 0) {
      reasons.push_back("no healthy region; serving all regions (all_down: serve_all)");
      return Stay(Action::kNone, "all_down_serve_all", std::move(reasons));
    }
    reasons.push_back("no healthy region; failing open to all regions (all_down: serve_all)");
    Plan p = Change(-1, Action::kServeAll, "all_down_serve_all", std::move(reasons));
    p.serve_all = true;
    return p;
  }
  reasons.push_back("no healthy region; keeping " +
                    (ctx.current < 0 ? std::string("all regions") : Name(ctx, ctx.current)) +
                    " (all_down: keep)");
  return Stay(Action::kHold, "all_down_keep", std::move(reasons));
}

// Some region above the served one `cur` is healthy and not drained. Fails back to the
// highest-priority one that has been healthy for failback_after, even while a better one is
// still waiting (it gets its own failback once it qualifies); holds while none qualifies.
Plan Failback(const Context& ctx, int cur, std::vector<std::string> reasons) {
  const int best = BestHealthy(ctx, cur, -1);
  if (ctx.svc.failback == config::FailbackMode::kManual) {
    reasons.push_back(Summary(ctx, best));
    reasons.push_back("failback is manual: switch over to " + Name(ctx, best) + " when ready");
    return Stay(Action::kNone, "failback_manual", std::move(reasons));
  }
  std::vector<std::string> waiting;
  for (int i = best; i < cur; ++i) {
    if (Verdict(ctx, i) != Health::kHealthy || ctx.drained[static_cast<size_t>(i)]) continue;
    const Time healthy_for = ctx.now - ctx.state.tracks[static_cast<size_t>(i)].since;
    if (healthy_for >= ctx.svc.failback_after) {
      reasons.insert(reasons.end(), waiting.begin(), waiting.end());
      reasons.push_back(Summary(ctx, i));
      return Change(i, Action::kFailback, "failback", std::move(reasons));
    }
    waiting.push_back(Name(ctx, i) + " healthy for " + Ms(healthy_for) + " of failback_after " +
                      Ms(ctx.svc.failback_after));
  }
  reasons.push_back(Summary(ctx, best));
  reasons.insert(reasons.end(), waiting.begin(), waiting.end());
  return Stay(Action::kHold, "failback_wait", std::move(reasons));
}

// The current region is down or drained: move to the best healthy region, or handle all-down.
Plan MoveAway(const Context& ctx, std::vector<std::string> reasons, const std::string& cause) {
  int best = BestHealthy(ctx, static_cast<int>(ctx.verdicts.size()), ctx.current);
  if (best < 0) return AllDown(ctx, std::move(reasons));
  reasons.push_back(Summary(ctx, best));
  return Change(best, Action::kFailover, cause, std::move(reasons));
}

}  // namespace

std::string Ms(Time t) { return base::FormatDuration(t); }

Plan PlanPinned(const Context& ctx, const Pin* pin, bool at_least_one_serving) {
  Plan p;
  if (pin == nullptr) return p;
  const bool force = pin->kind == PinKind::kForce;
  const std::string kind = force ? "force" : "switchover";
  int idx = -1;
  for (size_t i = 0; i < ctx.svc.regions.size(); ++i) {
    if (ctx.svc.regions[i].region == pin->region) idx = static_cast<int>(i);
  }
  const std::string set_aside = kind + " to " + pin->region + " set aside: ";
  if (idx < 0) {
    p.reasons.push_back(set_aside + "the region does not serve " + ctx.svc.name);
    return p;
  }
  auto bypassed = [&](Rule r) { return force && Bypasses(pin->bypass, r); };
  if (ctx.drained[static_cast<size_t>(idx)] && !bypassed(Rule::kNotDrained)) {
    p.reasons.push_back(set_aside + "region drained (rule not_drained)");
    return p;
  }
  if (Verdict(ctx, idx) == Health::kUnhealthy &&
      (!force || (at_least_one_serving && !bypassed(Rule::kAtLeastOneServing)))) {
    p.reasons.push_back(set_aside + Summary(ctx, idx) + " (rule " +
                        (force ? "at_least_one_serving" : "healthy_target") + ")");
    return p;
  }
  std::string overriding;
  if (force) {
    for (Rule r : pin->bypass)
      overriding += (overriding.empty() ? "" : ", ") + std::string(RuleName(r));
  }
  std::string who = pin->by.empty() ? "operator" : pin->by;
  std::string line = kind + " to " + pin->region + " by " + who +
                     (overriding.empty() ? "" : ", overriding " + overriding);
  if (idx == ctx.current) {
    return Stay(Action::kNone, "pinned", {Summary(ctx, idx), line + "; pinned"});
  }
  std::vector<std::string> reasons;
  if (ctx.current >= 0) reasons.push_back(Summary(ctx, ctx.current));
  reasons.push_back(Summary(ctx, idx));
  reasons.push_back(line);
  p = Change(idx, force ? Action::kForced : Action::kSwitchover, kind == "force" ? "forced" : kind,
             std::move(reasons));
  if (force) p.bypass = pin->bypass;
  return p;
}

Plan PlanAutomatic(const Context& ctx, std::vector<std::string> notes) {
  const int n = static_cast<int>(ctx.verdicts.size());
  std::vector<std::string> reasons = std::move(notes);
  if (ctx.current < 0) {  // serving all: leave fail-open as soon as a region is healthy
    int best = BestHealthy(ctx, n, -1);
    if (best < 0) return AllDown(ctx, std::move(reasons));
    reasons.push_back(Summary(ctx, best));
    // Always a failover, whichever region it is: like any failover it takes the best healthy
    // region at once, without failback_after (docs/policies.md, "Decision kinds and causes").
    return Change(best, Action::kFailover, "recovered", std::move(reasons));
  }
  const int cur = ctx.current;
  reasons.insert(reasons.begin(), Summary(ctx, cur));
  if (ctx.drained[static_cast<size_t>(cur)]) {
    reasons.push_back(Name(ctx, cur) + " drained by operator");
    return MoveAway(ctx, std::move(reasons), "drained");
  }
  if (Verdict(ctx, cur) == Health::kUnhealthy) {
    const Time down_for = ctx.now - ctx.state.tracks[static_cast<size_t>(cur)].since;
    if (down_for < ctx.svc.hold_down) {
      reasons.push_back(Name(ctx, cur) + " down for " + Ms(down_for) + " of hold_down " +
                        Ms(ctx.svc.hold_down));
      return Stay(Action::kHold, "hold_down", std::move(reasons));
    }
    return MoveAway(ctx, std::move(reasons), "down");
  }
  if (BestHealthy(ctx, cur, -1) >= 0) return Failback(ctx, cur, std::move(reasons));
  if (Verdict(ctx, cur) == Health::kUnknown) {
    reasons.push_back("unknown never triggers a change; keeping " + Name(ctx, cur));
    return Stay(Action::kHold, "unknown", std::move(reasons));
  }
  return Stay(Action::kNone, "healthy", std::move(reasons));
}

void Gate(const Context& ctx, bool paused, Plan& plan) {
  if (!plan.change) return;
  const bool manual = plan.action == Action::kForced || plan.action == Action::kSwitchover;
  const auto& st = ctx.state;
  const auto& svc = ctx.svc;
  const std::string to =
      plan.serve_all ? "*" : svc.regions[static_cast<size_t>(plan.target)].region;
  const std::string from =
      ctx.current < 0 ? "*" : svc.regions[static_cast<size_t>(ctx.current)].region;
  std::string wanted = std::string(ActionName(plan.action)) + " " + from + " \xE2\x86\x92 " + to;
  auto refuse = [&](Action a, const char* cause, std::string why) {
    plan.reasons.push_back(wanted + " refused: " + why);
    plan.change = false;
    plan.serve_all = false;
    plan.action = a;
    plan.cause = cause;
  };
  if (!manual && paused) {
    return refuse(Action::kBlocked, "paused", "automatic changes paused by operator");
  }
  if (!manual && st.blocked_until && ctx.now < *st.blocked_until) {
    return refuse(Action::kBlocked, "block_window",
                  "automatic changes blocked for " + Ms(*st.blocked_until - ctx.now) +
                      " more after the last failover (acknowledge to resume)");
  }
  if (st.last_change && ctx.now - *st.last_change < svc.min_change_interval &&
      !Bypasses(plan.bypass, Rule::kMinChangeInterval)) {
    return refuse(Action::kHold, "min_change_interval",
                  "last change " + Ms(ctx.now - *st.last_change) + " ago, min_change_interval " +
                      Ms(svc.min_change_interval));
  }
  const int max = svc.safety.max_changes_per_hour;
  if (max > 0 && static_cast<int>(st.changes.size()) >= max &&
      !Bypasses(plan.bypass, Rule::kMaxChangesPerHour)) {
    return refuse(Action::kBlocked, "max_changes_per_hour",
                  std::to_string(st.changes.size()) +
                      " changes in the last hour, max_changes_per_hour " + std::to_string(max));
  }
}

}  // namespace steer::policies
