#pragma once

// Per-target hysteresis with Envoy's semantics: the first result after start decides the
// initial state; afterwards unhealthy_threshold consecutive failures mark a healthy target
// unhealthy and healthy_threshold consecutive successes mark an unhealthy target healthy.
// Not thread-safe: one tracker belongs to one target and is fed from one thread.

namespace steer::probes {

enum class HealthState { kUnknown, kHealthy, kUnhealthy };
enum class Transition { kUnchanged, kChanged, kPending };

const char* HealthStateName(HealthState s);

class HealthTracker {
 public:
  // Thresholds below 1 are treated as 1 (config validation rejects them earlier).
  HealthTracker(int healthy_threshold, int unhealthy_threshold);

  // Feeds one probe result. kChanged when the state flipped (including the first result),
  // kPending when the result disagrees with the state but the threshold is not reached yet.
  Transition Record(bool ok);

  HealthState state() const { return state_; }
  int consecutive_successes() const { return successes_; }
  int consecutive_failures() const { return failures_; }

 private:
  int healthy_threshold_;
  int unhealthy_threshold_;
  HealthState state_ = HealthState::kUnknown;
  int successes_ = 0;
  int failures_ = 0;
};

}  // namespace steer::probes
