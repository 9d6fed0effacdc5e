#include "health_book.h"

namespace steer::agent {

HealthBook::HealthBook(policies::Layout layout, policies::VantagePoint self, AgentMetrics* metrics)
    : layout_(std::move(layout)),
      metrics_(metrics),
      view_(layout_),
      fresh_(layout_.targets().size(), false),
      self_(self) {
  vantage_ = view_.AddVantage(self);
}

std::string HealthBook::TargetName(int target) const {
  const auto& t = layout_.targets()[static_cast<size_t>(target)];
  const auto& region = layout_.regions()[static_cast<size_t>(t.region)];
  return region.name + "/" + region.components[static_cast<size_t>(t.component)].name + "/" +
         t.probe;
}

void HealthBook::Record(int target, bool ok, policies::Time t, const std::string& error,
                        double duration_seconds) {
  if (target < 0 || static_cast<size_t>(target) >= fresh_.size()) return;
  const auto& lt = layout_.targets()[static_cast<size_t>(target)];
  policies::Health state;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    policies::TargetHealth th = view_.Get(vantage_, target);
    const policies::Transition change = policies::Observe(th, lt, ok, t, error);
    view_.Set(vantage_, target, th);
    state = th.state;
    // Only a verdict that changed (a target's first result always does) can change a decision
    // before the next tick. Waking the decision loop on every result made it tick as often as
    // results came (1,000 a second with 1,000 targets at 1 s), each tick copying the whole view.
    wake = change == policies::Transition::kChanged || !fresh_[static_cast<size_t>(target)];
    fresh_[static_cast<size_t>(target)] = true;
    if (wake) ++version_;
  }
  if (wake) cv_.notify_all();
  if (metrics_) {
    const auto& region = layout_.regions()[static_cast<size_t>(lt.region)];
    metrics::LabelValues labels = {
        region.name, region.components[static_cast<size_t>(lt.component)].name, lt.probe};
    metrics_->probe_duration->Observe(labels, duration_seconds);
    metrics_->probe_up->Set(labels, state == policies::Health::kHealthy ? 1 : 0);
    labels.push_back(ok ? "success" : "failure");
    metrics_->probe_results->Inc(labels);
  }
}

policies::HealthView HealthBook::Snapshot() const {
  std::lock_guard lock(mu_);
  policies::HealthView view = view_;
  for (const auto& report : remote_) {
    if (report.vantage == self_.name) continue;
    int vp = view.AddVantage({report.vantage, report.home_region});
    for (const auto& t : report.targets) {
      int region = layout_.FindRegion(t.region);
      int component = region < 0 ? -1 : layout_.FindComponent(region, t.component);
      int target = component < 0 ? -1 : layout_.FindTarget(region, component, t.probe);
      if (target < 0) continue;  // a target this policy does not have (rolling reload)
      view.Set(vp, target,
               policies::TargetHealth{t.state, true, policies::Time(report.received_ms),
                                      t.consecutive_ok, t.consecutive_fail, t.error});
    }
  }
  return view;
}

VantageReport HealthBook::OwnReport(policies::Time now, double stale_after) const {
  std::lock_guard lock(mu_);
  VantageReport report{self_.name, self_.home_region, {}, 0};
  for (size_t i = 0; i < fresh_.size(); ++i) {
    if (!fresh_[i]) continue;
    const auto& lt = layout_.targets()[i];
    const auto& region = layout_.regions()[static_cast<size_t>(lt.region)];
    policies::TargetHealth th = view_.Get(vantage_, static_cast<int>(i));
    const double window = stale_after * static_cast<double>(lt.stale_interval.count());
    if (static_cast<double>((now - th.last_observed).count()) > window) continue;
    report.targets.push_back({region.name,
                              region.components[static_cast<size_t>(lt.component)].name, lt.probe,
                              th.state, th.consecutive_ok, th.consecutive_fail,
                              std::max<int64_t>(0, (now - th.last_observed).count()),
                              th.state == policies::Health::kHealthy ? "" : th.last_error});
  }
  return report;
}

void HealthBook::SetRemote(std::vector<VantageReport> reports) {
  {
    std::lock_guard lock(mu_);
    remote_ = std::move(reports);
    ++version_;
  }
  cv_.notify_all();
}

std::vector<VantageReport> HealthBook::Remote() const {
  std::lock_guard lock(mu_);
  return remote_;
}

bool HealthBook::AllFresh() const {
  std::lock_guard lock(mu_);
  for (bool f : fresh_) {
    if (!f) return false;
  }
  return true;
}

std::vector<std::string> HealthBook::Missing() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (size_t i = 0; i < fresh_.size(); ++i) {
    if (!fresh_[i]) out.push_back(TargetName(static_cast<int>(i)));
  }
  return out;
}

uint64_t HealthBook::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

void HealthBook::WaitForChange(uint64_t seen,
                               std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return version_ != seen; });
}

}  // namespace steer::agent
