#pragma once

// Test fixtures for steer_policies: a small three-region policy and a trace builder that
// writes the simulator's CSV, so scenarios read like the example traces.

#include <string>
#include <vector>

#include "steer/config/policy.h"
#include "steer/policies/simulator.h"

namespace steer::policies::testing {

// Regions us-east, eu-west, ap-south (in that priority order for service "web"), each with
// critical components api and auth and a non-critical component metrics; one probe per
// component every 1 s, healthy after 2 successes, unhealthy after 3 failures.
// Service web: hold_down 0, min_change_interval 60 s, block_after_failover 10 min,
// failback auto after 5 min, all_down keep, max 6 changes an hour, quorum majority.
config::Policy ThreeRegions();

inline const std::vector<std::string> kOutside = {"probe-a", "probe-b", "probe-c"};

class TraceBuilder {
 public:
  // One observation every `every_ms` in [from_ms, to_ms) from each vantage point.
  TraceBuilder& Probe(const std::vector<std::string>& vantages, const std::string& region,
                      const std::string& component, bool ok, long from_ms, long to_ms,
                      const std::string& error = "", long every_ms = 1000);
  // Every component of every region healthy from each vantage point in [from_ms, to_ms).
  TraceBuilder& AllHealthy(const std::vector<std::string>& vantages, long from_ms, long to_ms);
  // An operator row: command, region ("" for none) and key=value;... arguments.
  TraceBuilder& Operator(long t_ms, const std::string& command, const std::string& region,
                         const std::string& args = "");
  std::string Build() const;  // rows sorted by time (stable)

 private:
  struct Row {
    long t;
    std::string text;
  };
  std::vector<Row> rows_;
};

// "t action from->to" for each decision change, and "t request allowed|refused(rule)" for
// operator commands, for one service: compact enough to compare whole runs in a test.
std::vector<std::string> Outline(const std::vector<SimulationEvent>& events,
                                 const std::string& service = "web");

}  // namespace steer::policies::testing
