#pragma once

// Prepared SQLite statements, kept for the connection's life: the hot paths (the auth store's
// client lookup and revocation check, the agent's state writes) run many times a second, and
// preparing a statement costs about as much as running it. The one SQLite helper of every
// library. Not thread-safe: the owner serialises access (one mutex per connection).

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "steer/base/error.h"

namespace steer::base {

// Statements by their SQL text (string literals: one entry per literal). `code` and `what`
// say how the owner reports a failed statement: "state store" as kIo, "sqlite" as
// kUnavailable, ...
class StmtCache {
 public:
  StmtCache(sqlite3* db, ErrorCode code, std::string what)
      : db_(db), code_(code), what_(std::move(what)) {}
  ~StmtCache() {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
  }
  StmtCache(const StmtCache&) = delete;
  StmtCache& operator=(const StmtCache&) = delete;

  sqlite3* db() const { return db_; }
  // Null when the SQL does not compile (reported by the first Step as SQLITE_MISUSE).
  sqlite3_stmt* Get(const char* sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return nullptr;
    }
    stmts_.emplace(sql, stmt);
    return stmt;
  }
  // The connection's last error, as the owner reports it.
  tl::unexpected<Error> Fail() const {
    return MakeError(code_, what_ + ": " + sqlite3_errmsg(db_));
  }
  // A result code (for a step that failed), as the owner reports it.
  tl::unexpected<Error> Fail(int rc) const {
    return MakeError(code_, what_ + ": " + sqlite3_errstr(rc));
  }

 private:
  sqlite3* db_;
  ErrorCode code_;
  std::string what_;
  std::map<const char*, sqlite3_stmt*> stmts_;
};

// One use of a cached statement: reset and unbound when it goes out of scope, so the next use
// starts clean and no read transaction stays open.
class Stmt {
 public:
  Stmt(StmtCache& cache, const char* sql) : cache_(cache), stmt_(cache.Get(sql)) {}
  ~Stmt() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Stmt& Bind(int i, std::string_view v) {
    if (stmt_) sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    if (stmt_) sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& BindNull(int i) {
    if (stmt_) sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_MISUSE; }
  // Runs a statement that returns no rows. A write outside BEGIN ... COMMIT while another
  // statement of the connection still holds a row is refused: SQLite would defer its commit to
  // that statement's reset, where a failed commit (a full disk) goes unseen and the WAL is never
  // checkpointed (the checkpoint runs only after a commit in sqlite3_step). Reset() the read
  // first.
  Result<void> Run() {
    if (!ok()) return Fail();
    if (!sqlite3_stmt_readonly(stmt_) && sqlite3_get_autocommit(cache_.db()) &&
        AnotherStatementBusy()) {
      return MakeError(ErrorCode::kInternal,
                       std::string("sqlite: write while a read is open: ") + sqlite3_sql(stmt_));
    }
    int rc = Step();
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Fail();
    return {};
  }
  // Ends this use early (its rows are no longer readable), as going out of scope does.
  void Reset() {
    if (stmt_ != nullptr) sqlite3_reset(stmt_);
  }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int Changes() const { return sqlite3_changes(cache_.db()); }
  tl::unexpected<Error> Fail() const { return cache_.Fail(); }

 private:
  bool AnotherStatementBusy() const {
    for (sqlite3_stmt* s = sqlite3_next_stmt(cache_.db(), nullptr); s != nullptr;
         s = sqlite3_next_stmt(cache_.db(), s)) {
      if (s != stmt_ && sqlite3_stmt_busy(s)) return true;
    }
    return false;
  }

  StmtCache& cache_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace steer::base
