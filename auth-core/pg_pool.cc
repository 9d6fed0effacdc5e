#include "pg_pool.h"

#include <poll.h>

#include <charconv>
#include <chrono>
#include <cstring>

#include "steer/base/secret.h"

namespace steer::auth::pg {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool StartsWith(const char* s, const char* prefix) {
  return s != nullptr && std::strncmp(s, prefix, std::strlen(prefix)) == 0;
}

int64_t ParseInt(const char* text) {
  int64_t v = 0;
  std::from_chars(text, text + std::strlen(text), v);
  return v;
}

}  // namespace

int64_t Rows::Int(int row, int col) const { return ParseInt(PQgetvalue(r_.get(), row, col)); }

int64_t Rows::affected() const { return ParseInt(PQcmdTuples(r_.get())); }

Error ErrorFor(const char* sqlstate, const std::string& message) {
  std::string m = "postgres: " + Trim(message);
  if (StartsWith(sqlstate, "25006")) {
    return Error(ErrorCode::kUnavailable,
                 m + " (the server is read-only: a standby, or the primary is being demoted; "
                     "retry once the primary is back)");
  }
  // 08: connection; 53: out of resources; 57P0x: shutting down / starting; 57014: statement
  // timeout; 40: serialisation failure or deadlock. All worth a retry.
  for (const char* retryable : {"08", "53", "57P", "57014", "40"}) {
    if (StartsWith(sqlstate, retryable)) return Error(ErrorCode::kUnavailable, m);
  }
  if (StartsWith(sqlstate, "23505")) return Error(ErrorCode::kAlreadyExists, m);
  if (StartsWith(sqlstate, "28")) return Error(ErrorCode::kPermissionDenied, m);
  return Error(sqlstate == nullptr ? ErrorCode::kUnavailable : ErrorCode::kInternal, m);
}

Lease::~Lease() {
  if (!conn_) return;
  // A connection left inside a transaction (an error path) is not reused.
  bool dirty = PQtransactionStatus(conn_->pg) != PQTRANS_IDLE;
  pool_->Give(std::move(conn_), broken_ || dirty);
}

Error Lease::Fail(PGresult* r, const std::string& what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = r ? PQresultErrorMessage(r) : "";
  if (message.empty()) message = PQerrorMessage(conn_->pg);
  Error e = ErrorFor(state, what + ": " + message);
  if (PQstatus(conn_->pg) == CONNECTION_BAD || state == nullptr ||
      (e.code == ErrorCode::kUnavailable && !StartsWith(state, "40") &&
       !StartsWith(state, "57014"))) {
    broken_ = true;  // gone, or read-only: reconnect (perhaps to the new primary)
  }
  if (r) PQclear(r);
  return e;
}

Result<Rows> Lease::Exec(const Statement& stmt, const std::vector<std::string>& params) {
  if (!conn_->prepared.count(stmt.name)) {
    PGresult* p = PQprepare(conn_->pg, stmt.name, stmt.sql, 0, nullptr);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) return tl::unexpected(Fail(p, stmt.name));
    PQclear(p);
    conn_->prepared.insert(stmt.name);
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& v : params) values.push_back(v.c_str());
  PGresult* r = PQexecPrepared(conn_->pg, stmt.name, static_cast<int>(values.size()), values.data(),
                               nullptr, nullptr, 0);
  auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return tl::unexpected(Fail(r, stmt.name));
  }
  return Rows(r);
}

Result<void> Lease::Command(const char* sql) {
  PGresult* r = PQexec(conn_->pg, sql);
  if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
    return tl::unexpected(Fail(r, sql));
  }
  PQclear(r);
  return {};
}

Pool::Pool(config::PostgresConfig config, OnConnect on_connect, Target target)
    : config_(std::move(config)), target_(target), on_connect_(std::move(on_connect)) {}

Pool::~Pool() {
  for (auto& c : idle_) PQfinish(c->pg);
}

