#pragma once

// Login failures counted in memory while the PostgreSQL primary cannot be reached and sign-in
// runs on the nearby standby (private to auth-core; docs/auth-core.md, "While the primary is
// away"). A wrong password must always be counted, or it is a free guess; with no primary to
// write to, this process counts it. A key's count starts from what the standby last showed
// (the global count) and adds this process's failures; reaching max_failures blocks the key
// here for block_seconds. When the primary is back, Drain() hands the counts over so that they
// are recorded there. Bounded: a key is Admit()ted before its password is checked, and at most
// `max_keys` keys are held; beyond that a new key is refused and the login fails closed.
// Times are epoch seconds passed in by the caller. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "steer/config/authd_config.h"

namespace steer::auth::pg {

class OutageFailures {
 public:
  explicit OutageFailures(size_t max_keys) : max_keys_(max_keys) {}

  // Makes room for `key` before its password is checked; false when the table is full (and the
  // key not in it).
  bool Admit(std::string_view key);
  // A failure of an admitted key, on top of `global_count` failures (since `global_first_at`)
  // that the standby shows. Returns the epoch second until which the key is blocked (0: not).
  // An unadmitted key is admitted if there is room; false in `counted` when there is not.
  int64_t Record(std::string_view key, int64_t now, int64_t global_count, int64_t global_first_at,
                 const config::LockoutPolicy& policy, bool* counted);
  // This process's block of `key` (0: none).
  int64_t BlockedUntil(std::string_view key, int64_t now) const;
  // A successful login: forgets the key, as the primary's ClearFailures would (the global
  // counter itself is cleared once the primary is back, by the next success there).
  void Clear(std::string_view key);
  // Failures counted here and not yet recorded on the primary, with the policy they were
  // counted under.
  struct Owed {
    std::string key;
    int64_t failures = 0;
    config::LockoutPolicy policy;
    bool operator==(const Owed&) const = default;
  };
  // Every key's owed failures; the table is emptied.
  std::vector<Owed> Drain();
  // Puts back what Drain() returned and could not be recorded.
  void Restore(const std::vector<Owed>& owed);
  bool HasPending() const;

 private:
  struct Entry {
    int64_t failures = 0;  // counted here, not yet on the primary
    int64_t first_at = 0;  // start of the counting window
    int64_t count = 0;     // global + local failures in the window
    int64_t blocked_until = 0;
    config::LockoutPolicy policy;
  };
  const size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace steer::auth::pg
