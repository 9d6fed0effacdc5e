#include "api_backend.h"

#include "active_overrides.h"
#include "notify/notifier.h"
#include "steer/base/log.h"
#include "vantage_sync.h"

namespace steer::agent {
namespace {

using json = nlohmann::json;
using api::OperationOutcome;
using Status = api::OperationOutcome::Status;

json OptMs(const std::optional<policies::Time>& t) {
  if (!t) return nullptr;
  return notify::FormatUtc(WallTime(*t));
}

json DecisionJson(const policies::Decision& d) {
  return {{"action", policies::ActionName(d.action)},
          {"cause", d.cause},
          {"sentence", d.sentence},
          {"reasons", d.reasons}};
}

// kNotFound when the request names a service or region the policy does not have.
std::optional<OperationOutcome> UnknownName(const api::OperationRequest& r,
                                            const config::Policy& policy) {
  if (!r.service.empty() && !policy.FindService(r.service)) {
    return OperationOutcome{Status::kNotFound, "no service '" + r.service + "'", "", {}};
  }
  if (!r.region.empty() && !policy.FindRegion(r.region)) {
    return OperationOutcome{Status::kNotFound, "no region '" + r.region + "'", "", {}};
  }
  return std::nullopt;
}

// How long ago the last nameserver answered the desired records (null until then): with the
// TTL, when every cache has forgotten the previous answer.
json DoneAgoMs(const ApplyStatus& ap) {
  if (!ap.done || !ap.done_at) return nullptr;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               *ap.done_at)
      .count();
}

// Each provider of the service: whether it serves the decision (done), where its change is.
json ProvidersJson(const ServiceApplier& applier) {
  json out = json::array();
  for (const auto& [name, ap] : applier.providers()) {
    out.push_back({{"name", name},
                   {"phase", ap.phase},
                   {"matching", ap.matching},
                   {"total", ap.total},
                   {"done", ap.done},
                   {"last_error", ap.last_error.empty() ? json(nullptr) : json(ap.last_error)}});
  }
  return out;
}

// The service's regions, preferred first, with the answers each serves.
json RegionAnswersJson(const config::ServiceConfig& sc) {
  json out = json::array();
  for (const auto& r : sc.regions) out.push_back({{"name", r.region}, {"answers", r.answers}});
  return out;
}

}  // namespace

ApiBackend::ApiBackend(const RuntimeSlot& slot, DecisionLoop& loop, Reloader& reloader,
                       std::shared_ptr<const AgentContext> context, std::string policy_path)
    : slot_(slot),
      loop_(loop),
      reloader_(reloader),
      context_(std::move(context)),
      requests_(loop, context_),
      status_ops_(context_),
      policy_path_(std::move(policy_path)),
      started_at_(std::chrono::system_clock::now()) {}

std::string ApiBackend::ServiceStateName(Runtime& rt, const ServiceRuntime& s,
                                         const ApplyStatus& ap,
                                         const std::optional<policies::Decision>& last) {
  Leadership lead = context_->coordinator().CurrentLeadership();
  if (!lead.is_leader) return lead.frozen ? "frozen" : "following:" + lead.leader;
  if (!s.adopted) return "adopting";
  if (!rt.health().AllFresh()) return "waiting";
  if (ap.phase == "writing" || ap.phase == "verifying" || ap.phase == "waiting") return "changing";
  if (ap.phase == "retrying") return "retrying";
  if (last && last->action == policies::Action::kBlocked) return "blocked:" + last->cause;
  if (last && last->action == policies::Action::kHold) return "holding:" + last->cause;
  return "ok";
}

json ApiBackend::ServiceJson(Runtime& rt, const ServiceRuntime& s) {
  const std::string& name = s.config->name;
  policies::ServiceState st = loop_.State(name);
  std::optional<policies::Decision> last = loop_.LastDecision(name);
  ApplyStatus ap = s.applier->status();
  json j = {{"name", name},
            {"dns_name", s.config->dns_name},
            {"active_region", st.serving_all ? "*" : st.region},
            {"answers", st.answers},
            {"state", ServiceStateName(rt, s, ap, last)},
            {"blocked_until", OptMs(st.blocked_until)},
            {"last_change", OptMs(st.last_change)}};
  j["propagation"] = {{"region", ap.region}, {"answers", ap.answers},       {"phase", ap.phase},
                      {"total", ap.total},   {"matching", ap.matching},     {"done", ap.done},
                      {"ttl", ap.ttl},       {"done_ago_ms", DoneAgoMs(ap)}};
  j["providers"] = ProvidersJson(*s.applier);
  j["served_by"] = "served by " + std::to_string(s.applier->serving()) + "/" +
                   std::to_string(s.applier->size()) + " providers";
  j["regions"] = RegionAnswersJson(*s.config);
  j["failback"] = s.config->failback == config::FailbackMode::kAuto ? "auto" : "manual";
  j["last_error"] = ap.last_error.empty() ? json(nullptr) : json(ap.last_error);
  std::string held = loop_.HeldWhy(name);
  j["held"] = held.empty() ? json(nullptr) : json(held);
  if (last) j["decision"] = DecisionJson(*last);
  return j;
}