Result<PGconn*> Pool::Connect() const {
  std::string password;
  if (!config_.password.empty()) {
    auto secret = base::ResolveSecret(config_.password);
    if (!secret) {
      return MakeError(ErrorCode::kUnavailable, "postgres: cannot read the password " +
                                                    config_.password.ToString() + ": " +
                                                    secret.error().message);
    }
    password = *secret;
  }
  std::string timeout = std::to_string(config_.connect_timeout);
  // The DSN first (expanded), then what the config sets on top of it.
  std::vector<const char*> keys = {"dbname", "connect_timeout", "application_name"};
  const std::string& dsn = target_ == Target::kStandby ? config_.standby_dsn : config_.dsn;
  std::vector<const char*> values = {dsn.c_str(), timeout.c_str(), "steer-authd"};
  if (!config_.password.empty()) {
    keys.push_back("password");
    values.push_back(password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* pg = PQconnectdbParams(keys.data(), values.data(), 1);
  if (PQstatus(pg) != CONNECTION_OK) {
    std::string message = pg ? Trim(PQerrorMessage(pg)) : "out of memory";
    PQfinish(pg);
    return MakeError(ErrorCode::kUnavailable, "postgres: cannot connect: " + message);
  }
  PQsetNoticeProcessor(
      pg, [](void*, const char*) {}, nullptr);  // "already exists, skipping"
  std::string set = "SET statement_timeout = " + std::to_string(config_.statement_timeout * 1000);
  if (target_ == Target::kPrimary && !config_.standby_dsn.empty()) {
    set += "; SET synchronous_commit = remote_apply";
  }
  PGresult* r = PQexec(pg, set.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    std::string message = Trim(PQerrorMessage(pg));
    PQfinish(pg);
    return MakeError(ErrorCode::kUnavailable, "postgres: " + message);
  }
  return pg;
}

bool Pool::Healthy(Conn& conn) const {
  // An idle connection has nothing to read. If it has, the server said goodbye ("terminating
  // connection", then EOF) or reported a changed setting (e.g. it turned read-only): either
  // way, a fresh connection is the safe choice, and it costs one reconnect.
  pollfd fd{PQsocket(conn.pg), POLLIN, 0};
  if (fd.fd < 0 || PQstatus(conn.pg) != CONNECTION_OK) return false;
  return poll(&fd, 1, 0) == 0;
}

Result<Lease> Pool::Acquire() {
  std::unique_lock lock(mu_);
  auto wait = std::chrono::seconds(config_.connect_timeout + config_.statement_timeout);
  for (;;) {
    while (!idle_.empty()) {
      std::unique_ptr<Conn> c = std::move(idle_.back());
      idle_.pop_back();
      if (Healthy(*c)) return Lease(this, std::move(c));
      PQfinish(c->pg);
      --open_;
    }
    if (open_ < config_.pool_size) break;
    if (!freed_.wait_for(lock, wait, [&] { return !idle_.empty() || open_ < config_.pool_size; })) {
      return MakeError(ErrorCode::kUnavailable, "postgres: every pooled connection is busy");
    }
  }
  ++open_;
  bool ready = ready_;
  lock.unlock();
  auto pg = Connect();
  if (pg && !ready) {
    if (auto r = on_connect_(*pg); !r) {
      PQfinish(*pg);
      pg = tl::unexpected(r.error());
    }
  }
  lock.lock();
  if (!pg) {
    --open_;
    freed_.notify_one();
    return tl::unexpected(pg.error());
  }
  ready_ = true;
  auto conn = std::make_unique<Conn>();
  conn->pg = *pg;
  return Lease(this, std::move(conn));
}

void Pool::Give(std::unique_ptr<Conn> conn, bool broken) {
  std::lock_guard lock(mu_);
  if (!broken) {
    idle_.push_back(std::move(conn));
  } else {
    PQfinish(conn->pg);
    --open_;
    // The others most likely talk to the same dead or demoted server: drop them too.
    for (auto& c : idle_) PQfinish(c->pg);
    open_ -= static_cast<int>(idle_.size());
    idle_.clear();
  }
  freed_.notify_all();  // a dropped connection frees room for every waiter
}

}  // namespace steer::auth::pg
