// Daemon::Operate: operator operations. Each is checked by the policy engine's rules
// (refusals name the rule), recorded as a durable override in the state store, and picked up
// by the decision loop on its next tick. The API layer audits who/what/why.
#include "daemon.h"
#include "daemon_runtime.h"
#include "steer/policies/overrides.h"

namespace steer::agent {
namespace {

using api::Op;
using api::OperationOutcome;
using Status = api::OperationOutcome::Status;

OperationOutcome Ok(const std::string& message) { return {Status::kOk, message, "", {}}; }
OperationOutcome Fail(Status s, const std::string& message) { return {s, message, "", {}}; }

std::optional<WallTime> Expiry(const api::OperationRequest& r, WallTime now) {
  if (!r.duration) return std::nullopt;
  return now + *r.duration;
}

}  // namespace

api::OperationOutcome Daemon::Operate(const api::OperationRequest& r) {
  std::shared_ptr<Runtime> rt = runtime();
  if (r.op == Op::kReload) {
    std::vector<std::string> diagnostics;
    auto ok = Reload(&diagnostics);
    if (ok) return Ok(*ok);
    OperationOutcome out = Fail(Status::kInvalid, ok.error().message);
    out.detail["diagnostics"] = diagnostics;
    return out;
  }
  if (!r.service.empty() && !rt->policy.FindService(r.service)) {
    return Fail(Status::kNotFound, "no service '" + r.service + "'");
  }
  if (!r.region.empty() && !rt->policy.FindRegion(r.region)) {
    return Fail(Status::kNotFound, "no region '" + r.region + "'");
  }
  OperationOutcome out = Request(r, *rt);
  std::string summary = r.who + ": " + api::OpName(r.op);
  if (!r.service.empty()) summary += " " + r.service;
  if (!r.region.empty()) summary += " " + r.region;
  if (!r.to.empty()) summary += " -> " + r.to;
  std::string result = out.status == Status::kOk ? "ok" : "refused: " + out.message;
  rt->notifier->Submit({"operation",
                        r.service,
                        summary + " (" + result + ")",
                        {{"who", r.who}, {"why", r.why}, {"result", result}},
                        std::chrono::system_clock::now()});
  return out;
}

api::OperationOutcome Daemon::Request(const api::OperationRequest& r, Runtime& rt) {
  WallTime now = std::chrono::system_clock::now();
  Override o{OverrideKind::kPause,
             r.service.empty() ? "*" : r.service,
             "",
             r.who,
             r.why,
             now,
             Expiry(r, now),
             {}};
  Result<void> stored;
  switch (r.op) {
    case Op::kPause:
      stored = store_->PutOverride(o);
      break;
    case Op::kResume: {
      // Resume hands the service back to automatic control: pauses and pins both end.
      bool any = false;
      auto active = store_->ActiveOverrides(now);
      if (!active) return Fail(Status::kFailed, active.error().message);
      for (const auto& a : *active) {
        bool pin = a.kind == OverrideKind::kForce || a.kind == OverrideKind::kSwitchover;
        bool match = r.service.empty() || a.target == r.service;
        if ((a.kind == OverrideKind::kPause || pin) && match) {
          any = *store_->RemoveOverride(a.kind, a.target) || any;
        }
      }
      return Ok(any ? "automatic control resumed" : "nothing was paused or pinned");
    }
    case Op::kUndrain: {
      auto removed = store_->RemoveOverride(OverrideKind::kDrain, r.region);
      if (!removed) return Fail(Status::kFailed, removed.error().message);
      return Ok(*removed ? "undrained " + r.region : r.region + " was not drained");
    }
    case Op::kAck: {
      std::lock_guard lock(mu_);
      acks_.insert(r.service);
      return Ok("acknowledged; automatic changes of " + r.service + " resume");
    }
    default:
      break;
  }
  if (r.op == Op::kPause) {
    if (!stored) return Fail(Status::kFailed, stored.error().message);
    return Ok("paused " + (r.service.empty() ? std::string("every service") : r.service));
  }
  // drain, switchover, failover: the engine's rules decide first.
  policies::OperatorRequest req;
  req.kind = r.op == Op::kDrain      ? policies::RequestKind::kDrain
             : r.op == Op::kFailover ? policies::RequestKind::kForce
                                     : policies::RequestKind::kSwitchover;
  req.service = r.service;
  req.region = r.op == Op::kDrain ? r.region : r.to;
  for (const auto& name : r.overrides) {
    auto rule = policies::ParseRule(name);
    if (!rule) return Fail(Status::kInvalid, "no safety rule named '" + name + "'");
    req.bypass.push_back(*rule);
  }
  std::vector<policies::ServiceState> states;
  {
    std::lock_guard lock(mu_);
    for (const auto& sc : rt.policy.services) states.push_back(states_[sc.name]);
  }
  policies::Time t = WallMs(now);
  auto check = rt.engine->Check(req, rt.health->Snapshot(), states, LoadOverrides(t), t);
  if (!check.allowed) {
    OperationOutcome out = Fail(Status::kRefused, check.reason);
    out.refused_by = check.refused_by ? policies::RuleName(*check.refused_by) : "policy";
    return out;
  }
  if (r.op == Op::kDrain) {
    o.kind = OverrideKind::kDrain;
    o.target = r.region;
  } else {
    o.kind = r.op == Op::kFailover ? OverrideKind::kForce : OverrideKind::kSwitchover;
    o.value = r.to;
    o.rules = r.overrides;
    // One pin per service: a new switchover or failover replaces the other kind too.
    (void)store_->RemoveOverride(
        r.op == Op::kFailover ? OverrideKind::kSwitchover : OverrideKind::kForce, r.service);
  }
  stored = store_->PutOverride(o);
  if (!stored) return Fail(Status::kFailed, stored.error().message);
  return Ok(r.op == Op::kDrain ? "drained " + r.region
                               : std::string(api::OpName(r.op)) + " of " + r.service + " to " +
                                     r.to + " accepted");
}

}  // namespace steer::agent
