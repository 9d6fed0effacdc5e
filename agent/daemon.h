#pragma once

// steerd: config -> probe engine -> health book -> policy engine (ticked on new observations
// or every agent.tick) -> DNS applier (fencing check, SafeWriter, propagation check) -> state,
// audit, notifications, metrics. Also the API's backend.
//
// Start-up: the provider's actual records are read and adopted as each service's current
// state (joined with the engine state persisted before), and no decision is taken until every
// probe target has a result observed after this start: a restart in the middle of an outage
// never flips a record back and forth.
//
// Reload (SIGHUP or the API): the new policy is loaded, validated and fully built (engine,
// providers, probes) before it replaces the running one, and the API tokens are read again
// (the token file, else the new policy's agent.api_token) so a rotated token takes effect.
// Either being invalid refuses the reload as a whole: the running policy and tokens stay.
//
// Thread-safety: Start/Stop from main; Reload and the Backend methods from any thread.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "agent_metrics.h"
#include "api/api_server.h"
#include "api/backend.h"
#include "api/router.h"
#include "api/token_auth.h"
#include "api/token_holder.h"
#include "local_coordinator.h"
#include "state_store.h"
#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/config/policy.h"
#include "steer/dns/audit.h"
#include "steer/dns/factory.h"
#include "steer/dns/propagation.h"
#include "steer/policies/decision.h"
#include "steer/policies/overrides.h"
#include "systemd_notify.h"

namespace steer::agent {

struct DaemonOptions {
  std::string config_path;
  std::string state_dir;   // overrides agent.state_dir when set
  std::string listen;      // overrides agent.listen when set
  std::string token_file;  // `name:token` lines; else agent.api_token
};

struct Runtime;  // everything built from one policy (daemon_runtime.cc)

class Daemon : public api::Backend {
 public:
  static Result<std::unique_ptr<Daemon>> Start(const DaemonOptions& options);
  ~Daemon() override;

  // Blocks until Stop() is called from another thread (or a signal handler thread).
  void Wait();
  void Stop();
  // Validates and swaps in the policy file and the API tokens again; returns the notice (what
  // was reloaded, token names and count). On refusal, `diagnostics` says why.
  Result<std::string> Reload(std::vector<std::string>* diagnostics);
  std::string api_address() const { return server_ ? server_->address() : ""; }

  // api::Backend
  nlohmann::json Status() override;
  std::optional<nlohmann::json> Service(const std::string& name) override;
  nlohmann::json History(const api::HistoryRequest& request) override;
  bool Healthy(std::string* reason) override;
  std::string Metrics() override;
  api::OperationOutcome Operate(const api::OperationRequest& request) override;

 private:
  Daemon() = default;
  Result<std::shared_ptr<Runtime>> BuildRuntime(const config::Policy& policy);
  // The API tokens: --token-file, else the policy's agent.api_token; none configured is an
  // empty set (every operation refused), an unreadable or invalid source an error.
  Result<api::TokenAuth> LoadTokens(const config::Policy& policy) const;
  void Loop();
  void Tick(Runtime& rt);
  void Adopt(Runtime& rt, size_t service);
  void Act(Runtime& rt, size_t service, const policies::Decision& d);
  policies::Overrides LoadOverrides(policies::Time now);
  std::shared_ptr<Runtime> runtime() const;
  nlohmann::json ServiceJson(Runtime& rt, size_t service);
  api::OperationOutcome Request(const api::OperationRequest& r, Runtime& rt);
  void AuditEvent(AuditKind kind, const std::string& who, const std::string& service,
                  const std::string& what, const std::string& why, bool ok);

  DaemonOptions options_;
  std::string vantage_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<LocalCoordinator> coordinator_;
  std::unique_ptr<AgentMetrics> metrics_;
  SystemdNotifier systemd_;
  base::SystemClock dns_clock_;
  base::SystemRandom dns_random_;
  dns::LdnsQuerier querier_;
  std::unique_ptr<dns::PropagationChecker> checker_;
  dns::ProviderRegistry registry_;
  dns::ProviderDeps provider_deps_;
  std::unique_ptr<dns::AuditSink> change_sink_;
  base::SystemClock probe_clock_;
  base::SystemRandom probe_random_;

  mutable std::mutex mu_;  // guards runtime_, states_, last_
  std::shared_ptr<Runtime> runtime_;
  std::map<std::string, policies::ServiceState> states_;
  std::map<std::string, policies::Decision> last_;
  std::set<std::string> acks_;  // acknowledged since the last tick, applied by the loop
  std::mutex reload_mu_;        // one reload at a time

  api::TokenHolder tokens_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<api::ApiServer> server_;
  std::atomic<bool> stop_{false};
  std::thread loop_;
  std::chrono::system_clock::time_point started_at_;
};

// Milliseconds since the Unix epoch: the policy engine's time base in the agent, so persisted
// times stay meaningful across restarts.
policies::Time WallMs(std::chrono::system_clock::time_point t);

}  // namespace steer::agent
