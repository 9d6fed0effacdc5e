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
    layout.regions_.push_back(std::move(*region));
  }
  return layout;
}

int Layout::FindRegion(const std::string& name) const {
  for (size_t i = 0; i < regions_.size(); ++i) {
    if (regions_[i].name == name) return static_cast<int>(i);
  }
  return -1;
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
  vantages_.push_back(vp);
  cells_.resize(vantages_.size() * target_count_);
  return static_cast<int>(vantages_.size()) - 1;
}

int HealthView::FindVantage(const std::string& name) const {
  for (size_t i = 0; i < vantages_.size(); ++i) {
    if (vantages_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace steer::policies
