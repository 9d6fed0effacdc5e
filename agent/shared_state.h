#pragma once

// SharedState: what a new leader continues from, shared by every agent of a deployment — the
// policy engine's state of each service (the answers served, the time of the last change and
// the change history, anti-flapping block windows, region tracks) and the operators'
// overrides (pause, drain, force and switchover pins with their expiry). Every write carries
// the writer's fencing token and is refused (kFailedPrecondition) when the token is no longer
// the leader's, so an ex-leader can never overwrite what its successor decided.
//
// Implementations: LocalSharedState (the state store; one agent) and EtcdSharedState (etcd
// keys under the coordination prefix, written by fenced txns).
//
// Thread-safety: every method may be called from any thread; methods may block on the
// network and honour their own timeouts.

#include <map>
#include <string>
#include <vector>

#include "state_store.h"
#include "steer/base/error.h"

namespace steer::agent {

class SharedState {
 public:
  virtual ~SharedState() = default;

  // Each service's engine state as JSON (engine_state_json.h), by service name.
  virtual Result<std::map<std::string, std::string>> EngineStates() = 0;
  virtual Result<void> PutEngineState(const std::string& service, const std::string& json,
                                      int64_t token) = 0;

  // Replaces any override of the same kind and target.
  virtual Result<void> PutOverride(const Override& o, int64_t token) = 0;
  // Returns whether one existed.
  virtual Result<bool> RemoveOverride(OverrideKind kind, const std::string& target,
                                      int64_t token) = 0;
  // Overrides not expired at `now`.
  virtual Result<std::vector<Override>> ActiveOverrides(WallTime now) = 0;
};

}  // namespace steer::agent
