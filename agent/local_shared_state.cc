#include "local_shared_state.h"

namespace steer::agent {
namespace {
constexpr const char* kEnginePrefix = "engine/";
}  // namespace

Result<std::map<std::string, std::string>> LocalSharedState::EngineStates() {
  return store_.BlobsWithPrefix(kEnginePrefix);
}

Result<void> LocalSharedState::PutEngineState(const std::string& service, const std::string& json,
                                              int64_t token) {
  if (auto fence = coordinator_.CheckFence(token); !fence) return fence;
  return store_.PutBlob(kEnginePrefix + service, json);
}

Result<void> LocalSharedState::PutOverride(const Override& o, int64_t token) {
  if (auto fence = coordinator_.CheckFence(token); !fence) return fence;
  return store_.PutOverride(o);
}

Result<bool> LocalSharedState::RemoveOverride(OverrideKind kind, const std::string& target,
                                              int64_t token) {
  if (auto fence = coordinator_.CheckFence(token); !fence) return tl::unexpected(fence.error());
  return store_.RemoveOverride(kind, target);
}

Result<std::vector<Override>> LocalSharedState::ActiveOverrides(WallTime now) {
  return store_.ActiveOverrides(now);
}

}  // namespace steer::agent
