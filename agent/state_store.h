#pragma once

// The agent's durable state, one SQLite database (WAL mode) in the state directory:
// the answers currently served per service, operator overrides (pause/drain/force, with
// who/why and an optional expiry), anti-flapping block windows and their acknowledgements,
// the times of past DNS changes (for rate limits), named counters (the fencing token), and an
// append-only audit log of decisions, DNS changes and operations.
//
// Crash safety: synchronous=FULL, so a call that returned has reached the disk; a kill -9
// loses nothing that was acknowledged. Thread-safe: writes take one internal mutex and
// connection, reads another, so a write waiting on the disk or another process's lock (SQLite's
// 5 s busy timeout) never holds up a read.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/error.h"

struct sqlite3;

namespace steer::base {
class StmtCache;  // steer/base/sqlite_stmt.h
}  // namespace steer::base

namespace steer::agent {

using WallTime = std::chrono::system_clock::time_point;

// What a service is answering right now, as last written to (or adopted from) DNS.
struct ServiceAnswers {
  std::string service;
  std::string region;                // "" when the answers match no configured region
  std::vector<std::string> answers;  // record data, sorted
  WallTime since{};                  // when these answers were written or adopted
};

enum class OverrideKind { kPause, kDrain, kForce, kSwitchover };
const char* OverrideKindName(OverrideKind kind);
// The kind named by OverrideKindName ("pause" for an unknown name).
OverrideKind ParseOverrideKind(const std::string& name);

// An operator's standing instruction. `target` is a service (pause, force, switchover), a
// region (drain), or "*" for pause of every service. `value` is the region for kForce and
// kSwitchover; `rules` the safety rules a kForce deliberately overrides.
struct Override {
  OverrideKind kind = OverrideKind::kPause;
  std::string target;
  std::string value;
  std::string who;
  std::string why;
  WallTime created{};
  std::optional<WallTime> expires;
  std::vector<std::string> rules;
};

// kDnsIntent is written (durably) before a DNS change's first write request, kDnsChange with
// its outcome afterwards: a change interrupted by a crash leaves an intent without an outcome.
enum class AuditKind { kDecision, kDnsChange, kOperation, kNotice, kDnsIntent };
const char* AuditKindName(AuditKind kind);

struct AuditEntry {
  int64_t id = 0;  // assigned by Append
  WallTime when{};
  AuditKind kind = AuditKind::kDecision;
  std::string who;      // token name for operations, "steerd" for the agent itself
  std::string service;  // "" when not about one service
  std::string what;
  std::string why;
  bool ok = true;
};

struct HistoryQuery {
  std::string service;    // "" = all
  int64_t before_id = 0;  // 0 = newest; else entries with id < before_id
  int limit = 100;
};

class StateStore {
 public:
  // Opens (creating if needed) `<dir>/state.db`. The directory must exist.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& dir);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  Result<void> SetAnswers(const ServiceAnswers& answers);
  Result<std::optional<ServiceAnswers>> GetAnswers(const std::string& service);
  Result<std::vector<ServiceAnswers>> AllAnswers();

  // Replaces any override of the same kind and target.
  Result<void> PutOverride(const Override& o);
  // Returns whether one existed.
  Result<bool> RemoveOverride(OverrideKind kind, const std::string& target);
  // Overrides not expired at `now` (those expired when a later one is
  // put are deleted then).
  Result<std::vector<Override>> ActiveOverrides(WallTime now);

  // Small named documents (the policy engine's per-service state, as JSON).
  Result<void> PutBlob(const std::string& key, const std::string& value);
  Result<std::optional<std::string>> GetBlob(const std::string& key);
  // Every blob whose key starts with `prefix`, keyed by the rest of the key.
  Result<std::map<std::string, std::string>> BlobsWithPrefix(const std::string& prefix);

  // Increments a named counter durably and returns the new value (1 on first use).
  Result<int64_t> BumpCounter(const std::string& name);
  Result<int64_t> GetCounter(const std::string& name);

  Result<int64_t> Append(const AuditEntry& entry);
  // Newest first.
  Result<std::vector<AuditEntry>> History(const HistoryQuery& query);

 private:
  explicit StateStore(sqlite3* db);
  Result<void> Exec(const char* sql);

  std::mutex mu_;  // writes
  sqlite3* db_;
  std::unique_ptr<base::StmtCache> stmts_;  // guarded by mu_; finalised before db_ is closed
  std::mutex read_mu_;                      // reads: their own connection (WAL: never blocked)
  sqlite3* reader_ = nullptr;
  std::unique_ptr<base::StmtCache> read_stmts_;  // guarded by read_mu_
};

}  // namespace steer::agent
