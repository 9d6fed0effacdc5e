#pragma once

// WalCheckpointer: checkpoints one SQLite database's write-ahead log on a thread and a
// connection of its own, for a process that writes many small transactions through one
// connection guarded by one mutex (steer-authd's store while it serves).
//
// Why: SQLite's automatic checkpoint runs inside the sqlite3_step that commits, so the request
// whose commit takes the log past 1,000 pages flushes those 4 MB (a few ms on the benchmark VM,
// about 15 times a second under refresh load) while it holds the connection's mutex, and every
// request queues behind it (a second's log flushed that way took 17-83 ms: docs/benchmarks.md,
// "SQLite's refresh tail, found"). A checkpoint on another connection copies and flushes
// without that mutex. But the log only
// starts over when a writer finds every frame copied, and writers keep appending during a
// checkpoint, so under steady load it would never start over and grow without bound. Each
// round therefore runs twice: once without the writers' mutex (the bulk: flush and copy), and
// once holding it, which only has the frames appended meanwhile to copy; the next write then
// starts the log over.
//
// The writers' connection must turn its automatic checkpoint off (DisableAutoCheckpoint);
// nothing else changes for it. Thread-safety: RunOnce() from one thread at a time (the
// checkpointer's thread after Start(), or a test that never calls Start()).

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "steer/base/error.h"
#include "steer/base/periodic_thread.h"

namespace steer::base {

// What one checkpoint round found: frames in the log, and how many of them are in the database.
struct WalCheckpoint {
  int log_frames = 0;
  int copied_frames = 0;
};

// Turns off the automatic checkpoint of `db` (a connection whose file a WalCheckpointer serves).
Result<void> DisableAutoCheckpoint(sqlite3* db);

class WalCheckpointer {
 public:
  static constexpr std::chrono::milliseconds kEvery{100};

  // Opens its own connection to `path` (a database already in WAL mode). `writers` is the mutex
  // the writers' connection is used under; it must outlive the checkpointer. The thread logs a
  // failing round (once, until one succeeds) to the logger of `library`.
  static Result<std::unique_ptr<WalCheckpointer>> Open(const std::string& path, std::mutex& writers,
                                                       std::string library);
  ~WalCheckpointer();  // Stop(), then closes the connection
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Runs RunOnce() every kEvery on a thread; Stop() ends it (idempotent).
  void Start();
  void Stop();

  // One round: the bulk without `writers`, then what remains holding it. SQLITE_BUSY (another
  // process checkpointing) is not an error: that round copies nothing.
  Result<WalCheckpoint> RunOnce();

 private:
  WalCheckpointer(sqlite3* db, std::mutex& writers, std::string library)
      : db_(db), writers_(writers), library_(std::move(library)) {}
  Result<WalCheckpoint> Passive();
  void Round();

  sqlite3* db_;
  std::mutex& writers_;
  const std::string library_;
  bool failing_ = false;  // Round() logged a failure and none has succeeded since
  // Runs Round() every kEvery once started; stopped first by the destructor.
  PeriodicThread rounds_{kEvery, [this](PeriodicThread::Clock::time_point) { Round(); }};
};

}  // namespace steer::base
