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

Result<void> LocalCoordinator::Publish(const VantageReport& report) {
  if (report.vantage != vantage_) {
    return MakeError(ErrorCode::kInvalidArgument, "local coordination has one vantage point, '" +
                                                      vantage_ + "'; got a report from '" +
                                                      report.vantage + "'");
  }
  std::lock_guard lock(mu_);
  own_ = report;
  return {};
}

Result<std::vector<VantageReport>> LocalCoordinator::ReadReports() {
  return std::vector<VantageReport>{};
}

Leadership LocalCoordinator::CurrentLeadership() { return {true, token_, vantage_, false, ""}; }

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

}  // namespace steer::agent
