#include "status_ops.h"

#include "steer/base/log.h"

namespace steer::agent {
namespace {

using api::OperationOutcome;
using json = nlohmann::json;
using Status = api::OperationOutcome::Status;

OperationOutcome FromError(const Error& e) {
  Status s = e.code == ErrorCode::kInvalidArgument ? Status::kInvalid
             : e.code == ErrorCode::kNotFound      ? Status::kNotFound
                                                   : Status::kFailed;
  return OperationOutcome::Fail(s, e.message);
}

OperationOutcome Created(const std::string& what, int64_t id) {
  OperationOutcome out{Status::kOk, what + " #" + std::to_string(id), "", {}};
  out.detail["id"] = id;
  return out;
}

// A string field ("" when absent); false when present and not a string.
bool Field(const json& body, const char* key, std::string* out) {
  if (!body.contains(key)) return true;
  if (!body[key].is_string()) return false;
  *out = body[key].get<std::string>();
  return true;
}

// "services": a non-empty list of the policy's services.
std::optional<OperationOutcome> Services(const json& body, const config::Policy& policy,
                                         std::vector<std::string>* out) {
  if (!body.contains("services") || !body["services"].is_array() || body["services"].empty()) {
    return OperationOutcome::Fail(Status::kInvalid,
                                  "\"services\" must be a non-empty list of service names");
  }
  for (const auto& v : body["services"]) {
    if (!v.is_string())
      return OperationOutcome::Fail(Status::kInvalid, "\"services\" must hold strings");
    std::string name = v.get<std::string>();
    if (!policy.FindService(name))
      return OperationOutcome::Fail(Status::kNotFound, "no service '" + name + "'");
    out->push_back(std::move(name));
  }
  return std::nullopt;
}

}  // namespace

int64_t StatusOperations::NowMs() const { return status::EpochMs(context_->clock().WallNow()); }

OperationOutcome StatusOperations::Handle(const api::StatusRequest& r, const config::Policy& policy,
                                          const RunOp& run) {
  Leadership lead = context_->coordinator().CurrentLeadership();
  if (context_->etcd_mode() && !lead.is_leader) {
    return OperationOutcome::Fail(Status::kFailed,
                                  "incidents and maintenance are kept by the leader; ask " +
                                      (lead.leader.empty() ? "it" : "'" + lead.leader + "'"));
  }
  switch (r.op) {
    case api::StatusOp::kIncidentOpen:
      return Open(r, policy);
    case api::StatusOp::kIncidentUpdate:
    case api::StatusOp::kIncidentResolve:
      return Update(r);
    case api::StatusOp::kMaintenanceSchedule:
      return Schedule(r, policy);
    case api::StatusOp::kMaintenanceCancel:
      return Cancel(r, run);
  }
  return OperationOutcome::Fail(Status::kNotFound, "no such operation");
}

OperationOutcome StatusOperations::Open(const api::StatusRequest& r, const config::Policy& policy) {
  status::OperatorIncident in;
  if (auto bad = Services(r.body, policy, &in.services)) return *bad;
  if (!Field(r.body, "impact", &in.impact) || !Field(r.body, "status", &in.status) ||
      !Field(r.body, "message", &in.message) || !Field(r.body, "title", &in.title)) {
    return OperationOutcome::Fail(Status::kInvalid,
                                  "impact, status, message and title must be strings");
  }
  auto id = context_->incidents().OpenIncident(in, NowMs());
  if (!id) return FromError(id.error());
  return Created("opened incident", *id);
}

OperationOutcome StatusOperations::Update(const api::StatusRequest& r) {
  std::string status, impact, message;
  if (!Field(r.body, "status", &status) || !Field(r.body, "impact", &impact) ||
      !Field(r.body, "message", &message)) {
    return OperationOutcome::Fail(Status::kInvalid, "status, impact and message must be strings");
  }
  auto& book = context_->incidents();
  auto done = r.op == api::StatusOp::kIncidentResolve
                  ? book.ResolveIncident(r.id, message, NowMs())
                  : book.UpdateIncident(r.id, status, impact, message, NowMs());
  if (!done) return FromError(done.error());
  return {Status::kOk,
          (r.op == api::StatusOp::kIncidentResolve ? "resolved incident #" : "updated incident #") +
              std::to_string(r.id),
          "",
          {}};
}

OperationOutcome StatusOperations::Schedule(const api::StatusRequest& r,
                                            const config::Policy& policy) {
  status::MaintenanceRequest m;
  if (auto bad = Services(r.body, policy, &m.services)) return *bad;
  std::string start, end;
  if (!Field(r.body, "start", &start) || !Field(r.body, "end", &end) ||
      !Field(r.body, "drain", &m.drain_region) || !Field(r.body, "message", &m.message) ||
      !Field(r.body, "title", &m.title)) {
    return OperationOutcome::Fail(Status::kInvalid,
                                  "start, end, drain, message and title must be strings");
  }
  auto from = status::ParseRfc3339(start);
  if (!from) return OperationOutcome::Fail(Status::kInvalid, "start: " + from.error().message);
  auto to = status::ParseRfc3339(end);
  if (!to) return OperationOutcome::Fail(Status::kInvalid, "end: " + to.error().message);
  if (!m.drain_region.empty() && !policy.FindRegion(m.drain_region)) {
    return OperationOutcome::Fail(Status::kNotFound, "no region '" + m.drain_region + "'");
  }
  m.start_ms = *from;
  m.end_ms = *to;
  auto id = context_->incidents().ScheduleMaintenance(m, NowMs());
  if (!id) return FromError(id.error());
  return Created("scheduled maintenance", *id);
}

OperationOutcome StatusOperations::Cancel(const api::StatusRequest& r, const RunOp& run) {
  auto m = context_->incidents().CancelMaintenance(r.id, NowMs(), Actions(run));
  if (!m) return FromError(m.error());
  OperationOutcome out{Status::kOk, "cancelled maintenance #" + std::to_string(r.id), "", {}};
  out.detail["note"] = m->note;
  return out;
}

// A window's drain or undrain: the daemon's operation, audited as the window's.
status::MaintenanceActions StatusOperations::Actions(const RunOp& run) const {
  auto act = [this, run](api::Op op, const status::Maintenance& m) -> Result<void> {
    api::OperationRequest req;
    req.op = op;
    req.who = "maintenance #" + std::to_string(m.id);
    req.region = m.drain_region;
    req.why = "maintenance #" + std::to_string(m.id) + ": " + m.title;
    OperationOutcome out = run(req);
    const bool ok = out.status == Status::kOk;
    std::string result = ok ? "ok"
                         : out.refused_by.empty()
                             ? out.message
                             : "refused by " + out.refused_by + ": " + out.message;
    auto id = context_->store().Append(
        {0, std::chrono::system_clock::now(), AuditKind::kOperation, req.who, "",
         std::string(api::OpName(op)) + " " + m.drain_region + " => " + result, req.why, ok});
    if (!id) base::Logger("agent")->error("audit append failed: {}", id.error().message);
    if (!ok) return MakeError(ErrorCode::kFailedPrecondition, result);
    return {};
  };
  return {[act](const status::Maintenance& m) { return act(api::Op::kDrain, m); },
          [act](const status::Maintenance& m) { return act(api::Op::kUndrain, m); }};
}

void StatusOperations::Advance(const RunOp& run) {
  if (!context_->coordinator().CurrentLeadership().is_leader) return;
  auto changed = context_->incidents().AdvanceMaintenance(NowMs(), Actions(run));
  if (!changed) {
    base::Logger("agent")->error("maintenance: {}", changed.error().message);
    return;
  }
  for (const auto& m : *changed) {
    context_->Audit(AuditKind::kNotice, "", "maintenance #" + std::to_string(m.id) + " " + m.status,
                    m.title + (m.note.empty() ? "" : " (" + m.note + ")"));
  }
}

}  // namespace steer::agent
