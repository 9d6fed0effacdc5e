#pragma once

// AgentContext: what steerd keeps for its whole life and every Runtime (one per policy)
// shares — the state store and the audit log in it, the coordinator (fencing), metrics,
// systemd notifications, clocks, the DNS querier and propagation checker, and the provider
// registry, and the status page's uptime history and incidents (status.retention and
// status.regions as at start; a reload does not change them). Held by shared_ptr: each Runtime and
// every callback that needs one of these holds the context, so nothing they reference can go first.
//
// Thread-safety: built once by Create() and not changed after; every accessor and Audit() may
// be called from any thread (the parts are thread-safe themselves).

#include <chrono>
#include <memory>
#include <string>

#include "agent_metrics.h"
#include "op_relay.h"
#include "shared_state.h"
#include "state_store.h"
#include "status/incident_book.h"
#include "status/uptime_store.h"
#include "status_share.h"
#include "steer/agent/coordinator.h"
#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/base/steady_wall_clock.h"
#include "steer/config/policy.h"
#include "steer/dns/factory.h"
#include "steer/dns/propagation.h"
#include "steer/policies/health.h"
#include "systemd_notify.h"

namespace steer::agent {

namespace etcd {
class Client;
}  // namespace etcd

class AgentContext {
 public:
  // Opens the state store in `state_dir`, starts the coordinator of the policy's
  // coordination mode (local, or an etcd session), creates the metrics. Leadership changes
  // are announced by VantageSync, which polls CurrentLeadership().
  // `clock`: the agent's clock (tests pass a base::FakeClock, which must outlive the context);
  // null: the system clock.
  static Result<std::shared_ptr<AgentContext>> Create(const config::Policy& policy,
                                                      const std::string& state_dir,
                                                      const base::Clock* clock = nullptr);
  // Coded teardown: the checker (uses the querier and clock), the shared state and the
  // coordinator (use the store or the etcd client), then the etcd client and the store.
  ~AgentContext();
  AgentContext(const AgentContext&) = delete;
  AgentContext& operator=(const AgentContext&) = delete;

  const std::string& vantage() const { return vantage_; }
  StateStore& store() const { return *store_; }
  Coordinator& coordinator() const { return *coordinator_; }
  SharedState& shared() const { return *shared_; }
  // The operation relay to the leader (etcd mode); null in local mode.
  OpRelay* relay() const { return relay_.get(); }
  // The status page's shared records (etcd mode: part of shared()); null in local mode.
  StatusShare* status_share() const { return status_share_; }
  bool etcd_mode() const { return etcd_ != nullptr; }
  // "steerd@<vantage> token <N>": who acted, and under which fencing token.
  std::string Actor() const;
  AgentMetrics& metrics() const { return *metrics_; }
  SystemdNotifier& systemd() const { return *systemd_; }
  // The one clock and random source of the agent (probes, DNS writes, rate limits).
  const base::Clock& clock() const { return *clock_; }
  // Policy time (base::SteadyWallClock over clock()): the wall time at the first start in this
  // boot, continued across restarts (StartPolicyClock), advanced by the monotonic clock only.
  // Everything the policy engine compares lives on it: probe results and vantage reports, the
  // engine state's times (hold_down, failback_after, min_change_interval, max_changes_per_hour,
  // block_after_failover) and override expiry. So a wall-clock step while steerd runs, or between
  // two steerd of one boot, moves none of them; docs/reliability.md ("Clock faults") states the
  // rule.
  const base::Clock& policy_clock() const { return *policy_clock_; }
  policies::Time PolicyNow() const;
  base::Random& random() const { return *random_; }
  dns::PropagationChecker& checker() const { return *checker_; }
  const dns::ProviderRegistry& registry() const { return registry_; }
  const dns::ProviderDeps& provider_deps() const { return provider_deps_; }
  // The public status page's data, in the state database.
  status::UptimeStore& uptime() const { return *uptime_; }
  status::IncidentBook& incidents() const { return *incidents_; }

  // This agent's fencing token while it is still the current one (it may write DNS); checked
  // with the coordinator (in etcd mode a linearizable txn) on every call.
  Result<int64_t> CheckFence() const;
  // Into the log and the audit log (an audit failure is logged, not returned).
  void Audit(AuditKind kind, const std::string& service, const std::string& what,
             const std::string& why) const;

 private:
  AgentContext() = default;
  Result<void> StartEtcd(const config::Policy& policy);
  Result<void> OpenStatus(const config::Policy& policy, const std::string& state_dir);

  std::string vantage_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<status::StatusDb> status_db_;
  std::unique_ptr<status::UptimeStore> uptime_;  // uses status_db_ and clock_
  std::unique_ptr<status::IncidentBook> incidents_;
  std::unique_ptr<base::HttpClient> etcd_http_;
  std::unique_ptr<etcd::Client> etcd_;
  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<SharedState> shared_;
  std::unique_ptr<OpRelay> relay_;
  StatusShare* status_share_ = nullptr;  // shared_, when it has the ability
  std::unique_ptr<AgentMetrics> metrics_;
  std::unique_ptr<SystemdNotifier> systemd_;
  std::unique_ptr<base::SystemClock> system_clock_;  // when Create was given no clock
  const base::Clock* clock_ = nullptr;
  std::unique_ptr<base::SteadyWallClock> policy_clock_;
  std::unique_ptr<base::SystemRandom> random_;
  std::unique_ptr<dns::LdnsQuerier> querier_;
  std::unique_ptr<dns::PropagationChecker> checker_;
  dns::ProviderRegistry registry_;
  dns::ProviderDeps provider_deps_;
};

// Milliseconds since the Unix epoch: the policy engine's time base in the agent (read on
// AgentContext::policy_clock()), so persisted times stay meaningful across restarts.
policies::Time WallMs(std::chrono::system_clock::time_point t);

}  // namespace steer::agent
