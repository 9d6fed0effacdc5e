#include "steer/probes/target.h"

namespace steer::probes {

std::string Target::DisplayName() const {
  if (region.empty()) return probe.name;
  return region + "/" + component + "/" + probe.name;
}

std::vector<Target> TargetsFromRegions(const std::vector<config::RegionConfig>& regions) {
  std::vector<Target> out;
  uint64_t next_id = 1;
  for (const auto& region : regions) {
    for (const auto& component : region.components) {
      for (const auto& probe : component.probes) {
        out.push_back(Target{next_id++, region.name, component.name, probe});
      }
    }
  }
  return out;
}

}  // namespace steer::probes
