#pragma once

// DecisionLoop: steerd's one decision thread. It wakes on new observations (or every
// agent.tick). Only the leader decides: a follower keeps the shared state in view and
// evaluates the policy for status only; a new leader first continues from the shared state
// (SharedState, fenced by its token). The leader first adopts what each service's provider
// serves as that service's state (local mode, or a service without shared state), and
// once every probe target has a result observed since start asks the policy engine for each
// service and carries the decision out: the engine state is kept and persisted
// (engine/<service>), metrics are set, the answers go to the service's DnsApplier, and a new
// decision is audited, notified and shown in systemd's status. Every decision, the leader's
// and a follower's, is also an uptime sample for the status page (status_feed.h); the leader's
// also opens, updates and resolves incidents. It keeps each service's engine
// state and last decision, which the API reads, and applies acknowledgements between ticks.
//
// Lifetime: Start() starts the thread; Stop() (also run by the destructor) ends and joins
// it. `slot` and `context` must outlive the loop: the daemon owns all three and stops the
// loop before the others go.
//
// Thread-safety: State(), States(), LastDecision(), RegionVerdicts() and Acknowledge() from
// any thread (one mutex); Start()/Stop() from the owning thread.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent_context.h"
#include "runtime_slot.h"
#include "status_sync.h"
#include "steer/policies/decision.h"
#include "steer/policies/overrides.h"

namespace steer::agent {

class DecisionLoop {
 public:
  DecisionLoop(const RuntimeSlot& slot, std::shared_ptr<const AgentContext> context);
  ~DecisionLoop();
  DecisionLoop(const DecisionLoop&) = delete;
  DecisionLoop& operator=(const DecisionLoop&) = delete;

  void Start();
  void Stop();

  policies::ServiceState State(const std::string& service) const;
  // Indexed like policy.services.
  std::vector<policies::ServiceState> States(const config::Policy& policy) const;
  std::optional<policies::Decision> LastDecision(const std::string& service) const;
  // Each region's verdict in the latest decisions.
  std::map<std::string, policies::RegionVerdict> RegionVerdicts() const;
  // Applied by the next tick, under the same lock as its copy of the state.
  void Acknowledge(const std::string& service);
  // Why the service's latest decision is not acted on ("" when it is): its state could not be
  // stored or shared (a full or locked state store, a lost lease).
  std::string HeldWhy(const std::string& service) const;

 private:
  void Run();
  void Tick(Runtime& rt);
  bool TakeOver(Runtime& rt, int64_t token);
  void Follow(Runtime& rt, bool frozen);
  void ServeShared(Runtime& rt);
  void Adopt(ServiceRuntime& s);
  void AdoptRecords(const config::ServiceConfig& sc, const dns::RRset& current);
  policies::ServiceState TakeState(const std::string& service);
  struct Kept {
    bool stored;    // false: the shared state refused it (not leader): do not act
    bool announce;  // the decision differs from the last one
  };
  // Keeps d.next as the service's state, shared (fenced by `token`) when it changed.
  Kept Keep(const std::string& service, const policies::Decision& d, int64_t token);
  void Act(Runtime& rt, ServiceRuntime& s, const policies::Decision& d, int64_t token);
  void SetMetrics(const config::ServiceConfig& sc, const policies::Decision& d);
  // Once a second of policy time: every component's verdict as an uptime sample.
  void SampleComponents(Runtime& rt, const policies::HealthView& view, policies::Time now);
  void Announce(Runtime& rt, const config::ServiceConfig& sc, const policies::Decision& d);

  const RuntimeSlot& slot_;
  const std::shared_ptr<const AgentContext> context_;
  mutable std::mutex mu_;  // guards states_, last_, acks_, held_
  std::map<std::string, policies::ServiceState> states_;
  std::map<std::string, std::string> held_;  // service -> why it is not acting
  std::map<std::string, policies::Decision> last_;
  std::set<std::string> acks_;
  int64_t led_token_ = 0;  // the term this loop acts in (loop thread only)
  std::chrono::steady_clock::time_point next_refresh_{};  // follower (loop thread only)
  policies::Overrides follower_overrides_;                // follower (loop thread only)
  policies::Time next_component_sample_{0};               // loop thread only
  std::unique_ptr<StatusSync> status_sync_;  // etcd mode: the page's shared records (loop thread)
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace steer::agent