json ApiBackend::AgentJson(Runtime& rt) {
  auto lead = context_->coordinator().CurrentLeadership();
  json agent = {{"vantage", context_->vantage()},
                {"coordination", context_->etcd_mode() ? "etcd" : "local"},
                {"leader", lead.is_leader},
                {"leader_vantage", lead.leader},
                {"frozen", lead.frozen},
                {"frozen_why", lead.why},
                {"fencing_token", lead.fencing_token},
                {"policy", policy_path_},
                {"started_at", notify::FormatUtc(started_at_)},
                {"deciding", rt.health().AllFresh()}};
  auto missing = rt.health().Missing();
  if (missing.size() > 10) missing.resize(10);
  agent["waiting_for"] = missing;
  agent["vantages"] = VantagesJson(rt);
  return agent;
}

// Every vantage point's view of every region (this agent's own first): what `status` shows to
// say which vantage sees what. A region is "down" from a vantage point when a probe of it is
// down there; "stale" when the report is older than the service's stale window.
json ApiBackend::VantagesJson(Runtime& rt) {
  const int64_t now = context_->PolicyNow().count();
  std::vector<VantageReport> reports{
      rt.health().OwnReport(policies::Time(now), MinStaleAfter(rt.policy()))};
  reports.front().received_ms = now;
  for (auto& r : rt.health().Remote()) reports.push_back(std::move(r));
  const auto window = 3 * HeartbeatPeriod(rt.policy()).count();  // a third of the stale window
  json out = json::array();
  for (const auto& r : reports) {
    std::map<std::string, std::string> regions;
    for (const auto& t : r.targets) {
      std::string& v = regions[t.region];
      if (t.state == policies::Health::kUnhealthy) {
        v = "down (" + t.component + ": " + t.error + ")";
      } else if (v.empty() && t.state == policies::Health::kHealthy) {
        v = "healthy";
      }
    }
    const int64_t age = now - r.received_ms;
    out.push_back({{"vantage", r.vantage},
                   {"self", r.vantage == context_->vantage()},
                   {"fresh", age <= window},
                   {"age_ms", age},
                   {"regions", regions}});
  }
  return out;
}

json ApiBackend::RegionsJson(Runtime& rt) {
  policies::Time now = context_->PolicyNow();
  policies::Overrides o = LoadOverrides(context_->shared(), now).value_or(policies::Overrides{});
  std::map<std::string, policies::RegionVerdict> verdicts = loop_.RegionVerdicts();
  json regions = json::array();
  for (const auto& r : rt.policy().regions) {
    json healthy = nullptr;
    std::string detail = "no verdict yet";
    if (auto it = verdicts.find(r.name); it != verdicts.end()) {
      if (it->second.verdict != policies::Health::kUnknown) {
        healthy = it->second.verdict == policies::Health::kHealthy;
      }
      detail = it->second.summary;
    }
    regions.push_back({{"name", r.name},
                       {"healthy", healthy},
                       {"drained", policies::IsDrained(o, r.name, now)},
                       {"detail", detail}});
  }
  return regions;
}

json ApiBackend::Status() {
  std::shared_ptr<Runtime> rt = slot_.Get();
  json services = json::array();
  for (const auto& s : rt->services()) services.push_back(ServiceJson(*rt, s));
  return {{"agent", AgentJson(*rt)}, {"services", services}, {"regions", RegionsJson(*rt)}};
}

std::optional<json> ApiBackend::Service(const std::string& name) {
  std::shared_ptr<Runtime> rt = slot_.Get();
  for (const auto& s : rt->services()) {
    if (s.config->name == name) return ServiceJson(*rt, s);
  }
  return std::nullopt;
}

json ApiBackend::History(const api::HistoryRequest& r) {
  json out = json::array();
  auto entries = context_->store().History({r.service, r.before_id, r.limit});
  if (!entries) return out;
  for (const auto& e : *entries) {
    out.push_back({{"id", e.id},
                   {"time", notify::FormatUtc(e.when)},
                   {"kind", AuditKindName(e.kind)},
                   {"who", e.who},
                   {"service", e.service},
                   {"what", e.what},
                   {"why", e.why},
                   {"ok", e.ok}});
  }
  return out;
}

