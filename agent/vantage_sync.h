#pragma once

// VantageSync: steerd's coordination thread. Every agent.tick it
//  - watches the coordinator's leadership and announces every change (log, audit, a
//    `leadership` notification, the steer_leader / steer_coordination_frozen gauges);
//  - etcd mode: publishes this vantage point's report when a target's state or error changed,
//    and as a heartbeat (a third of the shortest stale window, so a live vantage point never
//    goes stale), and hands every other vantage point's latest report to the health book.
// Publishing on change plus a heartbeat, not per probe result, keeps etcd's write rate at
// about (vantage points / heartbeat period) however many probes run.
//
// Lifetime: Start() starts the thread; Stop() (also the destructor) joins it. `slot` and
// `context` must outlive it (the daemon owns all three).
// Thread-safety: Start/Stop from the owner; nothing else is public.

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "agent_context.h"
#include "runtime_slot.h"

namespace steer::agent {

// A third of the shortest stale window (stale_after x probe interval) of the policy, at
// least 100 ms.
std::chrono::milliseconds HeartbeatPeriod(const config::Policy& policy);
// The smallest stale_after of the policy's services (3 when it has none).
double MinStaleAfter(const config::Policy& policy);

// True when the reports differ in anything but the ages and streak counters.
bool ReportChanged(const VantageReport& before, const VantageReport& after);

class VantageSync {
 public:
  VantageSync(const RuntimeSlot& slot, std::shared_ptr<const AgentContext> context)
      : slot_(slot), context_(std::move(context)) {}
  ~VantageSync();
  VantageSync(const VantageSync&) = delete;
  VantageSync& operator=(const VantageSync&) = delete;

  void Start();
  void Stop();

 private:
  void Run();
  void WatchLeadership(Runtime& rt);
  void Sync(Runtime& rt);

  const RuntimeSlot& slot_;
  const std::shared_ptr<const AgentContext> context_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Leadership last_;
  bool announced_ = false;
  VantageReport published_;
  std::chrono::steady_clock::time_point next_heartbeat_{};
};

}  // namespace steer::agent
