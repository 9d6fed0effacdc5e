#pragma once

// Uptime history: the quorum-judged health of each series ("login" for a service, "login/
// us-east" for a service in one region) over time, for the status page and uptime reports.
//
// Record() counts samples in memory for the current minute (UTC, by the injected clock) and
// writes the finished minute, one transaction for every series, when the clock enters another
// minute (or on Flush(), or at destruction). So a write happens once a minute, not on every
// decision tick, and a crash loses at most the current minute. Rows are added to, never
// replaced: a clock that goes backwards, or a restart within a minute, adds its samples to
// the minute already stored.
//
// Compaction (Compact(), also run by the first flush of every hour): minute rows older than
// `fine_for` (7 days) are summed into one row per hour, and rows that ended before
// `retention` (status.retention) are deleted.
//
// Thread-safety: every method may be called from any thread (one mutex for the buffer; the
// database has its own).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "status_db.h"
#include "steer/base/clock.h"

namespace steer::status {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 86'400'000;

// Samples of one series over one span (a minute, an hour or, from Daily(), a UTC day).
struct UptimeBucket {
  int64_t start_ms = 0;
  int64_t span_ms = 0;
  int64_t good = 0;
  int64_t bad = 0;
  int64_t bad_minutes = 0;  // minutes with at least one bad sample
  bool has_data() const { return good + bad > 0; }
  // Share of good samples, 0..1 (1 when there is no data).
  double ratio() const { return has_data() ? static_cast<double>(good) / (good + bad) : 1.0; }
};

struct UptimeOptions {
  std::chrono::milliseconds retention = std::chrono::hours(24 * 90);
  std::chrono::milliseconds fine_for = std::chrono::hours(24 * 7);
};

class UptimeStore {
 public:
  // `db` and `clock` must outlive the store.
  UptimeStore(StatusDb& db, const base::Clock& clock, UptimeOptions options);
  ~UptimeStore();  // flushes (errors are dropped)
  UptimeStore(const UptimeStore&) = delete;
  UptimeStore& operator=(const UptimeStore&) = delete;

  // One quorum verdict for `series` at the clock's current time.
  Result<void> Record(const std::string& series, bool up);
  // Writes the buffered minute now.
  Result<void> Flush();
  Result<void> Compact();

  // Stored rows of `series` that start in [from_ms, to_ms), oldest first.
  Result<std::vector<UptimeBucket>> Buckets(const std::string& series, int64_t from_ms,
                                            int64_t to_ms);
  // `days` UTC days ending with the day of `now_ms`, oldest first, one entry per day (empty
  // when nothing was recorded that day). Includes the minute not yet written.
  Result<std::vector<UptimeBucket>> Daily(const std::string& series, int64_t now_ms, int days);
  // Every series with stored rows, sorted.
  Result<std::vector<std::string>> Series();

  // Sharing with other agents (coordination: etcd; agent/status_sync.h). The start of the
  // newest minute a flush wrote (-1 before the first).
  int64_t LastFlushedMinute() const { return last_flushed_.load(); }
  // Every series' row of the minute starting at `minute_ms`, as stored.
  Result<std::map<std::string, UptimeBucket>> Minute(int64_t minute_ms);
  // Makes the stored minute exactly `rows` (a follower taking the leader's minute), in one
  // transaction: rows of other series for that minute and buffered samples of it are dropped.
  // Runs the hourly compaction as a flush would.
  Result<void> ReplaceMinute(int64_t minute_ms, const std::map<std::string, UptimeBucket>& rows);

 private:
  struct Counts {
    int64_t good = 0;
    int64_t bad = 0;
  };
  Result<void> FlushLocked();                     // caller holds mu_
  Result<void> CompactHourly(int64_t minute_ms);  // caller holds mu_
  Result<int64_t> SeriesId(const std::string& name);

  StatusDb& db_;
  const base::Clock& clock_;
  const UptimeOptions options_;
  std::mutex mu_;  // guards minute_, buffer_, last_compact_hour_
  int64_t minute_ = -1;
  std::map<std::string, Counts> buffer_;
  int64_t last_compact_hour_ = -1;
  std::atomic<int64_t> last_flushed_{-1};
};

// Milliseconds since the Unix epoch of a wall time.
int64_t EpochMs(std::chrono::system_clock::time_point t);

}  // namespace steer::status