bool ApiBackend::Healthy(std::string* reason) {
  if (auto c = context_->store().GetCounter("fencing_token"); !c) {
    *reason = "state store: " + c.error().message;
    return false;
  }
  return true;
}

std::string ApiBackend::Metrics() { return context_->metrics().registry.Render(); }

OperationOutcome ApiBackend::ReloadOp() {
  std::vector<std::string> diagnostics;
  auto ok = reloader_.Reload(&diagnostics);
  if (ok) return {Status::kOk, *ok, "", {}};
  OperationOutcome out{Status::kInvalid, ok.error().message, "", {}};
  out.detail["diagnostics"] = diagnostics;
  return out;
}

OperationOutcome ApiBackend::Operate(const api::OperationRequest& r) {
  if (r.op == api::Op::kReload) return ReloadOp();
  Leadership lead = context_->coordinator().CurrentLeadership();
  if (context_->relay() != nullptr && !lead.is_leader) return Forward(r, lead);
  return Apply(r, "");
}

// A follower's operation goes to the leader through the relay; its outcome names who applied
// it. Known services and regions are checked here first, so a typo never travels.
OperationOutcome ApiBackend::Forward(const api::OperationRequest& r, const Leadership& lead) {
  if (auto unknown = UnknownName(r, slot_.Get()->policy())) return *unknown;
  if (lead.frozen || lead.leader.empty()) {
    return {Status::kFailed, "no leader to apply it: " + lead.why, "", {}};
  }
  auto out = context_->relay()->Forward(r, std::chrono::seconds(5));
  if (!out) {
    return {Status::kFailed,
            "relaying to leader '" + lead.leader + "': " + out.error().message,
            "",
            {}};
  }
  out->detail["relayed_by"] = context_->vantage();
  return *out;
}

// Runs on the leader: every operation waiting in the relay, audited as relayed.
void ApiBackend::ServeRelayed() {
  OpRelay* relay = context_->relay();
  Leadership lead = context_->coordinator().CurrentLeadership();
  if (relay == nullptr || !lead.is_leader) return;
  auto waiting = relay->Waiting();
  if (!waiting) return;
  for (const auto& p : *waiting) {
    OperationOutcome out = Apply(p.request, p.from);
    bool ok = out.status == Status::kOk;
    auto id = context_->store().Append(
        {0, std::chrono::system_clock::now(), AuditKind::kOperation,
         p.request.who + " via " + p.from, p.request.service,
         std::string(api::OpName(p.request.op)) + " (relayed) => " + (ok ? "ok" : out.message),
         p.request.why, ok});
    if (!id) base::Logger("agent")->error("audit append failed: {}", id.error().message);
    auto done = relay->Complete(p.id, out, lead.fencing_token);
    // Withdrawn by its follower meanwhile: the next one; a stale token: stop serving.
    if (!done && done.error().code != ErrorCode::kNotFound) return;
  }
}

OperationOutcome ApiBackend::Apply(const api::OperationRequest& r, const std::string& from) {
  std::shared_ptr<Runtime> rt = slot_.Get();
  if (auto unknown = UnknownName(r, rt->policy())) return *unknown;
  OperationOutcome out = requests_.Handle(r, *rt);
  out.detail["applied_by"] = context_->vantage();
  if (!from.empty()) out.detail["relayed_from"] = from;
  Notify(*rt, r, out);
  return out;
}

OperationOutcome ApiBackend::OperateStatus(const api::StatusRequest& r) {
  std::shared_ptr<Runtime> rt = slot_.Get();
  return status_ops_.Handle(r, rt->policy(),
                            [this](const api::OperationRequest& op) { return Apply(op, ""); });
}

void ApiBackend::AdvanceMaintenance() {
  status_ops_.Advance([this](const api::OperationRequest& op) { return Apply(op, ""); });
}

void ApiBackend::Notify(Runtime& rt, const api::OperationRequest& r, const OperationOutcome& out) {
  std::string summary = r.who + ": " + api::OpName(r.op);
  if (!r.service.empty()) summary += " " + r.service;
  if (!r.region.empty()) summary += " " + r.region;
  if (!r.to.empty()) summary += " -> " + r.to;
  std::string result = out.status == Status::kOk ? "ok" : "refused: " + out.message;
  rt.notifier().Submit({"operation",
                        r.service,
                        summary + " (" + result + ")",
                        {{"who", r.who}, {"why", r.why}, {"result", result}},
                        std::chrono::system_clock::now()});
}

}  // namespace steer::agent
