#pragma once

// OpRelay: operations asked of a follower, carried out by the leader. With several agents
// only the leader writes the shared state, so an operator's `steerctl pause` (or drain,
// switchover, ...) sent to any agent is handed to the leader through the coordination store
// and its outcome comes back to the agent that was asked, naming the agent that applied it.
//
// Implementations: EtcdOpRelay (agent/etcd/etcd_op_relay.h). Local mode has none: its one
// agent is always the leader.
//
// Thread-safety: every method from any thread.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "api/backend.h"
#include "steer/base/error.h"

namespace steer::agent {

class OpRelay {
 public:
  virtual ~OpRelay() = default;

  // Follower: hands `request` to the leader and waits up to `timeout` for its outcome
  // (kDeadlineExceeded when none came; the request is withdrawn then).
  virtual Result<api::OperationOutcome> Forward(const api::OperationRequest& request,
                                                std::chrono::milliseconds timeout) = 0;
  // Leader: the requests waiting, by id, with the name of the agent that relayed each.
  struct Pending {
    std::string id;
    std::string from;
    api::OperationRequest request;
  };
  virtual Result<std::vector<Pending>> Waiting() = 0;
  // Leader: answers request `id` and takes it off the queue, fenced by `token`
  // (kFailedPrecondition when `token` is stale, kNotFound when the request was withdrawn).
  virtual Result<void> Complete(const std::string& id, const api::OperationOutcome& outcome,
                                int64_t token) = 0;
};

// The JSON the relay carries (also readable in etcd by an operator).
nlohmann::json RequestToJson(const api::OperationRequest& r);
Result<api::OperationRequest> RequestFromJson(const nlohmann::json& j);
nlohmann::json OutcomeToJson(const api::OperationOutcome& o);
Result<api::OperationOutcome> OutcomeFromJson(const nlohmann::json& j);

}  // namespace steer::agent
