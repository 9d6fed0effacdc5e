#pragma once

// This agent's view of every probe target, fed by the probe engine's observations and read
// by the decision loop as a policies::HealthView. The streak rule (hysteresis) is
// policies::Observe() (steer/policies/health.h, policies/health.cc), the same one
// `steerctl simulate` replays, so the agent and a replay of its trace agree.
//
// With several agents (coordination: etcd) it also holds the other vantage points' latest
// reports, added to every Snapshot() as their own vantage points. A report carries only
// targets its vantage point has fresh results for, so a remote target's time of observation
// is the time this agent received the report: a vantage point whose heartbeat stops goes
// stale by this agent's clock, whatever the two clocks say.
//
// Also answers "may the agent decide yet?": only once every target has a result observed
// after the agent started (a restart mid-outage never acts on remembered health).
//
// Thread-safety: Record() from any thread (probe workers), the rest from any thread; one
// mutex.

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "agent_metrics.h"
#include "steer/agent/coordinator.h"
#include "steer/policies/health.h"

namespace steer::agent {

class HealthBook {
 public:
  // `metrics` may be null.
  HealthBook(policies::Layout layout, policies::VantagePoint self, AgentMetrics* metrics);

  // One probe result for layout target `target`. `t` is policy time (AgentContext::PolicyNow's
  // clock), ms since the Unix epoch.
  void Record(int target, bool ok, policies::Time t, const std::string& error,
              double duration_seconds);

  // This agent's own cells and every remote report's.
  policies::HealthView Snapshot() const;
  // This agent's view of every target with a fresh result — observed since start, and within
  // `stale_after` x the probe's interval of `now` (policy time, ms since the epoch) — as
  // published to the other agents.
  VantageReport OwnReport(policies::Time now, double stale_after) const;
  // Replaces the other vantage points' reports (wakes the decision loop).
  void SetRemote(std::vector<VantageReport> reports);
  std::vector<VantageReport> Remote() const;
  bool AllFresh() const;
  // Targets still without a fresh result, as "region/component/probe" (for status).
  std::vector<std::string> Missing() const;
  // Bumped by a Record() that changes a target's verdict (or is its first result) and by
  // SetRemote(); the decision loop waits for a change or its tick (agent.tick), so results that
  // change nothing are seen at the next tick.
  uint64_t version() const;
  // Waits until version() != seen or `deadline`.
  void WaitForChange(uint64_t seen, std::chrono::steady_clock::time_point deadline) const;
  const policies::Layout& layout() const { return layout_; }

 private:
  std::string TargetName(int target) const;

  const policies::Layout layout_;
  AgentMetrics* metrics_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  policies::HealthView view_;
  int vantage_ = 0;
  std::vector<bool> fresh_;
  uint64_t version_ = 0;
  std::vector<VantageReport> remote_;
  policies::VantagePoint self_;
};

}  // namespace steer::agent
