#include "steer/probes/health_tracker.h"

#include <algorithm>

namespace steer::probes {

const char* HealthStateName(HealthState s) {
  switch (s) {
    case HealthState::kUnknown:
      return "unknown";
    case HealthState::kHealthy:
      return "healthy";
    case HealthState::kUnhealthy:
      return "unhealthy";
  }
  return "unknown";
}

HealthTracker::HealthTracker(int healthy_threshold, int unhealthy_threshold)
    : healthy_threshold_(std::max(1, healthy_threshold)),
      unhealthy_threshold_(std::max(1, unhealthy_threshold)) {}

Transition HealthTracker::Record(bool ok) {
  if (ok) {
    ++successes_;
    failures_ = 0;
  } else {
    ++failures_;
    successes_ = 0;
  }
  HealthState want = ok ? HealthState::kHealthy : HealthState::kUnhealthy;
  if (state_ == want) return Transition::kUnchanged;
  // Envoy: the first result after start decides the state without waiting for a threshold.
  int reached = ok ? successes_ : failures_;
  int needed = ok ? healthy_threshold_ : unhealthy_threshold_;
  if (state_ == HealthState::kUnknown || reached >= needed) {
    state_ = want;
    return Transition::kChanged;
  }
  return Transition::kPending;
}

}  // namespace steer::probes
