#include "steer/base/wal_checkpointer.h"

#include "steer/base/log.h"

namespace steer::base {

Result<void> DisableAutoCheckpoint(sqlite3* db) {
  int rc = sqlite3_wal_autocheckpoint(db, 0);
  if (rc != SQLITE_OK) {
    return MakeError(
        ErrorCode::kIo,
        std::string("sqlite: cannot turn the automatic checkpoint off: ") + sqlite3_errstr(rc));
  }
  return {};
}

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Open(const std::string& path,
                                                               std::mutex& writers,
                                                               std::string library) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close(db);
    return MakeError(ErrorCode::kIo,
                     "cannot open " + path + " to checkpoint its log: " + sqlite3_errstr(rc));
  }
  // A connection opens the log only when it first reads (until then a checkpoint finds no log),
  // and the mode says whether there is a log to checkpoint at all.
  std::string mode;
  rc = sqlite3_exec(
      db, "PRAGMA journal_mode",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0] != nullptr ? values[0] : "";
        return 0;
      },
      &mode, nullptr);
  if (rc != SQLITE_OK || mode != "wal") {
    std::string why = rc != SQLITE_OK ? sqlite3_errmsg(db) : "journal mode " + mode + ", not wal";
    sqlite3_close(db);
    return MakeError(ErrorCode::kIo, "cannot checkpoint the log of " + path + ": " + why);
  }
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(db, writers, std::move(library)));
}

WalCheckpointer::~WalCheckpointer() {
  Stop();
  sqlite3_close(db_);
}

void WalCheckpointer::Start() { rounds_.Start(); }

void WalCheckpointer::Stop() { rounds_.Stop(); }

Result<WalCheckpoint> WalCheckpointer::Passive() {
  WalCheckpoint c;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &c.log_frames,
                                     &c.copied_frames);
  if (rc == SQLITE_BUSY) return WalCheckpoint{};
  if (rc != SQLITE_OK) {
    return MakeError(ErrorCode::kIo,
                     std::string("sqlite: checkpoint of the log failed: ") + sqlite3_errmsg(db_));
  }
  return c;
}

Result<WalCheckpoint> WalCheckpointer::RunOnce() {
  auto bulk = Passive();
  if (!bulk || bulk->log_frames <= 0) return bulk;
  // Whatever was appended while the bulk was flushed: copied with the writers held, so that
  // every frame is in the database when the next write begins, and that write starts the log
  // over.
  std::lock_guard lock(writers_);
  return Passive();
}

void WalCheckpointer::Round() {
  auto r = RunOnce();
  if (!r && !failing_) {
    Logger(library_)->warn("{} (the log grows until a checkpoint succeeds)", r.error().message);
  } else if (r && failing_) {
    Logger(library_)->info("sqlite: checkpoints of the log succeed again");
  }
  failing_ = !r;
}

}  // namespace steer::base
