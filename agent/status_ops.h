#pragma once

// StatusOperations: the status page's operator side behind steerd's API — incidents
// (`steerctl incident open|update|resolve`) and maintenance windows (`steerctl maintenance
// schedule|cancel`), kept in the agent's IncidentBook — and the windows' lifecycle: Advance()
// starts and ends them, draining a window's region at its start and undraining it at its end
// through the daemon's own drain and undrain operations (the policy engine decides as for an
// operator's drain), each audited as done by "maintenance #N".
//
// Names are checked against the policy in force: an unknown service or region is refused and
// nothing is stored. In etcd mode only the leader keeps them (its page is the one that
// decides); a follower refuses, naming the leader.
//
// Thread-safety: every method from any thread (the book and the store are thread-safe).

#include <functional>
#include <memory>

#include "agent_context.h"
#include "api/backend.h"

namespace steer::agent {

class StatusOperations {
 public:
  // Runs a drain or undrain as the API would (ApiBackend::Apply): checked, recorded, notified.
  using RunOp = std::function<api::OperationOutcome(const api::OperationRequest&)>;

  explicit StatusOperations(std::shared_ptr<const AgentContext> context)
      : context_(std::move(context)) {}

  api::OperationOutcome Handle(const api::StatusRequest& r, const config::Policy& policy,
                               const RunOp& run);
  // On the leader: starts and ends the windows due now. A no-op on a follower.
  void Advance(const RunOp& run);

 private:
  api::OperationOutcome Open(const api::StatusRequest& r, const config::Policy& policy);
  api::OperationOutcome Update(const api::StatusRequest& r);
  api::OperationOutcome Schedule(const api::StatusRequest& r, const config::Policy& policy);
  api::OperationOutcome Cancel(const api::StatusRequest& r, const RunOp& run);
  status::MaintenanceActions Actions(const RunOp& run) const;
  int64_t NowMs() const;

  const std::shared_ptr<const AgentContext> context_;
};

}  // namespace steer::agent
