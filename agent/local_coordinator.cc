#include "local_coordinator.h"

namespace steer::agent {

namespace {
constexpr const char* kFenceCounter = "fencing_token";
}  // namespace

Result<std::unique_ptr<LocalCoordinator>> LocalCoordinator::Start(StateStore& store,
                                                                  const std::string& vantage) {
  auto token = store.BumpCounter(kFenceCounter);
  if (!token) return tl::unexpected(token.error());
  return std::unique_ptr<LocalCoordinator>(new LocalCoordinator(store, vantage, *token));
}

Result<void> LocalCoordinator::Publish(const std::vector<Observation>& observations) {
  std::lock_guard lock(mu_);
  for (const auto& o : observations) {
    if (o.vantage != vantage_) {
      return MakeError(ErrorCode::kInvalidArgument, "local coordination has one vantage point, '" +
                                                        vantage_ + "'; got an observation from '" +
                                                        o.vantage + "'");
    }
    observations_[{o.vantage, o.region}] = o;
  }
  return {};
}

Result<std::vector<Observation>> LocalCoordinator::ReadObservations() {
  std::lock_guard lock(mu_);
  std::vector<Observation> out;
  out.reserve(observations_.size());
  for (const auto& [key, o] : observations_) out.push_back(o);
  return out;
}

Leadership LocalCoordinator::CurrentLeadership() { return {true, token_, vantage_}; }

// Reads the durable counter rather than trusting memory: another steerd started on the same
// state directory has bumped it, and from then on this process must not write.
Result<void> LocalCoordinator::CheckFence(int64_t token) {
  auto current = store_.GetCounter(kFenceCounter);
  if (!current) return tl::unexpected(current.error());
  if (token != *current || token != token_) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "fencing token " + std::to_string(token) + " is stale (current " +
                         std::to_string(*current) + "): another agent took over");
  }
  return {};
}

Result<void> LocalCoordinator::PutDesired(const DesiredState& state) {
  if (auto fence = CheckFence(state.fencing_token); !fence) return fence;
  std::lock_guard lock(mu_);
  desired_[state.service] = state;
  return {};
}

Result<std::vector<DesiredState>> LocalCoordinator::ReadDesired() {
  std::lock_guard lock(mu_);
  std::vector<DesiredState> out;
  for (const auto& [name, d] : desired_) out.push_back(d);
  return out;
}

}  // namespace steer::agent
