#pragma once

// Prepared SQLite statements for the SQLite store, kept for the connection's life: the hot
// paths (client lookup, revocation check) run thousands of times a second, and preparing a
// statement costs about as much as running it. Private to the store. Not thread-safe: used
// under the store's mutex.

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "steer/config/error.h"

namespace steer::auth {

// Statements by their SQL text (string literals: one entry per literal).
class StmtCache {
 public:
  explicit StmtCache(sqlite3* db) : db_(db) {}
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

 private:
  sqlite3* db_;
  std::map<const char*, sqlite3_stmt*> stmts_;
};

// One use of a cached statement: reset and unbound when it goes out of scope, so the next use
// starts clean and no read transaction stays open.
class Stmt {
 public:
  Stmt(StmtCache& cache, const char* sql) : db_(cache.db()), stmt_(cache.Get(sql)) {}
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
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_MISUSE; }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  int Changes() const { return sqlite3_changes(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs a statement that returns no rows.
inline Result<void> Exec(Stmt& stmt) {
  int rc = stmt.Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    return MakeError(ErrorCode::kUnavailable, std::string("sqlite: ") + sqlite3_errstr(rc));
  }
  return {};
}

inline tl::unexpected<Error> SqlError(int rc) {
  return MakeError(ErrorCode::kUnavailable, std::string("sqlite: ") + sqlite3_errstr(rc));
}

}  // namespace steer::auth
