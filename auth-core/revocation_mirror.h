#pragma once

// RevocationMirror: a store's copy of its revocations in memory (private to auth-core), so that
// a token check — IsRevoked on every introspection, refresh, userinfo and SSO login — is a hash
// lookup instead of a read of the database, without weakening the rule that a revocation
// acknowledged by any process is enforced by every process afterwards (docs/auth-core.md,
// "Revocations in memory"). PostgresStore and SqliteStore keep one when they serve.
//
// How it keeps that rule:
// - A thread polls the store's RevocationFeed every kPoll for the rows changed since the
//   previous poll (the feed knows how: PostgreSQL transaction snapshots, a SQLite sequence).
// - The copy is trusted only while its last successful poll *started* less than kLease ago;
//   otherwise Check() answers "unknown" and the caller reads the database as before.
// - Every writer of the revocations waits kLease after its commit before it acknowledges
//   (AwaitRevocationMirrors). A check that starts after the acknowledgement, in any process,
//   therefore uses a poll that started after the commit, and that poll saw the row.
// - After a failed poll, the next one asks the feed for every row (whatever happened meanwhile).
// Rows are forgotten once their expiry has passed (Prune), as the stores' Purge deletes them.
//
// Thread-safety: Check(), Prune() and size() from any thread; Poll() from one thread at a time
// (the mirror's own thread after Start(), or a test that never calls Start()).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "steer/base/error.h"
#include "steer/base/periodic_thread.h"

namespace steer::auth {

// What a poll read: the rows changed since the previous successful read, or every row.
struct RevocationRows {
  bool complete = false;                          // rows is the whole table
  std::unordered_map<std::string, int64_t> rows;  // id -> expires_at (epoch seconds)
  // A feed whose writers may skip the lease wait for readers that look gone (SQLite's reader
  // registrations) bounds how long this read may be trusted; max() when nothing does.
  std::chrono::steady_clock::time_point trust_until = std::chrono::steady_clock::time_point::max();
};

// Where a mirror reads from. Called from the mirror's thread only.
class RevocationFeed {
 public:
  virtual ~RevocationFeed() = default;
  // Every row when `everything` (the first poll, the one after an error), else the rows written
  // since the previous successful Read; a feed that lost track returns every row (complete).
  virtual Result<RevocationRows> Read(bool everything) = 0;
};

// Waits out the mirrors' lease after a committed write to the revocations.
void AwaitRevocationMirrors();

class RevocationMirror {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kPoll{10};
  static constexpr std::chrono::milliseconds kLease{50};

  // `feed` must outlive the mirror: the stores destroy the mirror first.
  explicit RevocationMirror(RevocationFeed& feed);
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
  // A revocation this process committed: known at once, without waiting for a poll (a poll
  // that started before the commit cannot drop it).
  void Learn(const std::string& id, int64_t expires_at);
  // Forgets the rows whose expiry (epoch seconds) is before `now`.
  void Prune(int64_t now);
  size_t size() const;

 private:
  RevocationFeed& feed_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, int64_t> rows_;  // id -> expires_at; guarded by mu_
  // Clock ticks of the start of the last successful poll; min() before the first.
  std::atomic<Clock::rep> fresh_since_{Clock::time_point::min().time_since_epoch().count()};
  // Clock ticks until which that poll may be trusted (RevocationRows::trust_until).
  std::atomic<Clock::rep> trust_until_{Clock::time_point::max().time_since_epoch().count()};
  // Learned rows and when, until a poll that started later has read them; guarded by mu_.
  struct Learned {
    std::string id;
    int64_t expires_at;
    Clock::time_point at;
  };
  std::vector<Learned> learned_;

  // Used by Poll() only.
  bool read_everything_ = true;
  bool stale_logged_ = false;

  // Polls every kPoll once started; stopped first by the destructor.
  base::PeriodicThread poller_{kPoll, [this](Clock::time_point started) { (void)Poll(started); }};
};

}  // namespace steer::auth
