#include "quorum.h"

#include <algorithm>
#include <string>
#include <vector>

namespace steer::policies {
namespace {

// What one vantage point saw of one component that it reports unhealthy.
struct Failure {
  int vantage_count = 0;
  int min_streak = 0;
  std::string error;
};

struct Tally {
  int healthy = 0;
  int down = 0;
  int stale = 0;      // no fresh data at all
  int undecided = 0;  // fresh data, but not enough to decide
};

bool Fresh(const TargetHealth& th, const Layout::Target& t, double stale_after, Time now) {
  if (!th.observed) return false;
  const auto limit =
      static_cast<Time::rep>(stale_after * static_cast<double>(t.stale_interval.count()));
  return now - th.last_observed <= Time(limit);
}

// A component is down when any fresh probe is unhealthy, healthy when every probe is fresh and
// healthy, and unknown otherwise.
Health ComponentHealth(const Layout& layout, const Layout::Component& c, const HealthView& view,
                       int vp, double stale_after, Time now, bool& any_fresh) {
  int healthy = 0;
  for (int t = c.first_target; t < c.first_target + c.probe_count; ++t) {
    const TargetHealth& th = view.At(vp, t);
    if (!Fresh(th, layout.targets()[static_cast<size_t>(t)], stale_after, now)) continue;
    any_fresh = true;
    if (th.state == Health::kUnhealthy) return Health::kUnhealthy;
    if (th.state == Health::kHealthy) ++healthy;
  }
  return (c.probe_count > 0 && healthy == c.probe_count) ? Health::kHealthy : Health::kUnknown;
}

void NoteFailure(const Layout::Component& c, const HealthView& view, int vp, Failure& f) {
  for (int t = c.first_target; t < c.first_target + c.probe_count; ++t) {
    const TargetHealth& th = view.At(vp, t);
    if (th.state != Health::kUnhealthy) continue;
    f.min_streak =
        f.vantage_count == 0 ? th.consecutive_fail : std::min(f.min_streak, th.consecutive_fail);
    if (f.error.empty()) f.error = th.last_error;
  }
  ++f.vantage_count;
}

// One vantage point's view of a region: the health rule over its counted components.
Health VantageVerdict(const Layout& layout, const Layout::Region& r, const HealthView& view, int vp,
                      double stale_after, Time now, bool& any_fresh,
                      std::vector<Failure>* failures) {
  int healthy = 0;
  int unknown = 0;
  for (int ci : r.counted) {
    const auto& comp = r.components[static_cast<size_t>(ci)];
    Health h = ComponentHealth(layout, comp, view, vp, stale_after, now, any_fresh);
    if (h == Health::kHealthy) ++healthy;
    if (h == Health::kUnknown) ++unknown;
  }
  if (healthy >= r.needed) return Health::kHealthy;
  if (healthy + unknown >= r.needed) return Health::kUnknown;
  if (failures != nullptr) {
    bool ignored = false;
    for (int ci : r.counted) {
      const auto& comp = r.components[static_cast<size_t>(ci)];
      if (ComponentHealth(layout, comp, view, vp, stale_after, now, ignored) ==
          Health::kUnhealthy) {
        NoteFailure(comp, view, vp, (*failures)[static_cast<size_t>(ci)]);
      }
    }
  }
  return Health::kUnhealthy;
}

bool EverObserved(const Layout::Region& r, const HealthView& view, int vp) {
  for (const auto& c : r.components) {
    for (int t = c.first_target; t < c.first_target + c.probe_count; ++t) {
      if (view.At(vp, t).observed) return true;
    }
  }
  return false;
}

std::string DescribeFailures(const Layout::Region& r, const std::vector<Failure>& failures) {
  std::string out;
  for (size_t ci = 0; ci < failures.size(); ++ci) {
    const Failure& f = failures[ci];
    if (f.vantage_count == 0) continue;
    out += out.empty() ? " saw " : ", ";
    out += r.components[ci].name + " fail " + std::to_string(f.min_streak) + "\xC3\x97";
    if (!f.error.empty()) out += " (" + f.error + ")";
  }
  return out;
}

void Summarize(const Layout::Region& r, const std::vector<Failure>& failures, const Tally& inside,
               RegionVerdict& v) {
  std::string s = r.name + " " + HealthName(v.verdict) + ": ";
  const std::string of = "/" + std::to_string(v.eligible);
  if (v.verdict == Health::kHealthy) {
    s = r.name + " healthy " + std::to_string(v.healthy_votes) + of;
  } else if (v.verdict == Health::kUnhealthy) {
    s += std::to_string(v.down_votes) + of + " vantage points" + DescribeFailures(r, failures);
  } else if (v.eligible == 0) {
    s += "no vantage point has reported it";
  } else {
    s += std::to_string(v.voters) + of + " vantage points decided (" +
         std::to_string(v.healthy_votes) + " healthy, " + std::to_string(v.down_votes) +
         " down), quorum " + std::to_string(v.quorum);
  }
  if (inside.healthy + inside.down > 0) {
    s += "; its own vantage points: " + std::to_string(inside.healthy) + " healthy, " +
         std::to_string(inside.down) + " down";
  }
  v.summary = std::move(s);
}

}  // namespace

RegionVerdict AssessRegion(const Layout& layout, int region, const config::QuorumConfig& quorum,
                           const HealthView& view, Time now) {
  const auto& r = layout.regions()[static_cast<size_t>(region)];
  RegionVerdict v;
  v.region = r.name;
  std::vector<Failure> failures(r.components.size());
  std::vector<Failure> inside_failures(r.components.size());
  Tally outside;
  Tally inside;
  const auto& vps = view.vantages();
  for (size_t i = 0; i < vps.size(); ++i) {
    const int vp = static_cast<int>(i);
    if (!EverObserved(r, view, vp)) continue;
    const bool is_inside = vps[i].home_region == r.name;
    Tally& tally = is_inside ? inside : outside;
    bool any_fresh = false;
    Health h = VantageVerdict(layout, r, view, vp, quorum.stale_after, now, any_fresh,
                              is_inside ? &inside_failures : &failures);
    if (h == Health::kHealthy) ++tally.healthy;
    if (h == Health::kUnhealthy) ++tally.down;
    if (h == Health::kUnknown) ++(any_fresh ? tally.undecided : tally.stale);
  }
  // A region's own vantage points vote only when nobody outside reports on it (one agent).
  const bool use_inside = outside.healthy + outside.down + outside.stale + outside.undecided == 0;
  const Tally& voters = use_inside ? inside : outside;
  v.eligible = voters.healthy + voters.down + voters.stale + voters.undecided;
  v.healthy_votes = voters.healthy;
  v.down_votes = voters.down;
  v.voters = voters.healthy + voters.down;
  v.quorum = quorum.count > 0 ? quorum.count : v.eligible / 2 + 1;
  if (!use_inside) {
    v.inside_healthy = inside.healthy;
    v.inside_down = inside.down;
  }
  if (v.eligible > 0 && v.healthy_votes >= v.quorum) {
    v.verdict = Health::kHealthy;
  } else if (v.eligible > 0 && v.down_votes >= v.quorum) {
    v.verdict = Health::kUnhealthy;
  }
  Summarize(r, use_inside ? inside_failures : failures, use_inside ? Tally{} : inside, v);
  return v;
}

}  // namespace steer::policies
