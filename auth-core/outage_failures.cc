#include "outage_failures.h"

namespace steer::auth::pg {

bool OutageFailures::Admit(std::string_view key) {
  std::lock_guard lock(mu_);
  if (entries_.count(std::string(key)) > 0) return true;
  if (entries_.size() >= max_keys_) return false;
  entries_.emplace(std::string(key), Entry{});
  return true;
}

int64_t OutageFailures::Record(std::string_view key, int64_t now, int64_t global_count,
                               int64_t global_first_at, const config::LockoutPolicy& policy,
                               bool* counted) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    *counted = entries_.size() < max_keys_;
    if (!*counted) return 0;
    it = entries_.emplace(std::string(key), Entry{}).first;
  }
  *counted = true;
  Entry& e = it->second;
  // The same window rule as the stores: a count older than block_seconds (and not blocked)
  // starts again; the global count applies while its own window is open.
  if (e.count == 0 || (e.first_at + policy.block_seconds <= now && e.blocked_until <= now)) {
    bool global_open = global_count > 0 && global_first_at + policy.block_seconds > now;
    e.count = global_open ? global_count : 0;
    e.first_at = global_open ? global_first_at : now;
  }
  ++e.failures;
  e.policy = policy;
  if (++e.count >= policy.max_failures) {
    e.blocked_until = now + policy.block_seconds;
    e.count = 0;
    e.first_at = now;
  }
  return e.blocked_until > now ? e.blocked_until : 0;
}

int64_t OutageFailures::BlockedUntil(std::string_view key, int64_t now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end() || it->second.blocked_until <= now) return 0;
  return it->second.blocked_until;
}

void OutageFailures::Clear(std::string_view key) {
  // As on the primary, a success ends the count; nothing of it is owed any more.
  std::lock_guard lock(mu_);
  entries_.erase(std::string(key));
}

std::vector<OutageFailures::Owed> OutageFailures::Drain() {
  std::lock_guard lock(mu_);
  std::vector<Owed> out;
  for (const auto& [key, e] : entries_) {
    if (e.failures > 0) out.push_back(Owed{key, e.failures, e.policy});
  }
  entries_.clear();
  return out;
}

void OutageFailures::Restore(const std::vector<Owed>& owed) {
  std::lock_guard lock(mu_);
  for (const auto& o : owed) {
    Entry& e = entries_[o.key];
    e.failures += o.failures;
    e.policy = o.policy;
  }
}

bool OutageFailures::HasPending() const {
  std::lock_guard lock(mu_);
  for (const auto& [key, e] : entries_) {
    if (e.failures > 0) return true;
  }
  return false;
}

}  // namespace steer::auth::pg
