#include "operator_requests.h"

#include "active_overrides.h"

namespace steer::agent {
namespace {

using api::Op;
using api::OperationOutcome;
using Status = api::OperationOutcome::Status;

std::optional<WallTime> Expiry(const api::OperationRequest& r, WallTime now) {
  if (!r.duration) return std::nullopt;
  return now + *r.duration;
}

policies::OperatorRequest EngineRequest(const api::OperationRequest& r) {
  policies::OperatorRequest req;
  req.kind = r.op == Op::kDrain      ? policies::RequestKind::kDrain
             : r.op == Op::kFailover ? policies::RequestKind::kForce
                                     : policies::RequestKind::kSwitchover;
  req.service = r.service;
  req.region = r.op == Op::kDrain ? r.region : r.to;
  return req;
}

}  // namespace

OperationOutcome OperatorRequests::Handle(const api::OperationRequest& r, Runtime& rt) {
  Leadership lead = context_->coordinator().CurrentLeadership();
  if (!lead.is_leader) {
    return OperationOutcome::Fail(
        Status::kFailed, "this agent (" + context_->vantage() + ") is not the leader" +
                             (lead.leader.empty() ? "" : "; the leader is '" + lead.leader + "'") +
                             (lead.frozen ? " (frozen: " + lead.why + ")" : ""));
  }
  const int64_t token = lead.fencing_token;
  WallTime now(context_->PolicyNow());  // expiry on policy time, as the engine reads it
  Override o{OverrideKind::kPause,
             r.service.empty() ? "*" : r.service,
             "",
             r.who,
             r.why,
             now,
             Expiry(r, now),
             {}};
  switch (r.op) {
    case Op::kPause:
      return Pause(r, std::move(o), token);
    case Op::kResume:
      return Resume(r, token);
    case Op::kUndrain:
      return Undrain(r, token);
    case Op::kAck:
      return Ack(r);
    default:
      return Checked(r, rt, std::move(o), token);
  }
}

OperationOutcome OperatorRequests::Pause(const api::OperationRequest& r, Override o,
                                         int64_t token) {
  auto stored = context_->shared().PutOverride(o, token);
  if (!stored) return OperationOutcome::Fail(Status::kFailed, stored.error().message);
  return OperationOutcome::Ok("paused " +
                              (r.service.empty() ? std::string("every service") : r.service));
}

// Hands the service back to automatic control: pauses and pins both end.
OperationOutcome OperatorRequests::Resume(const api::OperationRequest& r, int64_t token) {
  SharedState& shared = context_->shared();
  auto active = shared.ActiveOverrides(WallTime(context_->PolicyNow()));
  if (!active) return OperationOutcome::Fail(Status::kFailed, active.error().message);
  bool any = false;
  for (const auto& a : *active) {
    bool pin = a.kind == OverrideKind::kForce || a.kind == OverrideKind::kSwitchover;
    bool match = r.service.empty() || a.target == r.service;
    if ((a.kind == OverrideKind::kPause || pin) && match) {
      auto removed = shared.RemoveOverride(a.kind, a.target, token);
      if (!removed) return OperationOutcome::Fail(Status::kFailed, removed.error().message);
      any = *removed || any;
    }
  }
  return OperationOutcome::Ok(any ? "automatic control resumed" : "nothing was paused or pinned");
}

OperationOutcome OperatorRequests::Undrain(const api::OperationRequest& r, int64_t token) {
  auto removed = context_->shared().RemoveOverride(OverrideKind::kDrain, r.region, token);
  if (!removed) return OperationOutcome::Fail(Status::kFailed, removed.error().message);
  return OperationOutcome::Ok(*removed ? "undrained " + r.region : r.region + " was not drained");
}

OperationOutcome OperatorRequests::Ack(const api::OperationRequest& r) {
  loop_.Acknowledge(r.service);
  return OperationOutcome::Ok("acknowledged; automatic changes of " + r.service + " resume");
}

OperationOutcome OperatorRequests::Checked(const api::OperationRequest& r, Runtime& rt, Override o,
                                           int64_t token) {
  policies::OperatorRequest req = EngineRequest(r);
  for (const auto& name : r.overrides) {
    auto rule = policies::ParseRule(name);
    if (!rule)
      return OperationOutcome::Fail(Status::kInvalid, "no safety rule named '" + name + "'");
    req.bypass.push_back(*rule);
  }
  policies::Time t = WallMs(o.created);
  auto check =
      rt.engine().Check(req, rt.health().Snapshot(), loop_.States(rt.policy()),
                        LoadOverrides(context_->shared(), t).value_or(policies::Overrides{}), t);
  if (!check.allowed) {
    OperationOutcome out = OperationOutcome::Fail(Status::kRefused, check.reason);
    out.refused_by = check.refused_by ? policies::RuleName(*check.refused_by) : "policy";
    return out;
  }
  return Record(r, std::move(o), token);
}

OperationOutcome OperatorRequests::Record(const api::OperationRequest& r, Override o,
                                          int64_t token) {
  SharedState& shared = context_->shared();
  if (r.op == Op::kDrain) {
    o.kind = OverrideKind::kDrain;
    o.target = r.region;
  } else {
    o.kind = r.op == Op::kFailover ? OverrideKind::kForce : OverrideKind::kSwitchover;
    o.value = r.to;
    o.rules = r.overrides;
    // One pin per service: a new switchover or failover replaces the other kind too.
    (void)shared.RemoveOverride(
        r.op == Op::kFailover ? OverrideKind::kSwitchover : OverrideKind::kForce, r.service, token);
  }
  auto stored = shared.PutOverride(o, token);
  if (!stored) return OperationOutcome::Fail(Status::kFailed, stored.error().message);
  return OperationOutcome::Ok(r.op == Op::kDrain ? "drained " + r.region
                                                 : std::string(api::OpName(r.op)) + " of " +
                                                       r.service + " to " + r.to + " accepted");
}

}  // namespace steer::agent
