#include "quorum.h"

#include <algorithm>
#include <cstdint>
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

bool Fresh(const HealthView::Cell& th, const Layout::Target& t, double stale_after, Time now) {
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
    const HealthView::Cell& th = view.cell(vp, t);
    if (!Fresh(th, layout.targets()[static_cast<size_t>(t)], stale_after, now)) continue;
    any_fresh = true;
    if (th.state == Health::kUnhealthy) return Health::kUnhealthy;
    if (th.state == Health::kHealthy) ++healthy;
  }
  return (c.probe_count > 0 && healthy == c.probe_count) ? Health::kHealthy : Health::kUnknown;
}

void NoteFailure(const Layout::Component& c, const HealthView& view, int vp, Failure& f) {
  for (int t = c.first_target; t < c.first_target + c.probe_count; ++t) {
    const HealthView::Cell& th = view.cell(vp, t);
    if (th.state != Health::kUnhealthy) continue;
    f.min_streak =
        f.vantage_count == 0 ? th.consecutive_fail : std::min(f.min_streak, th.consecutive_fail);
    if (f.error.empty()) f.error = view.error(vp, t);
  }
  ++f.vantage_count;
}

// What one vantage point saw of a region in this tick.
struct PerVantage {
  std::uint16_t healthy = 0;    // counted components healthy
  std::uint16_t unknown = 0;    // counted components neither healthy nor down
  std::uint16_t probes_ok = 0;  // scratch: healthy probes of the current component
  bool down = false;            // scratch: the current component has a fresh unhealthy probe
  bool fresh = false;           // some fresh data
  bool observed = false;        // ever reported a counted component
};

// Every vantage point's view of a region at once: the health rule over its counted components.
// Walks each probe's cells from all vantage points together (they are adjacent in the view).
void VantageViews(const Layout& layout, const Layout::Region& r, const HealthView& view,
                  double stale_after, Time now, PerVantage* per, size_t n) {
  for (int ci : r.counted) {
    const auto& comp = r.components[static_cast<size_t>(ci)];
    for (size_t v = 0; v < n; ++v) {
      per[v].probes_ok = 0;
      per[v].down = false;
    }
    for (int t = comp.first_target; t < comp.first_target + comp.probe_count; ++t) {
      const auto interval = layout.targets()[static_cast<size_t>(t)].stale_interval.count();
      const Time limit(static_cast<Time::rep>(stale_after * static_cast<double>(interval)));
      const HealthView::Cell* cells = n > 0 ? &view.cell(0, t) : nullptr;
      for (size_t v = 0; v < n; ++v) {
        const HealthView::Cell& c = cells[v];
        per[v].observed |= c.observed;
        if (!c.observed || now - c.last_observed > limit) continue;
        per[v].fresh = true;
        per[v].down |= c.state == Health::kUnhealthy;
        per[v].probes_ok += c.state == Health::kHealthy ? 1 : 0;
      }
    }
    for (size_t v = 0; v < n; ++v) {
      if (per[v].down) continue;
      if (comp.probe_count > 0 && per[v].probes_ok == comp.probe_count) {
        ++per[v].healthy;
      } else {
        ++per[v].unknown;
      }
    }
  }
}

Health Verdict(const PerVantage& p, int needed) {
  if (p.healthy >= needed) return Health::kHealthy;
  if (p.healthy + p.unknown >= needed) return Health::kUnknown;
  return Health::kUnhealthy;
}

