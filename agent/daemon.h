#pragma once

// Daemon: steerd's composition root. It loads a runnable policy (agent::LoadRunnablePolicy,
// the check `steerctl validate` makes), builds the AgentContext (state store, coordinator,
// metrics), the Runtime in force (RuntimeBuilder), the DecisionLoop, the API (ApiBackend,
// router, server), the public status listener (status.listen: PublicPage on its own
// HttpServer, nothing of the API) and its static copy (status.export_dir: PageExporter), and
// reloads: a new policy is checked and fully built (engine,
// providers, probes) before it replaces the running one, and the API tokens are read again (the
// token file, else the new policy's agent.api_token) so a rotated token takes effect. Either being
// invalid refuses the reload as a whole: the running policy and tokens stay.
//
// Start-up: the provider's actual records are read and adopted as each service's current
// state (joined with the engine state persisted before), and no decision is taken until every
// probe target has a result observed after this start: a restart in the middle of an outage
// never flips a record back and forth.
//
// Teardown is coded in the destructor: the public status listener and then the API server stop
// (no more calls in; the API finishes the requests in progress), the decision loop and the
// coordination thread (VantageSync) are joined, the runtime in force is stopped (probes, then
// appliers), then the context goes.
//
// Thread-safety: Start/Wait/Stop from main (Stop also from a signal thread); Reload from any
// thread, one at a time.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent_context.h"
#include "api/router.h"
#include "api/token_auth.h"
#include "api/token_holder.h"
#include "api_backend.h"
#include "decision_loop.h"
#include "runtime_builder.h"
#include "runtime_slot.h"
#include "status/public_page.h"
#include "vantage_sync.h"

namespace steer::agent {

struct DaemonOptions {
  std::string config_path;
  std::string state_dir;   // overrides agent.state_dir when set
  std::string listen;      // overrides agent.listen when set
  std::string token_file;  // `name:token` lines; else agent.api_token
  // The API's listening socket, given by the caller; -1: one adopted by
  // base::AdoptInheritedSockets() (steerd.socket) on agent.listen, else bind agent.listen.
  int listen_fd = -1;
};

// On Stop, API requests in progress get this long to finish (base::HttpServer::Shutdown):
// the API's own per-request limit.
inline constexpr std::chrono::seconds kApiShutdownTimeout{10};

class Daemon : public Reloader {
 public:
  static Result<std::unique_ptr<Daemon>> Start(const DaemonOptions& options);
  ~Daemon() override;
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Blocks until Stop() is called from another thread (or a signal handler thread).
  void Wait();
  void Stop();
  // Checks and swaps in the policy file and the API tokens again; returns the notice (what
  // was reloaded, token names and count). On refusal, `diagnostics` says why.
  Result<std::string> Reload(std::vector<std::string>* diagnostics) override;
  std::string api_address() const { return server_ ? server_->address() : ""; }
  // The public status listener (status.listen); "" when the policy sets none.
  std::string status_address() const { return public_server_ ? public_server_->address() : ""; }

 private:
  explicit Daemon(DaemonOptions options) : options_(std::move(options)) {}
  Result<void> Open(const config::Policy& policy);
  Result<void> StartApi(const config::Policy& policy);
  // The public, read-only status listener of status.listen (none when it is empty).
  Result<void> StartPublic(const config::Policy& policy);
  Result<int> ApiSocket(const std::string& listen);
  Result<void> CheckAdoptedSocketsServed();
  // The API tokens: --token-file, else the policy's agent.api_token; none configured is an
  // empty set (every operation refused), an unreadable or invalid source an error.
  Result<api::TokenAuth> LoadTokens(const config::Policy& policy) const;
  Result<std::string> Refuse(const std::string& why, ErrorCode code);
  void ServeRelays();
  void RunMaintenance();

  const DaemonOptions options_;
  std::shared_ptr<AgentContext> context_;
  InFlightHold hold_;  // set by Open; every runtime (reloads too) is built with it
  RuntimeSlot slot_;
  std::unique_ptr<DecisionLoop> loop_;
  std::unique_ptr<VantageSync> sync_;
  api::TokenHolder tokens_;
  std::unique_ptr<ApiBackend> backend_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<base::HttpServer> server_;
  std::unique_ptr<status::PublicPage> page_;
  std::unique_ptr<base::HttpServer> public_server_;  // uses page_
  std::unique_ptr<status::PageExporter> exporter_;   // status.export_dir; uses page_
  std::thread relay_;        // etcd mode: the leader serves relayed operations (joined first)
  std::thread maintenance_;  // starts and ends maintenance windows (joined with relay_)
  std::mutex reload_mu_;     // one reload at a time
  std::atomic<bool> stop_{false};
};

}  // namespace steer::agent
