// Daemon as the API's backend: status views and operator operations.
#include "daemon.h"
#include "daemon_runtime.h"
#include "notify/notifier.h"
#include "steer/base/log.h"
#include "steer/policies/overrides.h"

namespace steer::agent {
namespace {

using json = nlohmann::json;
using api::OperationOutcome;
using Status = api::OperationOutcome::Status;

std::optional<policies::Time> Until(const std::optional<WallTime>& t) {
  if (!t) return std::nullopt;
  return WallMs(*t);
}

json OptMs(const std::optional<policies::Time>& t) {
  if (!t) return nullptr;
  return notify::FormatUtc(WallTime(*t));
}

}  // namespace

policies::Overrides Daemon::LoadOverrides(policies::Time now) {
  policies::Overrides o;
  auto active = store_->ActiveOverrides(WallTime(now));
  if (!active) {
    base::Logger("agent")->error("overrides: {}", active.error().message);
    return o;
  }
  for (const auto& a : *active) {
    switch (a.kind) {
      case OverrideKind::kPause:
        o.pauses.push_back({a.target == "*" ? "" : a.target, Until(a.expires)});
        break;
      case OverrideKind::kDrain:
        o.drains.push_back({a.target, Until(a.expires)});
        break;
      case OverrideKind::kForce:
      case OverrideKind::kSwitchover: {
        policies::Pin pin{a.kind == OverrideKind::kForce ? policies::PinKind::kForce
                                                         : policies::PinKind::kSwitchover,
                          a.target,
                          a.value,
                          {},
                          Until(a.expires),
                          a.who};
        for (const auto& r : a.rules) {
          if (auto rule = policies::ParseRule(r)) pin.bypass.push_back(*rule);
        }
        o.pins.push_back(std::move(pin));
        break;
      }
    }
  }
  return o;
}

json Daemon::ServiceJson(Runtime& rt, size_t i) {
  ServiceRuntime& s = rt.services[i];
  const std::string& name = s.config->name;
  policies::ServiceState st;
  std::optional<policies::Decision> last;
  {
    std::lock_guard lock(mu_);
    st = states_[name];
    if (auto it = last_.find(name); it != last_.end()) last = it->second;
  }
  ApplyStatus ap = s.applier->status();
  std::string state = "ok";
  if (!s.adopted) {
    state = "adopting";
  } else if (!rt.health->AllFresh()) {
    state = "waiting";
  } else if (ap.phase == "writing" || ap.phase == "verifying") {
    state = "changing";
  } else if (ap.phase == "retrying") {
    state = "retrying";
  } else if (last && last->action == policies::Action::kBlocked) {
    state = "blocked:" + last->cause;
  } else if (last && last->action == policies::Action::kHold) {
    state = "holding:" + last->cause;
  }
  json j = {{"name", name},
            {"dns_name", s.config->dns_name},
            {"active_region", st.serving_all ? "*" : st.region},
            {"answers", st.answers},
            {"state", state},
            {"blocked_until", OptMs(st.blocked_until)},
            {"last_change", OptMs(st.last_change)}};
  j["propagation"] = {{"region", ap.region}, {"answers", ap.answers},   {"phase", ap.phase},
                      {"total", ap.total},   {"matching", ap.matching}, {"done", ap.done}};
  j["last_error"] = ap.last_error.empty() ? json(nullptr) : json(ap.last_error);
  if (last) {
    j["decision"] = {{"action", policies::ActionName(last->action)},
                     {"cause", last->cause},
                     {"sentence", last->sentence},
                     {"reasons", last->reasons}};
  }
  return j;
}

json Daemon::Status() {
  std::shared_ptr<Runtime> rt = runtime();
  auto lead = coordinator_->CurrentLeadership();
  json agent = {{"vantage", vantage_},
                {"leader", lead.is_leader},
                {"fencing_token", lead.fencing_token},
                {"policy", options_.config_path},
                {"started_at", notify::FormatUtc(started_at_)},
                {"deciding", rt->health->AllFresh()}};
  auto missing = rt->health->Missing();
  if (missing.size() > 10) missing.resize(10);
  agent["waiting_for"] = missing;
  json services = json::array();
  for (size_t i = 0; i < rt->services.size(); ++i) services.push_back(ServiceJson(*rt, i));
  policies::Time now = WallMs(std::chrono::system_clock::now());
  policies::Overrides o = LoadOverrides(now);
  json regions = json::array();
  std::map<std::string, policies::RegionVerdict> verdicts;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, d] : last_) {
      for (const auto& v : d.regions) verdicts[v.region] = v;
    }
  }
  for (const auto& r : rt->policy.regions) {
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
  return {{"agent", agent}, {"services", services}, {"regions", regions}};
}

std::optional<json> Daemon::Service(const std::string& name) {
  std::shared_ptr<Runtime> rt = runtime();
  for (size_t i = 0; i < rt->services.size(); ++i) {
    if (rt->services[i].config->name == name) return ServiceJson(*rt, i);
  }
  return std::nullopt;
}

json Daemon::History(const api::HistoryRequest& r) {
  json out = json::array();
  auto entries = store_->History({r.service, r.before_id, r.limit});
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

bool Daemon::Healthy(std::string* reason) {
  if (auto c = store_->GetCounter("fencing_token"); !c) {
    *reason = "state store: " + c.error().message;
    return false;
  }
  return true;
}

std::string Daemon::Metrics() { return metrics_->registry.Render(); }

}  // namespace steer::agent
