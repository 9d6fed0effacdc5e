#include "addresses.h"

#include "quorum.h"

namespace steer::policies {
namespace {

// "192.0.2.1: 3/3 vantage points saw it fail 3× (HTTP 503)"
std::string Describe(const std::string& address, const TargetVerdict& v) {
  std::string s = address + ": " + std::to_string(v.down_votes) + "/" + std::to_string(v.eligible) +
                  " vantage points saw it fail " + std::to_string(v.min_streak) + "\xC3\x97";
  if (!v.error.empty()) s += " (" + v.error + ")";
  return s;
}

std::string JoinNotes(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

std::vector<std::vector<int>> AddressTargets(const Layout& layout,
                                             const config::ServiceConfig& svc) {
  std::vector<std::vector<int>> out;
  for (const auto& sr : svc.regions) {
    std::vector<int> targets(sr.answers.size(), -1);
    const int r = layout.FindRegion(sr.region);
    for (size_t j = 0; r >= 0 && j < sr.answers.size() && j < sr.probes.size(); ++j) {
      if (!sr.probes[j]) continue;
      const int c = layout.FindComponent(r, config::AddressComponentName(sr.answers[j]));
      if (c >= 0) targets[j] = layout.FindTarget(r, c, sr.probes[j]->name);
    }
    out.push_back(std::move(targets));
  }
  return out;
}

namespace {

// Judges region i's probed answers: those still in rotation, and descriptions of those down.
void JudgeRegion(const Layout& layout, const config::ServiceConfig& svc, size_t i,
                 const std::vector<int>& targets, const HealthView& view, Time now,
                 std::vector<std::string>& live, std::vector<std::string>& down) {
  const config::ServiceRegion& sr = svc.regions[i];
  for (size_t j = 0; j < sr.answers.size(); ++j) {
    const int t = j < targets.size() ? targets[j] : -1;
    const TargetVerdict v =
        t >= 0 ? AssessTarget(layout, t, svc.quorum, view, now) : TargetVerdict{};
    if (v.verdict == Health::kUnhealthy) {
      down.push_back(Describe(sr.answers[j], v));
    } else {
      live.push_back(sr.answers[j]);
    }
  }
}

bool AnyTarget(const std::vector<int>& targets) {
  for (int t : targets) {
    if (t >= 0) return true;
  }
  return false;
}

}  // namespace

AddressPool AssessAddresses(const Layout& layout, const config::ServiceConfig& svc,
                            const std::vector<std::vector<int>>& targets, const HealthView& view,
                            Time now, std::vector<RegionVerdict>& verdicts) {
  AddressPool pool;
  for (size_t i = 0; i < svc.regions.size(); ++i) {
    if (!AnyTarget(targets[i])) continue;
    const config::ServiceRegion& sr = svc.regions[i];
    std::vector<std::string> live;
    std::vector<std::string> down;
    JudgeRegion(layout, svc, i, targets[i], view, now, live, down);
    if (down.empty()) continue;
    const std::string counts =
        std::to_string(live.size()) + "/" + std::to_string(sr.answers.size()) + " addresses";
    if (pool.reduced.empty()) {
      pool.reduced.resize(svc.regions.size());
      pool.notes.resize(svc.regions.size());
    }
    if (live.size() >= static_cast<size_t>(sr.min_healthy)) {
      pool.reduced[i] = std::move(live);
      pool.notes[i] =
          "out of rotation: " + JoinNotes(down) + "; " + sr.region + " serves " + counts;
      continue;
    }
    // Too few left: the region is down, and serves every answer should it stay served.
    RegionVerdict& rv = verdicts[i];
    const std::string why = counts + " up, min_healthy " + std::to_string(sr.min_healthy) +
                            " (down: " + JoinNotes(down) + ")";
    if (rv.verdict == Health::kUnhealthy) {
      rv.summary += "; " + why;
    } else {
      rv.verdict = Health::kUnhealthy;
      rv.summary = sr.region + " down: " + why;
    }
  }
  return pool;
}

}  // namespace steer::policies
