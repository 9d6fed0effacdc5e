#pragma once

// The health view: what every vantage point last saw of every probe target, as the policy
// engine's input. A target is one probe of one component of one region; the streak rule
// Observe() below decides its state (healthy after healthy_threshold successes in a row,
// unhealthy after unhealthy_threshold failures in a row). The agent (agent::HealthBook) applies
// Observe() to its own probe results and adds the reports of remote vantage points; the
// simulator applies the same Observe() to a trace. Plain data: a HealthView may be read from
// many threads, written by one.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "steer/base/error.h"
#include "steer/config/policy.h"

namespace steer::policies {

// Virtual time in milliseconds since an epoch the caller picks (the engine never reads a clock).
using Time = std::chrono::milliseconds;

enum class Health : std::uint8_t { kUnknown, kHealthy, kUnhealthy };
const char* HealthName(Health h);

// The latest state of one probe target as seen from one vantage point.
struct TargetHealth {
  Health state = Health::kUnknown;  // from the probe streaks; kUnknown before the first verdict
  bool observed = false;            // false: this vantage point never reported the target
  Time last_observed{0};            // time of the latest probe result
  int consecutive_ok = 0;           // successes in a row (0 after a failure)
  int consecutive_fail = 0;         // failures in a row (0 after a success)
  std::string last_error;           // short text of the latest failure, e.g. "HTTP 503"
};

// The policy's regions, components and probes with stable indexes, so that lookups on the hot
// path are array offsets instead of string compares. Built once per policy.
class Layout {
 public:
  struct Component {
    std::string name;
    bool critical = true;
    int first_target = 0;  // index of its first probe in the flat target array
    int probe_count = 0;
  };
  struct Region {
    std::string name;
    std::vector<Component> components;
    std::vector<int> counted;  // component indexes the health rule counts
    int needed = 0;            // how many counted components must be healthy
  };
  struct Target {
    int region = 0;
    int component = 0;
    std::string probe;
    Time stale_interval{1000};  // the probe's interval; data older than N x this is stale
    int healthy_threshold = 1;
    int unhealthy_threshold = 1;
  };

  // Fails when a health rule names a component the region does not have.
  static Result<Layout> Build(const config::Policy& policy);

  const std::vector<Region>& regions() const { return regions_; }
  const std::vector<Target>& targets() const { return targets_; }
  int FindRegion(const std::string& name) const;                              // -1 if absent
  int FindComponent(int region, const std::string& name) const;               // -1 if absent
  int FindTarget(int region, int component, const std::string& probe) const;  // -1 if absent

 private:
  std::vector<Region> regions_;
  std::vector<Target> targets_;
  std::unordered_map<std::string, int> region_index_;
};

// What one probe result did to a target's state.
enum class Transition : std::uint8_t {
  kUnchanged,  // the result agrees with the state
  kChanged,    // the state flipped (the first result always sets it)
  kPending,    // the result disagrees with the state; its streak is below the threshold
};

// The streak rule (hysteresis, Envoy's semantics), the only one in Steer: applies one probe
// result at time `t` to a target's health. The first result sets the state; afterwards the
// state turns healthy after target.healthy_threshold successes in a row and unhealthy after
// target.unhealthy_threshold failures in a row, and stays as it is in between. Thresholds
// below 1 act as 1. Also records the time, both streaks and (on failure) the error text
// ("failed" when empty). Called by the agent (agent::HealthBook::Record, from the probe
// workers) and by the simulator (`steerctl simulate`), so an agent and a replay of its trace
// agree. Pure: touches only `th`.
Transition Observe(TargetHealth& th, const Layout::Target& target, bool ok, Time t,
                   std::string_view error);

// One vantage point: a prober somewhere. `home_region` names the region it runs in ("" when it
// runs outside every region); a region's own vantage points do not vote on that region,
// because a region that answers its own agent may still be unreachable for users.
struct VantagePoint {
  std::string name;
  std::string home_region;
};

class HealthView {
 public:
  // The hot part of a TargetHealth, stored densely: a tick reads every cell, and 24-byte cells
  // keep 500,000 of them (1,000 services x 10 regions x 10 vantage points x 5 probes) at 12 MB.
  struct Cell {
    Time last_observed{0};
    std::int32_t consecutive_ok = 0;
    std::int32_t consecutive_fail = 0;
    Health state = Health::kUnknown;
    bool observed = false;
  };

  explicit HealthView(const Layout& layout) : target_count_(layout.targets().size()) {}

  // Returns the vantage point's index; adding a known name returns its existing index.
  int AddVantage(const VantagePoint& vp);
  int FindVantage(const std::string& name) const;  // -1 if absent
  const std::vector<VantagePoint>& vantages() const { return vantages_; }

  void Set(int vantage, int target, const TargetHealth& th);
  TargetHealth Get(int vantage, int target) const;
  const Cell& cell(int vantage, int target) const { return cells_[Index(vantage, target)]; }
  const std::string& error(int vantage, int target) const {
    return errors_[Index(vantage, target)];
  }

 private:
  // Target-major: one region's cells from every vantage point sit together, so a tick walks
  // memory in one stream. Adding a vantage point re-lays the arrays (rare).
  size_t Index(int vantage, int target) const {
    return static_cast<size_t>(target) * vantages_.size() + static_cast<size_t>(vantage);
  }
  size_t target_count_;
  std::vector<VantagePoint> vantages_;
  std::vector<Cell> cells_;
  std::vector<std::string> errors_;  // last_error, apart: read only to explain a failure
};

}  // namespace steer::policies
