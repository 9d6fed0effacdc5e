#include "stall_log.h"

#include <algorithm>
#include <vector>

namespace steer::probes {

void StallLog::Record(SteadyTime expected, SteadyTime ran) {
  if (ran - expected < kNoticeable) return;
  if (stalls_.size() == kMaxStalls) stalls_.pop_front();
  stalls_.emplace_back(expected, ran);
}

std::chrono::microseconds StallLog::StalledWithin(SteadyTime begin, SteadyTime end) const {
  std::vector<std::pair<SteadyTime, SteadyTime>> clipped;
  for (const auto& [from, to] : stalls_) {
    const SteadyTime a = std::max(from, begin), b = std::min(to, end);
    if (a < b) clipped.emplace_back(a, b);
  }
  std::sort(clipped.begin(), clipped.end());
  std::chrono::microseconds total{0};
  SteadyTime covered = begin;  // the union so far ends here
  for (const auto& [a, b] : clipped) {
    const SteadyTime from = std::max(a, covered);
    if (from < b) {
      total += std::chrono::duration_cast<std::chrono::microseconds>(b - from);
      covered = b;
    }
  }
  return total;
}

void StallLog::Prune(SteadyTime before) {
  std::erase_if(stalls_, [before](const auto& s) { return s.second < before; });
}

bool StallCouldExplain(const Observation& obs) {
  return !obs.ok && (obs.error == ErrorClass::kTimeout || obs.error == ErrorClass::kLatency);
}

bool Inconclusive(const Observation& obs, std::chrono::microseconds stalled,
                  std::chrono::microseconds timeout) {
  return StallCouldExplain(obs) && stalled.count() > 0 && stalled * 10 >= timeout;
}

}  // namespace steer::probes
