#pragma once

// The shared Store: one PostgreSQL database for every region (docs/auth-core.md, "PostgreSQL
// store"). Every operation goes to the primary (a multi-host DSN with
// target_session_attrs=read-write finds it after a failover) and is atomic: one statement, or
// one transaction with row locks, so a code is single use, a refresh token rotates once and a
// revocation acknowledged here is enforced by every region afterwards. With a standby_dsn,
// the reads that sign-in, SSO and token checks need (users, clients, revocations, refresh
// generations, lockout state) fall back to this region's own node while the primary cannot
// be reached; writes are then acknowledged only once that synchronous standby applied them,
// and login failures are counted in memory (OutageFailures) until the primary is back. Code
// redemption, rotation and revocation are never done without the primary. Open() never waits for
// the server: an unreachable, read-only or not yet migrated database makes operations (and
// Ping, so /healthz/ready) fail with kUnavailable until it can be used; the pool reconnects on
// its own. With RevocationReads::kMirror (steer-authd serve), IsRevoked reads an in-memory copy
// of the revocations kept fresh by polling (RevocationMirror); then, and in every process
// regardless, a write to the revocations is acknowledged only kLease after its commit (50 ms),
// so every mirror has seen it by then. Refresh rotations that arrive together are committed
// together (pg::Batcher): one round trip and one WAL flush for all of them. Thread-safe.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steer/auth/store.h"
#include "steer/config/authd_config.h"

namespace steer::auth {
class RevocationMirror;
namespace pg {
class Lease;
class Pool;
class OutageFailures;
class SnapshotFeed;
struct Rotation;
struct SchemaStatus;
template <typename In, typename Out>
class Batcher;
}  // namespace pg

class PostgresStore final : public Store {
 public:
  // Checks the DSN and the password reference (kInvalidArgument); does not connect. The first
  // connection applies the missing schema migrations (see MigrateNow).
  static Result<std::unique_ptr<PostgresStore>> Open(
      const config::PostgresConfig& config, RevocationReads reads = RevocationReads::kDatabase);
  ~PostgresStore() override;

  // admin store migrate|status: the schema version, applying migrations first for Migrate.
  Result<pg::SchemaStatus> MigrateNow();
  Result<pg::SchemaStatus> SchemaStatus();
  // admin store copy: keeps `subject` retired (never given to a new user); idempotent.
  Result<void> RetireSubject(std::string_view subject);
  // admin store copy: Revoke for each, acknowledged once at the end (one kLease wait).
  Result<void> CopyRevocations(const std::vector<std::pair<std::string, int64_t>>& revocations);

  Result<std::optional<User>> FindUser(std::string_view username) override;
  Result<void> AddUser(const User& user) override;
  Result<bool> SubjectUsed(std::string_view subject) override;
  Result<bool> EndUser(std::string_view username, bool remove, int64_t new_generation,
                       int64_t revoke_until) override;
  Result<bool> EnableUser(std::string_view username) override;
  Result<std::vector<User>> ListUsers() override;

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
  PostgresStore(std::unique_ptr<pg::Pool> pool, std::unique_ptr<pg::Pool> standby);
  // Runs the read `fn` on the primary or, when that is unavailable and a standby is configured,
  // on the standby (then *from_standby is set).
  template <typename Fn>
  auto Read(Fn&& fn, bool* from_standby = nullptr) -> decltype(fn(std::declval<pg::Lease&>()));
  Result<void> RevokeUnacknowledged(std::string_view id, int64_t expires_at);
  bool PrimaryRecentlyDown() const;
  void MarkPrimaryDown();
  Result<int64_t> CountOnStandby(std::string_view key, int64_t now, const LockoutPolicy& policy);
  void RecordOwedFailures(int64_t now);

  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<pg::Pool> standby_;  // null without standby_dsn
  std::unique_ptr<pg::OutageFailures> outage_failures_;
  std::unique_ptr<pg::SnapshotFeed> feed_;    // null with RevocationReads::kDatabase
  std::unique_ptr<RevocationMirror> mirror_;  // reads feed_; null with kDatabase
  // Concurrent RotateRefresh calls share one statement and one commit (schema migration 5).
  std::unique_ptr<pg::Batcher<pg::Rotation, RefreshOutcome>> rotations_;
  // steady_clock ticks until which reads skip the primary (it just failed: a dropped network
  // would cost connect_timeout per read).
  std::atomic<std::chrono::steady_clock::rep> primary_down_until_{0};
};

}  // namespace steer::auth
