#pragma once

// The status page's tables in the agent's state database (`<state_dir>/state.db`, the file
// StateStore keeps; WAL mode lets both connections share it): uptime rollups and incidents.
// One connection with its own mutex, so a page request never waits on the decision loop's
// state writes and the other way round. Crash safety as StateStore: synchronous=FULL.
//
// Thread-safety: lock() guards stmts(); callers hold it for each use.

#include <memory>
#include <mutex>
#include <string>

#include "steer/base/error.h"
#include "steer/base/sqlite_stmt.h"

namespace steer::status {

class StatusDb {
 public:
  // Opens (creating if needed) `<dir>/state.db` and the status tables. The directory must
  // exist.
  static Result<std::unique_ptr<StatusDb>> Open(const std::string& dir);
  ~StatusDb();
  StatusDb(const StatusDb&) = delete;
  StatusDb& operator=(const StatusDb&) = delete;

  std::unique_lock<std::mutex> lock() { return std::unique_lock(mu_); }
  base::StmtCache& stmts() { return *stmts_; }
  // Runs SQL without results (several statements allowed). Caller holds lock().
  Result<void> Exec(const char* sql);
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it fails. Caller holds
  // lock().
  template <typename F>
  Result<void> Transaction(F&& body) {
    if (auto r = Exec("BEGIN IMMEDIATE"); !r) return r;
    Result<void> r = body();
    if (!r) {
      (void)Exec("ROLLBACK");
      return r;
    }
    return Exec("COMMIT");
  }

 private:
  explicit StatusDb(sqlite3* db);

  std::mutex mu_;
  sqlite3* db_;
  std::unique_ptr<base::StmtCache> stmts_;
};

}  // namespace steer::status
