#pragma once

// Replays a trace of probe observations through the engine on a virtual clock: the core of
// `steerctl simulate`. Pure: it takes the trace text, not a file, and reads no clock.
//
// Trace format (CSV, no quoting): a header naming at least the columns
// t_ms,vantage,region,component,ok (any order; an optional `error` column gives the failure
// text; other columns are ignored), then one row per observation in time order. Blank lines
// and lines starting with '#' are skipped. A row whose vantage is `@operator` is an operator
// command: the component column names it (pause, resume, drain, undrain, force, switchover,
// clear, ack, end), the region column its region, and the ok column its arguments as
// `key=value` pairs separated by ';' (service=NAME, until=T_MS, bypass=RULE|RULE).
// Observations go through the streak rule Observe() (steer/policies/health.h), as in the agent.
// See docs/policies.md.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "steer/base/error.h"
#include "steer/policies/decision.h"
#include "steer/policies/engine.h"
#include "steer/policies/health.h"

namespace steer::policies {

// The largest t_ms a trace row may carry: 2^53 ms, the largest integer a JSON reader of the
// --json output keeps exact (about 285,000 years; Unix-epoch milliseconds fit easily).
inline constexpr long long kMaxTraceTimeMs = 1LL << 53;
// The most ticks one simulation runs; a longer trace for its step is refused with an error that
// names both, instead of running for hours (one tick per step, 10,000,000 = 116 days at 1 s).
inline constexpr long long kMaxSimulationTicks = 10'000'000;

struct SimulationOptions {
  Time step{0};  // evaluation period between rows; 0 = the policy's agent.tick
  // Called with every decision on every tick (tests use it to check invariants).
  std::function<void(Time, const Decision&)> on_tick;
};

struct SimulationEvent {
  Time t{0};
  std::string service;
  bool is_request = false;  // false: a decision change; true: an operator command's outcome
  Decision decision;        // decision changes
  std::string command;      // requests: the command as written
  RequestCheck check;       // requests: allowed or which rule refused
};

// Every decision change (action, from, to, cause or answers differs from the service's previous
// decision) and every operator command's outcome, in time order. Errors name the trace line,
// or the span and step when the trace needs more than kMaxSimulationTicks ticks.
Result<std::vector<SimulationEvent>> Simulate(const Engine& engine, std::string_view trace,
                                              const SimulationOptions& options = {});

}  // namespace steer::policies
