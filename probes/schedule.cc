#include "steer/probes/schedule.h"

#include <algorithm>
#include <bit>

namespace steer::probes {

using std::chrono::microseconds;

microseconds StaggerOffset(size_t index, size_t count, microseconds interval) {
  if (count == 0) return microseconds(0);
  // interval (<= 1 h = 3.6e9 us) * index (<= 1e6 targets) stays far below 2^63.
  auto i = static_cast<int64_t>(index % count);
  return microseconds(interval.count() * i / static_cast<int64_t>(count));
}

NextSlot NextDue(SteadyTime due_was, SteadyTime now, microseconds interval) {
  NextSlot out;
  if (interval.count() <= 0) interval = microseconds(1);
  out.due = due_was + interval;
  if (out.due <= now) {
    auto behind = std::chrono::duration_cast<microseconds>(now - out.due);
    uint64_t k = static_cast<uint64_t>(behind / interval) + 1;
    out.skipped = k;
    out.due += interval * static_cast<int64_t>(k);
  }
  return out;
}

// Buckets: values < 16 us are exact; above, each power of two is split in 16 linear steps.
size_t LatencyHistogram::BucketOf(uint64_t us) {
  if (us < kSubBuckets) return static_cast<size_t>(us);
  int msb = std::bit_width(us) - 1;  // >= 4
  uint64_t sub = (us >> (msb - 4)) & (kSubBuckets - 1);
  size_t b = static_cast<size_t>(msb - 3) * kSubBuckets + static_cast<size_t>(sub);
  return std::min<size_t>(b, kBuckets - 1);
}

uint64_t LatencyHistogram::UpperBound(size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  int msb = static_cast<int>(bucket / kSubBuckets) + 3;
  uint64_t sub = bucket % kSubBuckets;
  return ((kSubBuckets + sub + 1) << (msb - 4)) - 1;
}

void LatencyHistogram::Record(microseconds d) {
  uint64_t us = d.count() < 0 ? 0 : static_cast<uint64_t>(d.count());
  ++buckets_[BucketOf(us)];
  ++count_;
  max_ = std::max(max_, microseconds(static_cast<int64_t>(us)));
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

microseconds LatencyHistogram::Quantile(double q) const {
  if (count_ == 0) return microseconds(0);
  auto rank = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return std::min(microseconds(static_cast<int64_t>(UpperBound(i))), max_);
    }
  }
  return max_;
}

}  // namespace steer::probes
