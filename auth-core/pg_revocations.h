#pragma once

// RevocationMirror: PostgresStore's copy of the `revoked` table in memory (private to
// auth-core), so that a token check — IsRevoked on every introspection, refresh, userinfo and
// SSO login — is a hash lookup instead of a round trip to the primary, without weakening the
// rule that a revocation acknowledged by any region is enforced by every region afterwards
// (docs/auth-core.md, "Revocations in memory").
//
// How it keeps that rule:
// - A thread polls the primary every kPoll for the rows changed since its previous poll: the
//   trigger of schema migration 4 stamps each row with the transaction that last wrote it, and
//   a poll reads the rows not visible in the previous poll's snapshot (one statement, so the
//   rows and the new snapshot agree).
// - The copy is trusted only while its last successful poll *started* less than kLease ago;
//   otherwise Check() answers "unknown" and the caller reads the database as before.
// - Every writer of `revoked` waits kLease after its commit before it acknowledges
//   (PostgresStore::AwaitMirrors). A check that starts after the acknowledgement, in any
//   process, therefore uses a poll that started after the commit, and that poll saw the row.
// - A poll answered by another server than the last one (a failover or a restart changes
//   pg_postmaster_start_time), or the first poll after an error, reloads the whole table:
//   transaction ids of a lost primary may be reused by the new one.
// Rows are forgotten once their expiry has passed (Prune), as Purge deletes them.
//
// Thread-safety: Check(), Prune() and size() from any thread; Poll() from one thread at a time
// (the mirror's own thread after Start(), or a test that never calls Start()).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "steer/base/error.h"

namespace steer::auth::pg {

class Pool;

class RevocationMirror {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kPoll{10};
  static constexpr std::chrono::milliseconds kLease{50};

  // `pool` (the primary's) must outlive the mirror: PostgresStore destroys the mirror first.
  explicit RevocationMirror(Pool& pool);
  ~RevocationMirror();  // Stop()
  RevocationMirror(const RevocationMirror&) = delete;
  RevocationMirror& operator=(const RevocationMirror&) = delete;

  // Starts the polling thread; Stop() ends it (idempotent).
  void Start();
  void Stop();

  // Whether one of `ids` is revoked, when the copy is fresh at `now`; nullopt when it is not
  // (the caller must ask the database).
  std::optional<bool> Check(const std::vector<std::string>& ids, Clock::time_point now) const;
  // One poll; `started` is when it began (the freshness it proves). Errors are returned and
  // make the copy stale until a poll succeeds.
  Result<void> Poll(Clock::time_point started);
  // Forgets the rows whose expiry (epoch seconds) is before `now`.
  void Prune(int64_t now);
  size_t size() const;

 private:
  void Loop();

  Pool& pool_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, int64_t> rows_;  // id -> expires_at; guarded by mu_
  // Clock ticks of the start of the last successful poll; min() before the first.
  std::atomic<Clock::rep> fresh_since_{Clock::time_point::min().time_since_epoch().count()};

  // Used by Poll() only.
  std::string snapshot_;  // the previous poll's pg_snapshot; "" reloads everything
  std::string server_;    // its server's pg_postmaster_start_time
  bool stale_logged_ = false;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread thread_;
};

}  // namespace steer::auth::pg
