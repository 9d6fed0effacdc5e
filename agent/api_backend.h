#pragma once

// ApiBackend: what steerd's HTTP API serves (agent/api/backend.h) — status views of the
// runtime in force and of the decision loop's state, the audit history, health, metrics —
// and the operations: reload through the Reloader, the rest through OperatorRequests, each
// notified with its outcome.
//
// Lifetime: `slot`, `loop` and `reloader` must outlive it; the daemon owns all of them and
// stops the API server (the only caller) before any of them goes.
// Thread-safety: every method from any thread (the API's io thread); see api::Backend.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent_context.h"
#include "api/backend.h"
#include "decision_loop.h"
#include "operator_requests.h"
#include "runtime_slot.h"
#include "status_ops.h"

namespace steer::agent {

// steerd's reload, as the API's reload operation calls it.
class Reloader {
 public:
  virtual ~Reloader() = default;
  // The notice (what was reloaded) or why it was refused, with details in `diagnostics`.
  virtual Result<std::string> Reload(std::vector<std::string>* diagnostics) = 0;
};

class ApiBackend : public api::Backend {
 public:
  ApiBackend(const RuntimeSlot& slot, DecisionLoop& loop, Reloader& reloader,
             std::shared_ptr<const AgentContext> context, std::string policy_path);

  nlohmann::json Status() override;
  std::optional<nlohmann::json> Service(const std::string& name) override;
  nlohmann::json History(const api::HistoryRequest& request) override;
  bool Healthy(std::string* reason) override;
  std::string Metrics() override;
  api::OperationOutcome Operate(const api::OperationRequest& request) override;
  api::OperationOutcome OperateStatus(const api::StatusRequest& request) override;
  // Starts and ends the maintenance windows due now (leader only; StatusOperations::Advance).
  void AdvanceMaintenance();
  // Leader only: carries out the operations followers relayed (etcd mode); a no-op otherwise.
  void ServeRelayed();

 private:
  nlohmann::json AgentJson(Runtime& rt);
  nlohmann::json VantagesJson(Runtime& rt);
  nlohmann::json RegionsJson(Runtime& rt);
  nlohmann::json ServiceJson(Runtime& rt, const ServiceRuntime& s);
  std::string ServiceStateName(Runtime& rt, const ServiceRuntime& s, const ApplyStatus& ap,
                               const std::optional<policies::Decision>& last);
  api::OperationOutcome ReloadOp();
  api::OperationOutcome Forward(const api::OperationRequest& r, const Leadership& lead);
  // `from`: the agent that relayed it ("" when asked here).
  api::OperationOutcome Apply(const api::OperationRequest& r, const std::string& from);
  void Notify(Runtime& rt, const api::OperationRequest& r, const api::OperationOutcome& out);

  const RuntimeSlot& slot_;
  DecisionLoop& loop_;
  Reloader& reloader_;
  const std::shared_ptr<const AgentContext> context_;
  OperatorRequests requests_;
  StatusOperations status_ops_;
  const std::string policy_path_;
  const std::chrono::system_clock::time_point started_at_;
};

}  // namespace steer::agent
