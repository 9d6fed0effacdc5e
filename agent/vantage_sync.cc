#include "vantage_sync.h"

#include <algorithm>

#include "steer/base/log.h"

namespace steer::agent {

using std::chrono::milliseconds;

double MinStaleAfter(const config::Policy& policy) {
  double stale_after = 1e9;
  for (const auto& s : policy.services) stale_after = std::min(stale_after, s.quorum.stale_after);
  return policy.services.empty() ? 3 : stale_after;
}

std::chrono::milliseconds HeartbeatPeriod(const config::Policy& policy) {
  const double stale_after = MinStaleAfter(policy);
  milliseconds interval(60000);
  for (const auto& r : policy.regions) {
    for (const auto& c : r.components) {
      for (const auto& p : c.probes) interval = std::min(interval, milliseconds(p.interval));
    }
  }
  auto window = milliseconds(static_cast<int64_t>(stale_after * interval.count()));
  return std::max(milliseconds(100), window / 3);
}

bool ReportChanged(const VantageReport& before, const VantageReport& after) {
  if (before.vantage != after.vantage || before.home_region != after.home_region ||
      before.targets.size() != after.targets.size()) {
    return true;
  }
  for (size_t i = 0; i < before.targets.size(); ++i) {
    const TargetReport& a = before.targets[i];
    const TargetReport& b = after.targets[i];
    if (a.region != b.region || a.component != b.component || a.probe != b.probe ||
        a.state != b.state || a.error != b.error) {
      return true;
    }
  }
  return false;
}

VantageSync::~VantageSync() { Stop(); }

void VantageSync::Start() {
  thread_ = std::thread([this] { Run(); });  // joined by Stop(), before *this goes
}

void VantageSync::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void VantageSync::Run() {
  while (!stop_) {
    std::shared_ptr<Runtime> rt = slot_.Get();
    WatchLeadership(*rt);
    if (context_->etcd_mode()) Sync(*rt);
    context_->clock().SleepFor(rt->policy().agent.tick);
  }
}

void VantageSync::WatchLeadership(Runtime& rt) {
  Leadership now = context_->coordinator().CurrentLeadership();
  AgentMetrics& m = context_->metrics();
  m.leader->Set({}, now.is_leader ? 1 : 0);
  m.frozen->Set({}, now.frozen ? 1 : 0);
  if (announced_ && now.is_leader == last_.is_leader && now.frozen == last_.frozen &&
      now.leader == last_.leader && now.fencing_token == last_.fencing_token) {
    return;
  }
  std::string what;
  if (now.is_leader) {
    what = "leader, fencing token " + std::to_string(now.fencing_token);
  } else if (last_.is_leader) {
    what = "lost leadership (token " + std::to_string(last_.fencing_token) +
           "); no DNS write from here";
  } else if (now.frozen) {
    what = "frozen";
  } else {
    what = "following leader '" + now.leader + "'";
  }
  std::string why = now.frozen ? now.why : (now.leader.empty() ? "" : "leader: " + now.leader);
  if (announced_ || now.is_leader || now.frozen) {
    context_->Audit(AuditKind::kNotice, "", "coordination: " + what, why);
    rt.notifier().Submit({"leadership", "", context_->vantage() + ": " + what,
                          {{"vantage", context_->vantage()},
                           {"leader", now.leader},
                           {"token", std::to_string(now.fencing_token)},
                           {"why", why}},
                          std::chrono::system_clock::now()});
  }
  last_ = now;
  announced_ = true;
}

void VantageSync::Sync(Runtime& rt) {
  const auto steady = std::chrono::steady_clock::now();
  const policies::Time now = context_->PolicyNow();
  VantageReport own = rt.health().OwnReport(now, MinStaleAfter(rt.policy()));
  if (ReportChanged(published_, own) || steady >= next_heartbeat_) {
    auto put = context_->coordinator().Publish(own);
    context_->metrics().publishes->Inc({put ? "ok" : "error"});
    if (put) {
      published_ = std::move(own);
      next_heartbeat_ = steady + HeartbeatPeriod(rt.policy());
    } else {
      base::Logger("coordination")->debug("publish: {}", put.error().message);
    }
  }
  auto reports = context_->coordinator().ReadReports();
  if (!reports) {
    base::Logger("coordination")->debug("read reports: {}", reports.error().message);
    return;  // the reports held go stale by their age: a lost etcd never fakes health
  }
  for (const auto& r : *reports) {
    context_->metrics().vantage_report_age->Set(
        {r.vantage}, static_cast<double>(now.count() - r.received_ms) / 1000.0);
  }
  rt.health().SetRemote(std::move(*reports));
}

}  // namespace steer::agent
