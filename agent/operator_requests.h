#pragma once

// OperatorRequests: the API's operations turned into durable intent, on the leader only (a
// follower's are relayed to the leader, or refused naming it). pause / resume /
// undrain / ack are recorded as they are; drain, switchover and failover are first checked
// by the policy engine's rules (a refusal names the rule) and then recorded as an override
// in the state store. The decision loop carries them out on its next tick.
//
// Lifetime: `loop` and `context` must outlive it (the daemon owns all of them).
// Thread-safety: Handle() from any thread; everything it touches is thread-safe.

#include <memory>

#include "agent_context.h"
#include "api/backend.h"
#include "decision_loop.h"
#include "runtime.h"

namespace steer::agent {

class OperatorRequests {
 public:
  OperatorRequests(DecisionLoop& loop, std::shared_ptr<const AgentContext> context)
      : loop_(loop), context_(std::move(context)) {}

  // Every op but reload, against the runtime in force; the service and region named exist.
  api::OperationOutcome Handle(const api::OperationRequest& r, Runtime& rt);

 private:
  // `token`: the fencing token of this leader's term; every shared write carries it.
  api::OperationOutcome Pause(const api::OperationRequest& r, Override o, int64_t token);
  api::OperationOutcome Resume(const api::OperationRequest& r, int64_t token);
  api::OperationOutcome Undrain(const api::OperationRequest& r, int64_t token);
  api::OperationOutcome Ack(const api::OperationRequest& r);
  // drain, switchover, failover: the engine's rules decide, then the override is recorded.
  api::OperationOutcome Checked(const api::OperationRequest& r, Runtime& rt, Override o,
                                int64_t token);
  api::OperationOutcome Record(const api::OperationRequest& r, Override o, int64_t token);

  DecisionLoop& loop_;
  const std::shared_ptr<const AgentContext> context_;
};

}  // namespace steer::agent
