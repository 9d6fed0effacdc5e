#pragma once

// A small libpq connection pool for PostgresStore (private to auth-core). Connections are
// opened on demand (up to pool_size), each with its own prepared statements, a statement
// timeout and a connect timeout; a connection that breaks is dropped together with every idle
// one (they share the server's fate: a crash, a failover), and the next use reconnects, so a
// multi-host DSN with target_session_attrs=read-write follows the new primary. Errors are
// values: losing the server, a read-only server (a standby), a statement timeout or a
// serialisation failure are ErrorCode::kUnavailable (retryable). The password is resolved at
// every connect (file: rotations apply) and never logged. Thread-safe.

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "steer/base/error.h"
#include "steer/config/authd_config.h"

namespace steer::auth::pg {

// A prepared statement: `name` is unique per SQL text.
struct Statement {
  const char* name;
  const char* sql;
};

// Owns a PGresult.
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, PQclear) {}
  int size() const { return PQntuples(r_.get()); }
  std::string Text(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
  bool Null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  int64_t Int(int row, int col) const;
  int64_t affected() const;  // rows changed by INSERT/UPDATE/DELETE

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

struct Conn {
  PGconn* pg = nullptr;
  std::unordered_set<std::string> prepared;
};

// Run()'s `idempotent` argument, named at the call.
inline constexpr bool kIdempotent = true;  // may run twice after a lost connection
inline constexpr bool kOnce = false;       // must not (a lost COMMIT is ambiguous): kUnavailable

class Pool;

// A connection checked out of the pool; returned (or dropped when broken) by the destructor.
class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&&) = default;
  ~Lease();

  // Runs `stmt` with text parameters, preparing it on this connection the first time.
  Result<Rows> Exec(const Statement& stmt, const std::vector<std::string>& params);
  // A parameterless command (BEGIN, COMMIT, DDL).
  Result<void> Command(const char* sql);
  // True once the connection failed: it will be dropped, and the operation may be retried on
  // another connection if it is idempotent.
  bool broken() const { return broken_; }
  // Drops the connection when it goes back (e.g. it turned out read-only).
  void Discard() { broken_ = true; }
  PGconn* pg() { return conn_->pg; }

 private:
  Error Fail(PGresult* r, const std::string& what);
  Pool* pool_;
  std::unique_ptr<Conn> conn_;
  bool broken_ = false;
};

// Which server a pool talks to: the primary (config.dsn) or this region's own node
// (config.standby_dsn), read while the primary cannot be reached.
enum class Target { kPrimary, kStandby };

class Pool {
 public:
  // Called on each new connection until it first succeeds (the schema check).
  using OnConnect = std::function<Result<void>(PGconn*)>;
  // With a standby configured, the primary's sessions commit with synchronous_commit =
  // remote_apply: a write is acknowledged only once the synchronous standby has applied it, so
  // a read there sees it.
  Pool(config::PostgresConfig config, OnConnect on_connect, Target target = Target::kPrimary);
  ~Pool();

  // An idle healthy connection, a new one, or (all busy) the next one given back.
  Result<Lease> Acquire();
  // Opens a connection outside the pool (admin migrate/status). The caller PQfinish()es it.
  Result<PGconn*> Connect() const;

  // Runs fn(Lease&) and, when it failed because the connection broke and the operation is
  // `idempotent`, once more on a fresh connection.
  template <typename Fn>
  auto Run(bool idempotent, Fn&& fn) -> decltype(fn(std::declval<Lease&>()));

  // fn inside BEGIN ... COMMIT; ROLLBACK when fn fails.
  template <typename Fn>
  static auto InTransaction(Lease& lease, Fn&& fn) -> decltype(fn());

 private:
  friend class Lease;
  void Give(std::unique_ptr<Conn> conn, bool broken);
  bool Healthy(Conn& conn) const;

  const config::PostgresConfig config_;
  const Target target_;
  OnConnect on_connect_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
  int open_ = 0;                             // guarded by mu_: idle + leased
  bool ready_ = false;                       // guarded by mu_: on_connect_ succeeded once
};

// SQLSTATE + message -> Error (kUnavailable for what a retry or a failover may fix).
Error ErrorFor(const char* sqlstate, const std::string& message);

template <typename Fn>
auto Pool::Run(bool idempotent, Fn&& fn) -> decltype(fn(std::declval<Lease&>())) {
  for (int attempt = 0;; ++attempt) {
    auto lease = Acquire();
    if (!lease) return tl::unexpected(lease.error());
    auto r = fn(*lease);
    if (r || !lease->broken() || !idempotent || attempt > 0) return r;
  }
}

template <typename Fn>
auto Pool::InTransaction(Lease& lease, Fn&& fn) -> decltype(fn()) {
  if (auto b = lease.Command("BEGIN"); !b) return tl::unexpected(b.error());
  auto r = fn();
  if (!r) {
    if (!lease.broken()) (void)lease.Command("ROLLBACK");
    return r;
  }
  if (auto c = lease.Command("COMMIT"); !c) return tl::unexpected(c.error());
  return r;
}

}  // namespace steer::auth::pg
