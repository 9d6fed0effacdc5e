#pragma once

// Scheduling arithmetic of the probe engine, kept pure so it is testable without time:
// a deterministic stagger of first starts over the interval (gdnsd: i/N * interval), slots on
// a fixed grid thereafter (a late probe skips slots rather than queueing them), and a
// histogram for start lateness. LatencyHistogram is not thread-safe.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace steer::probes {

using SteadyTime = std::chrono::steady_clock::time_point;

// Offset of target `index` of `count` within one interval: index/count * interval.
std::chrono::microseconds StaggerOffset(size_t index, size_t count,
                                        std::chrono::microseconds interval);

struct NextSlot {
  SteadyTime due;        // the first grid slot strictly after `now`
  uint64_t skipped = 0;  // grid slots between `due_was` and `due` that were never started
};

// The slot after `due_was` on the grid due_was + k*interval; slots already in the past are
// skipped and counted.
NextSlot NextDue(SteadyTime due_was, SteadyTime now, std::chrono::microseconds interval);

// Log-linear histogram of durations from 0 to ~60 s with <= ~6% relative error.
class LatencyHistogram {
 public:
  void Record(std::chrono::microseconds d);
  void Merge(const LatencyHistogram& other);
  uint64_t count() const { return count_; }
  std::chrono::microseconds max() const { return max_; }
  // The value below which `q` (0..1) of the samples fall (bucket upper bound); 0 if empty.
  std::chrono::microseconds Quantile(double q) const;

 private:
  static constexpr int kSubBuckets = 16;
  static constexpr int kBuckets = 27 * kSubBuckets;
  static size_t BucketOf(uint64_t us);
  static uint64_t UpperBound(size_t bucket);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  std::chrono::microseconds max_{0};
};

}  // namespace steer::probes
