#pragma once

// The `local` mode's SharedState: the state store of the one agent. Writes are fenced by the
// LocalCoordinator's durable token, so a second steerd started on the same state directory
// stops the first one's writes here as well as at the DNS provider. Thread-safe as the store
// and the coordinator are.

#include "shared_state.h"
#include "steer/agent/coordinator.h"

namespace steer::agent {

class LocalSharedState : public SharedState {
 public:
  // Both must outlive this object.
  LocalSharedState(StateStore& store, Coordinator& coordinator)
      : store_(store), coordinator_(coordinator) {}

  Result<std::map<std::string, std::string>> EngineStates() override;
  Result<void> PutEngineState(const std::string& service, const std::string& json,
                              int64_t token) override;
  Result<void> PutOverride(const Override& o, int64_t token) override;
  Result<bool> RemoveOverride(OverrideKind kind, const std::string& target,
                              int64_t token) override;
  Result<std::vector<Override>> ActiveOverrides(WallTime now) override;

 private:
  StateStore& store_;
  Coordinator& coordinator_;
};

}  // namespace steer::agent
