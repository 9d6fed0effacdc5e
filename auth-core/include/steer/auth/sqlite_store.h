#pragma once

// The embedded Store: one SQLite file per region (WAL mode). It makes codes single-use,
// refresh reuse detectable and lockouts effective within that region only: regions do not
// share this file, see docs/auth-core.md. One connection guarded by a mutex; thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "steer/auth/store.h"

struct sqlite3;

namespace steer::base {
class StmtCache;        // steer/base/sqlite_stmt.h
class WalCheckpointer;  // steer/base/wal_checkpointer.h
}  // namespace steer::base
namespace steer::auth {

class RevocationMirror;
struct RevocationRows;

class SqliteStore final : public Store {
 public:
  // With RevocationReads::kMirror (steer-authd serve), IsRevoked reads an in-memory copy of
  // the revocations kept fresh by a thread (RevocationMirror, 100 reads a second), and another
  // thread checkpoints the write-ahead log (base::WalCheckpointer) instead of the request that
  // happens to cross SQLite's threshold. In every process, a write to the revocations is
  // acknowledged once every mirror, in this process or another on the same file, has seen it
  // (sqlite_readers.cc has the rule).
  static Result<std::unique_ptr<SqliteStore>> Open(
      const std::string& path, RevocationReads reads = RevocationReads::kDatabase);
  ~SqliteStore() override;

  Result<std::optional<User>> FindUser(std::string_view username) override;
  Result<void> AddUser(const User& user) override;
  Result<bool> SubjectUsed(std::string_view subject) override;
  Result<bool> EndUser(std::string_view username, bool remove, int64_t new_generation,
                       int64_t revoke_until) override;
  Result<bool> EnableUser(std::string_view username) override;
  Result<std::vector<User>> ListUsers() override;
  // The subjects of removed users (admin store copy carries them to PostgreSQL).
  Result<std::vector<std::string>> ListRetiredSubjects();
  // Every revocation as (id, expires_at), expired ones included until Purge.
  Result<std::vector<std::pair<std::string, int64_t>>> ListRevocations();

  Result<std::optional<Client>> FindClient(std::string_view client_id) override;
  Result<void> PutClient(const Client& client) override;
  Result<bool> RemoveClient(std::string_view client_id) override;
  Result<std::vector<Client>> ListClients() override;

  Result<bool> ConsumeOnce(std::string_view id, int64_t expires_at) override;

  Result<void> StartFamily(std::string_view family, std::string_view token_id,
                           int64_t expires_at) override;
  Result<RefreshOutcome> RotateRefresh(std::string_view family, std::string_view presented,
                                       int64_t gen, std::string_view next,
                                       int64_t expires_at) override;
  Result<bool> IsCurrentRefresh(std::string_view family, std::string_view token_id,
                                int64_t gen) override;
  Result<void> Revoke(std::string_view id, int64_t expires_at) override;
  Result<bool> IsRevoked(const std::vector<std::string>& ids) override;

  Result<int64_t> BlockedUntil(std::string_view key, int64_t now) override;
  Result<int64_t> RecordFailure(std::string_view key, int64_t now,
                                const LockoutPolicy& policy) override;
  Result<void> ClearFailures(std::string_view key) override;

  Result<void> Ping() override;
  Result<void> Purge(int64_t now) override;

 private:
  explicit SqliteStore(sqlite3* db);
  class Feed;
  Result<void> RevokeLocked(std::string_view id, int64_t expires_at);
  Result<RefreshOutcome> RotateRefreshLocked(std::string_view family, std::string_view presented,
                                             int64_t gen, std::string_view next,
                                             int64_t expires_at);
  // The rows of `revoked` stamped above `seq` (all of them when seq < 0, then complete);
  // advances `seq` to the highest stamp read.
  Result<RevocationRows> ReadRevocations(int64_t& seq);
  // sqlite_readers.cc: the registrations of the processes that mirror the revocations.
  static std::unique_ptr<Feed> MakeFeed(SqliteStore& store);
  Result<void> BeatReader(const std::string& id, int64_t beat_ms);
  void UnregisterReader();
  void ForgetGoneReaders();
  bool OtherReadersAlive();
  // After the commit of a revocation: known to this process's mirror at once, and returns
  // when every other live mirror has read it (the lease) or at once when there is none.
  void AcknowledgeRevocation(std::string_view id, int64_t expires_at);
  Result<bool> SubjectUsedLocked(std::string_view subject);
  Result<bool> EndUserLocked(std::string_view username, bool remove, int64_t new_generation,
                             int64_t revoke_until);
  // BEGIN IMMEDIATE / COMMIT / ROLLBACK on the connection.
  Result<void> Exec(const char* sql);
  sqlite3* db_;
  std::unique_ptr<base::StmtCache> stmts_;  // guarded by mu_; finalised before db_ is closed
  std::mutex mu_;
  std::unique_ptr<Feed> feed_;                           // null with RevocationReads::kDatabase
  std::unique_ptr<RevocationMirror> mirror_;             // reads feed_; null with kDatabase
  std::unique_ptr<base::WalCheckpointer> checkpointer_;  // holds mu_ at times; null with kDatabase
};

}  // namespace steer::auth
