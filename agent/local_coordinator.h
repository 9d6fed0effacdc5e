#pragma once

// The `local` coordination mode: one agent, the only vantage point and always the leader.
// The fencing token still exists and still guards writes: it is a durable counter in the
// state store bumped at every start, so a second steerd started on the same state directory
// (an operator mistake, or an old process that was only paused) takes a new token and the
// older process's writes are refused. There are no other vantage points: Publish keeps the
// report in memory and ReadReports returns none. Thread-safe (one mutex).

#include <memory>
#include <mutex>
#include <string>

#include "state_store.h"
#include "steer/agent/coordinator.h"

namespace steer::agent {

class LocalCoordinator : public Coordinator {
 public:
  // Bumps and persists the fencing token; `store` must outlive the coordinator.
  static Result<std::unique_ptr<LocalCoordinator>> Start(StateStore& store,
                                                         const std::string& vantage);

  Result<void> Publish(const VantageReport& report) override;
  Result<std::vector<VantageReport>> ReadReports() override;
  Leadership CurrentLeadership() override;
  Result<void> CheckFence(int64_t token) override;
  void Resign() override {}

 private:
  LocalCoordinator(StateStore& store, std::string vantage, int64_t token)
      : store_(store), vantage_(std::move(vantage)), token_(token) {}

  StateStore& store_;
  const std::string vantage_;
  const int64_t token_;
  std::mutex mu_;
  VantageReport own_;
};

}  // namespace steer::agent
