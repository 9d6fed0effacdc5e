#pragma once

// A prepared SQLite statement with RAII finalisation; private to the SQLite store.
// Not thread-safe: used under the store's mutex.

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "steer/config/error.h"

namespace steer::auth {

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
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