// Explains a vantage point's down verdict: which counted components failed, how often, why.
void NoteFailures(const Layout& layout, const Layout::Region& r, const HealthView& view, int vp,
                  double stale_after, Time now, std::vector<Failure>& failures) {
  failures.resize(r.components.size());
  bool ignored = false;
  for (int ci : r.counted) {
    const auto& comp = r.components[static_cast<size_t>(ci)];
    if (ComponentHealth(layout, comp, view, vp, stale_after, now, ignored) == Health::kUnhealthy) {
      NoteFailure(comp, view, vp, failures[static_cast<size_t>(ci)]);
    }
  }
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

TargetVerdict AssessTarget(const Layout& layout, int target, const config::QuorumConfig& quorum,
                           const HealthView& view, Time now) {
  const Layout::Target& lt = layout.targets()[static_cast<size_t>(target)];
  const std::string& region = layout.regions()[static_cast<size_t>(lt.region)].name;
  Tally tally[2];  // [0] outside, [1] inside
  TargetVerdict out[2];
  const auto& vps = view.vantages();
  for (size_t i = 0; i < vps.size(); ++i) {
    const HealthView::Cell& c = view.cell(static_cast<int>(i), target);
    if (!c.observed) continue;
    const int side = !vps[i].home_region.empty() && vps[i].home_region == region ? 1 : 0;
    if (!Fresh(c, lt, quorum.stale_after, now)) {
      ++tally[side].stale;
    } else if (c.state == Health::kHealthy) {
      ++tally[side].healthy;
    } else if (c.state == Health::kUnhealthy) {
      TargetVerdict& v = out[side];
      v.min_streak =
          tally[side].down == 0 ? c.consecutive_fail : std::min(v.min_streak, c.consecutive_fail);
      if (v.error.empty()) v.error = view.error(static_cast<int>(i), target);
      ++tally[side].down;
    } else {
      ++tally[side].undecided;
    }
  }
  const auto count = [](const Tally& t) { return t.healthy + t.down + t.stale + t.undecided; };
  const int side = count(tally[0]) == 0 ? 1 : 0;
  TargetVerdict v = out[side];
  v.eligible = count(tally[side]);
  v.down_votes = tally[side].down;
  const int needed = quorum.count > 0 ? quorum.count : v.eligible / 2 + 1;
  if (v.eligible > 0 && tally[side].healthy >= needed) {
    v.verdict = Health::kHealthy;
  } else if (v.eligible > 0 && v.down_votes >= needed) {
    v.verdict = Health::kUnhealthy;
  }
  return v;
}

ComponentVerdict AssessComponent(const Layout& layout, int region, int component,
                                 const config::QuorumConfig& quorum, const HealthView& view,
                                 Time now) {
  const auto& r = layout.regions()[static_cast<size_t>(region)];
  const auto& comp = r.components[static_cast<size_t>(component)];
  Tally tally[2];  // [0] outside, [1] inside
  const auto& vps = view.vantages();
  for (size_t i = 0; i < vps.size(); ++i) {
    bool fresh = false;
    const Health h =
        ComponentHealth(layout, comp, view, static_cast<int>(i), quorum.stale_after, now, fresh);
    bool observed = false;
    for (int t = comp.first_target; t < comp.first_target + comp.probe_count; ++t) {
      observed |= view.cell(static_cast<int>(i), t).observed;
    }
    if (!observed) continue;
    Tally& t = tally[!vps[i].home_region.empty() && vps[i].home_region == r.name ? 1 : 0];
    if (h == Health::kHealthy) ++t.healthy;
    if (h == Health::kUnhealthy) ++t.down;
    if (h == Health::kUnknown) ++(fresh ? t.undecided : t.stale);
  }
  const auto count = [](const Tally& t) { return t.healthy + t.down + t.stale + t.undecided; };
  const Tally& voters = count(tally[0]) == 0 ? tally[1] : tally[0];
  ComponentVerdict v{r.name, comp.name, Health::kUnknown, voters.down,
                     voters.healthy + voters.down};
  const int eligible = count(voters);
  const int needed = quorum.count > 0 ? quorum.count : eligible / 2 + 1;
  if (eligible > 0 && voters.healthy >= needed) {
    v.verdict = Health::kHealthy;
  } else if (eligible > 0 && voters.down >= needed) {
    v.verdict = Health::kUnhealthy;
  }
  return v;
}

RegionVerdict AssessRegion(const Layout& layout, int region, const config::QuorumConfig& quorum,
                           const HealthView& view, Time now) {
  const auto& r = layout.regions()[static_cast<size_t>(region)];
  RegionVerdict v;
  v.region = r.name;
  std::vector<Failure> failures;  // sized on the first failure: healthy regions allocate nothing
  std::vector<Failure> inside_failures;
  Tally outside;
  Tally inside;
  const auto& vps = view.vantages();
  const size_t n = vps.size();
  PerVantage small[16];
  std::vector<PerVantage> large(n > 16 ? n : 0);
  PerVantage* per = n > 16 ? large.data() : small;
  VantageViews(layout, r, view, quorum.stale_after, now, per, n);
  for (size_t i = 0; i < n; ++i) {
    if (!per[i].observed) continue;
    const bool is_inside = !vps[i].home_region.empty() && vps[i].home_region == r.name;
    Tally& tally = is_inside ? inside : outside;
    const Health h = Verdict(per[i], r.needed);
    if (h == Health::kHealthy) ++tally.healthy;
    if (h == Health::kUnknown) ++(per[i].fresh ? tally.undecided : tally.stale);
    if (h == Health::kUnhealthy) {
      ++tally.down;
      NoteFailures(layout, r, view, static_cast<int>(i), quorum.stale_after, now,
                   is_inside ? inside_failures : failures);
    }
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
  if (v.verdict == Health::kUnhealthy) {
    const std::vector<Failure>& seen = use_inside ? inside_failures : failures;
    for (size_t ci = 0; ci < seen.size(); ++ci) {
      if (seen[ci].vantage_count > 0) v.failing.push_back(r.components[ci].name);
    }
  }
  return v;
}

}  // namespace steer::policies
