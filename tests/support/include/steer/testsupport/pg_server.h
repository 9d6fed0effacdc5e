#pragma once

// A real PostgreSQL 15 server (Debian postgresql-15, /usr/lib/postgresql/15/bin) for
// integration tests: initdb into a temp dir, then postgres on a free 127.0.0.1 port, stopped
// by PID when the object goes away. Superuser "postgres" with a random password (TCP uses
// scram-sha-256; the Unix socket in the temp dir trusts, for the helpers here). As root the
// server runs as the `postgres` user (setpriv, which execs: the PID stays the postmaster's)
// with a clean environment. Test-only; throws std::runtime_error when the server cannot be
// started. Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>

#include "steer/config/authd_config.h"
#include "steer/testsupport/process.h"

namespace steer::testsupport {

class PgServer {
 public:
  // kFast (tests): fsync off, 16 MB of shared buffers. kDurable (benchmarks): fsync on and
  // 256 MB, as a production server would run.
  enum class Durability { kFast, kDurable };
  explicit PgServer(Durability durability = Durability::kFast);
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  uint16_t port() const { return port_; }
  const std::string& password() const { return password_; }
  // A file holding password() (for a file: secret reference).
  std::string password_file() const { return dir_.File("password"); }
  // libpq conninfo for `database` over TCP, without the password.
  std::string Dsn(const std::string& database = "postgres") const;
  // steer-authd's store settings for `database`: Dsn, the password by file reference, and
  // 2 s connect and statement timeouts (a test fails fast rather than hangs).
  config::PostgresConfig StoreConfig(const std::string& database) const;
  std::string Log() const;

  // Runs SQL through psql over the Unix socket as postgres; returns its output (-At) and
  // throws when psql fails.
  std::string Sql(const std::string& sql, const std::string& database = "postgres") const;
  // CREATE DATABASE with a fresh random name; returns the name.
  std::string CreateDatabase() const;

  // Fast shutdown (SIGINT) and wait; Start() brings it back on the same port.
  void Stop();
  // SIGKILL of the postmaster, as a crash; waits for its backends to go.
  void Kill();
  void Start();
  bool Running();

 private:
  void Spawn();
  bool WaitReady();

  TempDir dir_;
  std::string password_;
  uint16_t port_ = 0;
  Durability durability_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace steer::testsupport
