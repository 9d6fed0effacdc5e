#include "record_match.h"

#include <algorithm>

namespace steer::agent {
namespace {

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

std::pair<std::string, bool> MatchRegion(const config::ServiceConfig& sc,
                                         const std::vector<std::string>& records) {
  std::vector<std::string> want = Sorted(records);
  std::vector<std::string> all;
  std::string region;
  std::string part_of;  // the first probed region whose answers include every record
  for (const auto& r : sc.regions) {
    std::vector<std::string> have = Sorted(r.answers);
    if (have == want) region = r.region;
    if (part_of.empty() && !want.empty() && r.has_address_probes() &&
        std::includes(have.begin(), have.end(), want.begin(), want.end())) {
      part_of = r.region;
    }
    all.insert(all.end(), r.answers.begin(), r.answers.end());
  }
  if (region.empty() && Sorted(all) == want) return {"", true};
  return {region.empty() ? part_of : region, false};
}

}  // namespace steer::agent
