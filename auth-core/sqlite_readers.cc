// SqliteStore's reader registrations: which processes mirror the revocations of this file, so
// that a revocation waits the mirrors' lease only when another process could be trusting a
// copy that has not read it yet (docs/auth-core.md, "The same copy with SQLite").
//
// The rule (constants in sqlite_readers.h, kBeatTrust < kBeatDead): a mirror writes its beat
// (CLOCK_MONOTONIC, shared by every process of one host, as SQLite's WAL mode requires) every
// kBeatEvery before it polls, and trusts a poll only until kBeatTrust after the beat written
// before it. A writer, after its commit, waits the lease when another registration of this boot
// has a beat newer than kBeatDead. A mirror the writer saw as gone can only be trusted again
// after a newer beat, committed after the writer looked, so after the commit: its next poll
// reads the row.
#include "sqlite_readers.h"

#include "revocation_mirror.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/sqlite_stmt.h"
#include "steer/base/steady_wall_clock.h"

namespace steer::auth {

using base::Stmt;
namespace {

using ReaderClock = RevocationMirror::Clock;

// Monotonic times of another boot mean nothing: registrations carry the boot they were made in
// ("" where it cannot be read: then a registration from before a reboot only costs waits).
const std::string& ReaderBootId() {
  static const std::string id = base::ReadBootId().value_or("");
  return id;
}

}  // namespace

Result<RevocationRows> SqliteStore::Feed::Read(bool everything) {
  auto now = ReaderClock::now();
  if (!beat_ || now - *beat_ >= sqlite_readers::kBeatEvery) {
    auto r = store_.BeatReader(id_, sqlite_readers::MonotonicMs(now));
    if (!r) return tl::unexpected(r.error());
    beat_ = now;
  }
  if (everything) seq_ = -1;
  auto rows = store_.ReadRevocations(seq_);
  if (rows) rows->trust_until = *beat_ + sqlite_readers::kBeatTrust;
  return rows;
}

std::unique_ptr<SqliteStore::Feed> SqliteStore::MakeFeed(SqliteStore& store) {
  return std::make_unique<Feed>(store);
}

Result<void> SqliteStore::BeatReader(const std::string& id, int64_t beat_ms) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_,
         "INSERT INTO revocation_readers(id, boot, beat) VALUES(?1, ?2, ?3) "
         "ON CONFLICT(id) DO UPDATE SET beat = excluded.beat");
  s.Bind(1, id).Bind(2, ReaderBootId()).Bind(3, beat_ms);
  return s.Run();
}

void SqliteStore::UnregisterReader() {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "DELETE FROM revocation_readers WHERE id = ?");
  s.Bind(1, feed_->id());
  (void)s.Run();  // a registration left behind only costs waits until it is
                  // sqlite_readers::kBeatDead old
}

void SqliteStore::ForgetGoneReaders() {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "DELETE FROM revocation_readers WHERE boot != ?1 OR beat < ?2");
  s.Bind(1, ReaderBootId())
      .Bind(2, sqlite_readers::MonotonicMs(ReaderClock::now() - 10 * sqlite_readers::kBeatDead));
  (void)s.Run();
}

bool SqliteStore::OtherReadersAlive() {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_,
         "SELECT 1 FROM revocation_readers WHERE id != ?1 AND boot = ?2 AND beat >= ?3 LIMIT 1");
  s.Bind(1, feed_ != nullptr ? feed_->id() : std::string())
      .Bind(2, ReaderBootId())
      .Bind(3, sqlite_readers::MonotonicMs(ReaderClock::now() - sqlite_readers::kBeatDead));
  int rc = s.Step();
  return rc != SQLITE_DONE;  // a row, or an error: wait, to be safe
}

void SqliteStore::AcknowledgeRevocation(std::string_view id, int64_t expires_at) {
  if (mirror_ != nullptr) mirror_->Learn(std::string(id), expires_at);
  if (OtherReadersAlive()) AwaitRevocationMirrors();
}

}  // namespace steer::auth
