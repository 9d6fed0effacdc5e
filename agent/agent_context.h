#pragma once

// AgentContext: what steerd keeps for its whole life and every Runtime (one per policy)
// shares — the state store and the audit log in it, the coordinator (fencing), metrics,
// systemd notifications, clocks, the DNS querier and propagation checker, and the provider
// registry. Held by shared_ptr: each Runtime and every callback that needs one of these
// holds the context, so nothing they reference can go first.
//
// Thread-safety: built once by Create() and not changed after; every accessor and Audit() may
// be called from any thread (the parts are thread-safe themselves).

#include <chrono>
#include <memory>
#include <string>

#include "agent_metrics.h"
#include "local_coordinator.h"
#include "state_store.h"
#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/config/policy.h"
#include "steer/dns/factory.h"
#include "steer/dns/propagation.h"
#include "steer/policies/health.h"
#include "systemd_notify.h"

namespace steer::agent {

class AgentContext {
 public:
  // Opens the state store in `state_dir`, starts the coordinator, creates the metrics.
  static Result<std::shared_ptr<AgentContext>> Create(const config::Policy& policy,
                                                      const std::string& state_dir);
  // Coded teardown: the checker (uses the querier and clock), the coordinator (uses the
  // store), then the store.
  ~AgentContext();
  AgentContext(const AgentContext&) = delete;
  AgentContext& operator=(const AgentContext&) = delete;

  const std::string& vantage() const { return vantage_; }
  StateStore& store() const { return *store_; }
  LocalCoordinator& coordinator() const { return *coordinator_; }
  AgentMetrics& metrics() const { return *metrics_; }
  SystemdNotifier& systemd() const { return *systemd_; }
  // The one clock and random source of the agent (probes, DNS writes, rate limits).
  const base::Clock& clock() const { return *clock_; }
  base::Random& random() const { return *random_; }
  dns::PropagationChecker& checker() const { return *checker_; }
  const dns::ProviderRegistry& registry() const { return registry_; }
  const dns::ProviderDeps& provider_deps() const { return provider_deps_; }

  // Ok while this agent's fencing token is still the current one (it may write DNS).
  Result<void> CheckFence() const;
  // Into the log and the audit log (an audit failure is logged, not returned).
  void Audit(AuditKind kind, const std::string& service, const std::string& what,
             const std::string& why) const;

 private:
  AgentContext() = default;

  std::string vantage_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<LocalCoordinator> coordinator_;
  std::unique_ptr<AgentMetrics> metrics_;
  std::unique_ptr<SystemdNotifier> systemd_;
  std::unique_ptr<base::SystemClock> clock_;
  std::unique_ptr<base::SystemRandom> random_;
  std::unique_ptr<dns::LdnsQuerier> querier_;
  std::unique_ptr<dns::PropagationChecker> checker_;
  dns::ProviderRegistry registry_;
  dns::ProviderDeps provider_deps_;
};

// Milliseconds since the Unix epoch: the policy engine's time base in the agent, so persisted
// times stay meaningful across restarts.
policies::Time WallMs(std::chrono::system_clock::time_point t);

}  // namespace steer::agent
