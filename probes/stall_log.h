#pragma once

// Private to steer_probes: when a worker's event loop ran late, so that a probe that timed out
// while the prober itself was stalled (the host out of CPU, the process stopped, a slow
// callback) is not blamed on its target. A stall is an interval [expected, ran) in which
// something the loop should have run did not; overlapping stalls count once.
// Not thread-safe: one per worker, used on its loop thread.

#include <chrono>
#include <deque>
#include <utility>

#include "steer/probes/observation.h"
#include "steer/probes/schedule.h"

namespace steer::probes {

class StallLog {
 public:
  // Lateness below this is scheduling noise, not a stall.
  static constexpr std::chrono::milliseconds kNoticeable{10};
  static constexpr size_t kMaxStalls = 1024;  // the oldest are forgotten first

  // Something due at `expected` ran at `ran`: a stall when it was late by kNoticeable or more.
  void Record(SteadyTime expected, SteadyTime ran);
  // How long the loop was stalled between `begin` and `end`.
  std::chrono::microseconds StalledWithin(SteadyTime begin, SteadyTime end) const;
  // Forgets the stalls that ended before `before`.
  void Prune(SteadyTime before);
  size_t size() const { return stalls_.size(); }

 private:
  std::deque<std::pair<SteadyTime, SteadyTime>> stalls_;  // in the order recorded
};

// Whether `obs` is a failure that a stall could explain: kTimeout, or kLatency (slower than
// max_latency). The rule's first half, cheap: the engine checks it before summing stalls.
bool StallCouldExplain(const Observation& obs);

// The rule: such a failure says nothing about its target when the prober was stalled for a
// tenth of the probe's timeout or more while it ran; it is inconclusive. Any other outcome
// stands.
bool Inconclusive(const Observation& obs, std::chrono::microseconds stalled,
                  std::chrono::microseconds timeout);

}  // namespace steer::probes
