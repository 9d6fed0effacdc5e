#include "service_applier.h"

#include <algorithm>

namespace steer::agent {

ServiceApplier::ServiceApplier(std::vector<Target> targets) : targets_(std::move(targets)) {}

void ServiceApplier::SetDesired(const std::string& region, const dns::RRset& rrset) {
  for (auto& t : targets_) t.applier->SetDesired(region, rrset);
}

std::vector<ProviderApplyStatus> ServiceApplier::providers() const {
  std::vector<ProviderApplyStatus> out;
  out.reserve(targets_.size());
  for (const auto& t : targets_) out.push_back({t.provider, t.applier->status()});
  return out;
}

ApplyStatus ServiceApplier::status() const { return Combine(providers()); }

int ServiceApplier::serving() const {
  int n = 0;
  for (const auto& t : targets_) n += t.applier->status().done ? 1 : 0;
  return n;
}

void ServiceApplier::Stop() {
  for (auto& t : targets_) t.applier->Stop();
}

namespace {

// How far from serving a phase is: the service shows its least advanced provider's.
int Rank(const std::string& phase) {
  if (phase == "retrying") return 0;
  if (phase == "writing" || phase == "waiting") return 1;
  if (phase == "verifying") return 2;
  if (phase == "idle") return 3;
  return 4;  // done
}

}  // namespace

ApplyStatus Combine(const std::vector<ProviderApplyStatus>& providers) {
  if (providers.empty()) return {};
  if (providers.size() == 1) return providers.front().status;  // the one-provider shape
  ApplyStatus out = providers.front().status;
  out.matching = out.total = 0;
  out.done = true;
  out.last_error.clear();
  for (const auto& [name, s] : providers) {
    out.matching += s.matching;
    out.total += s.total;
    out.done = out.done && s.done;
    if (Rank(s.phase) < Rank(out.phase)) out.phase = s.phase;
    if (out.last_error.empty() && !s.last_error.empty())
      out.last_error = name + ": " + s.last_error;
    if (s.done_at && (!out.done_at || *s.done_at > *out.done_at)) out.done_at = s.done_at;
  }
  if (!out.done) out.done_at.reset();
  return out;
}

}  // namespace steer::agent
