#include "steer/policies/health.h"

#include <algorithm>

namespace steer::policies {

const char* HealthName(Health h) {
  switch (h) {
    case Health::kHealthy:
      return "healthy";
    case Health::kUnhealthy:
      return "down";
    case Health::kUnknown:
      break;
  }
  return "unknown";
}

Transition Observe(TargetHealth& th, const Layout::Target& target, bool ok, Time t,
                   std::string_view error) {
  const bool first = !th.observed || th.state == Health::kUnknown;
  th.observed = true;
  th.last_observed = t;
  if (ok) {
    ++th.consecutive_ok;
    th.consecutive_fail = 0;
  } else {
    ++th.consecutive_fail;
    th.consecutive_ok = 0;
    th.last_error = error.empty() ? "failed" : std::string(error);
  }
  const Health want = ok ? Health::kHealthy : Health::kUnhealthy;
  if (th.state == want) return Transition::kUnchanged;
  const int reached = ok ? th.consecutive_ok : th.consecutive_fail;
  const int needed = std::max(1, ok ? target.healthy_threshold : target.unhealthy_threshold);
  if (!first && reached < needed) return Transition::kPending;
  th.state = want;
  return Transition::kChanged;
}

namespace {

Result<Layout::Region> BuildRegion(const config::RegionConfig& rc, int region_index,
                                   std::vector<Layout::Target>& targets) {
  Layout::Region region;
  region.name = rc.name;
  for (const auto& cc : rc.components) {
    Layout::Component comp;
    comp.name = cc.name;
    comp.critical = cc.critical;
    comp.first_target = static_cast<int>(targets.size());
    comp.probe_count = static_cast<int>(cc.probes.size());
    for (const auto& pc : cc.probes) {
      Layout::Target t;
      t.region = region_index;
      t.component = static_cast<int>(region.components.size());
      t.probe = pc.name;
      t.stale_interval = pc.interval;
      t.healthy_threshold = std::max(1, pc.healthy_threshold);
      t.unhealthy_threshold = std::max(1, pc.unhealthy_threshold);
      targets.push_back(std::move(t));
    }
    region.components.push_back(std::move(comp));
  }
  if (rc.health.of.empty()) {
    for (size_t i = 0; i < region.components.size(); ++i) {
      if (region.components[i].critical) region.counted.push_back(static_cast<int>(i));
    }
  } else {
    for (const auto& name : rc.health.of) {
      auto it = std::find_if(region.components.begin(), region.components.end(),
                             [&](const Layout::Component& c) { return c.name == name; });
      if (it == region.components.end()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "region " + rc.name + ": health.of names unknown component " + name);
      }
      region.counted.push_back(static_cast<int>(it - region.components.begin()));
    }
  }
  const int counted = static_cast<int>(region.counted.size());
  region.needed = rc.health.at_least > 0 ? rc.health.at_least : counted;
  if (region.needed > counted) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "region " + rc.name + ": health.at_least " + std::to_string(region.needed) +
                         " exceeds the " + std::to_string(counted) + " components counted");
  }
  return region;
}

}  // namespace

Result<Layout> Layout::Build(const config::Policy& policy) {
  Layout layout;
  for (const auto& rc : policy.regions) {
    auto region = BuildRegion(rc, static_cast<int>(layout.regions_.size()), layout.targets_);
    if (!region) return tl::unexpected(region.error());
    layout.region_index_.emplace(region->name, static_cast<int>(layout.regions_.size()));
    layout.regions_.push_back(std::move(*region));
  }
  return layout;
}

int Layout::FindRegion(const std::string& name) const {
  auto it = region_index_.find(name);
  return it == region_index_.end() ? -1 : it->second;
}

int Layout::FindComponent(int region, const std::string& name) const {
  if (region < 0 || region >= static_cast<int>(regions_.size())) return -1;
  const auto& comps = regions_[static_cast<size_t>(region)].components;
  for (size_t i = 0; i < comps.size(); ++i) {
    if (comps[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Layout::FindTarget(int region, int component, const std::string& probe) const {
  if (component < 0) return -1;
  const auto& r = regions_[static_cast<size_t>(region)];
  if (component >= static_cast<int>(r.components.size())) return -1;
  const auto& c = r.components[static_cast<size_t>(component)];
  for (int i = c.first_target; i < c.first_target + c.probe_count; ++i) {
    if (targets_[static_cast<size_t>(i)].probe == probe) return i;
  }
  return -1;
}

int HealthView::AddVantage(const VantagePoint& vp) {
  int existing = FindVantage(vp.name);
  if (existing >= 0) return existing;
  const size_t old_count = vantages_.size();
  std::vector<Cell> cells((old_count + 1) * target_count_);
  std::vector<std::string> errors(cells.size());
  for (size_t t = 0; t < target_count_; ++t) {
    for (size_t v = 0; v < old_count; ++v) {
      cells[t * (old_count + 1) + v] = cells_[t * old_count + v];
      errors[t * (old_count + 1) + v] = std::move(errors_[t * old_count + v]);
    }
  }
  cells_ = std::move(cells);
  errors_ = std::move(errors);
  vantages_.push_back(vp);
  return static_cast<int>(vantages_.size()) - 1;
}

void HealthView::Set(int vantage, int target, const TargetHealth& th) {
  const size_t i = Index(vantage, target);
  cells_[i] = Cell{th.last_observed, th.consecutive_ok, th.consecutive_fail, th.state, th.observed};
  errors_[i] = th.last_error;
}

TargetHealth HealthView::Get(int vantage, int target) const {
  const size_t i = Index(vantage, target);
  const Cell& c = cells_[i];
  return TargetHealth{c.state,          c.observed,         c.last_observed,
                      c.consecutive_ok, c.consecutive_fail, errors_[i]};
}

int HealthView::FindVantage(const std::string& name) const {
  for (size_t i = 0; i < vantages_.size(); ++i) {
    if (vantages_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace steer::policies
