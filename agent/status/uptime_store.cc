#include "uptime_store.h"

#include <algorithm>

namespace steer::status {

using base::Stmt;

int64_t EpochMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

namespace {

int64_t Floor(int64_t ms, int64_t unit) {
  int64_t q = ms / unit;
  if (ms % unit < 0) --q;
  return q * unit;
}

}  // namespace

UptimeStore::UptimeStore(StatusDb& db, const base::Clock& clock, UptimeOptions options)
    : db_(db), clock_(clock), options_(options) {}

UptimeStore::~UptimeStore() { (void)Flush(); }

Result<void> UptimeStore::Record(const std::string& series, bool up) {
  std::lock_guard lock(mu_);
  const int64_t minute = Floor(EpochMs(clock_.WallNow()), kMinuteMs);
  if (minute != minute_) {
    if (auto r = FlushLocked(); !r) {
      // Keep counting into the new minute; the unwritten one is lost, not retried forever.
      buffer_.clear();
      minute_ = minute;
      return r;
    }
    minute_ = minute;
  }
  Counts& c = buffer_[series];
  (up ? c.good : c.bad) += 1;
  return {};
}

Result<void> UptimeStore::Flush() {
  std::lock_guard lock(mu_);
  return FlushLocked();
}

Result<void> UptimeStore::FlushLocked() {
  if (buffer_.empty()) return {};
  auto db_lock = db_.lock();
  Result<void> r = db_.Transaction([&]() -> Result<void> {
    for (const auto& [series, c] : buffer_) {
      auto id = SeriesId(series);
      if (!id) return tl::unexpected(id.error());
      Stmt s(db_.stmts(),
             "INSERT INTO uptime VALUES (?1, 60, ?2, ?3, ?4, ?5) "
             "ON CONFLICT (series_id, start_ms, span_s) DO UPDATE SET "
             "good = good + excluded.good, bad = bad + excluded.bad, "
             "bad_minutes = MAX(bad_minutes, excluded.bad_minutes)");
      if (auto w = s.Bind(1, *id)
                       .Bind(2, minute_)
                       .Bind(3, c.good)
                       .Bind(4, c.bad)
                       .Bind(5, int64_t{c.bad > 0 ? 1 : 0})
                       .Run();
          !w) {
        return w;
      }
    }
    return {};
  });
  db_lock.unlock();
  buffer_.clear();
  if (!r) return r;
  last_flushed_ = minute_;
  return CompactHourly(minute_);
}

Result<void> UptimeStore::CompactHourly(int64_t minute_ms) {
  const int64_t hour = Floor(minute_ms, kHourMs);
  if (hour == last_compact_hour_) return {};
  last_compact_hour_ = hour;
  return Compact();
}

Result<std::map<std::string, UptimeBucket>> UptimeStore::Minute(int64_t minute_ms) {
  auto db_lock = db_.lock();
  Stmt s(db_.stmts(),
         "SELECT n.name, u.good, u.bad, u.bad_minutes FROM uptime u "
         "JOIN uptime_series n ON n.id = u.series_id WHERE u.start_ms = ?1 AND u.span_s = 60");
  if (!s.ok()) return s.Fail();
  s.Bind(1, minute_ms);
  std::map<std::string, UptimeBucket> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out[s.Text(0)] = {minute_ms, kMinuteMs, s.Int(1), s.Int(2), s.Int(3)};
  }
  if (rc != SQLITE_DONE) return s.Fail();
  return out;
}

Result<void> UptimeStore::ReplaceMinute(int64_t minute_ms,
                                        const std::map<std::string, UptimeBucket>& rows) {
  std::lock_guard lock(mu_);
  if (minute_ == minute_ms) buffer_.clear();  // an ex-leader's samples of that minute
  auto db_lock = db_.lock();
  Result<void> r = db_.Transaction([&]() -> Result<void> {
    Stmt drop(db_.stmts(), "DELETE FROM uptime WHERE start_ms = ?1 AND span_s = 60");
    if (auto w = drop.Bind(1, minute_ms).Run(); !w) return w;
    for (const auto& [series, b] : rows) {
      auto id = SeriesId(series);
      if (!id) return tl::unexpected(id.error());
      Stmt ins(db_.stmts(), "INSERT INTO uptime VALUES (?1, 60, ?2, ?3, ?4, ?5)");
      ins.Bind(1, *id).Bind(2, minute_ms).Bind(3, b.good).Bind(4, b.bad);
      if (auto w = ins.Bind(5, b.bad_minutes).Run(); !w) return w;
    }
    return {};
  });
  db_lock.unlock();
  if (!r) return r;
  return CompactHourly(minute_ms);
}

Result<int64_t> UptimeStore::SeriesId(const std::string& name) {
  {
    Stmt s(db_.stmts(), "SELECT id FROM uptime_series WHERE name = ?1");
    if (!s.ok()) return s.Fail();
    s.Bind(1, name);
    if (s.Step() == SQLITE_ROW) return s.Int(0);
  }
  Stmt s(db_.stmts(), "INSERT INTO uptime_series (name) VALUES (?1)");
  if (auto r = s.Bind(1, name).Run(); !r) return tl::unexpected(r.error());
  return sqlite3_last_insert_rowid(db_.stmts().db());
}

// Series by series, so each statement is a range scan of one series' oldest rows.
Result<void> UptimeStore::Compact() {
  const int64_t now = EpochMs(clock_.WallNow());
  const int64_t coarse_before = Floor(now - options_.fine_for.count(), kHourMs);
  const int64_t keep_from = Floor(now - options_.retention.count(), kHourMs);
  auto db_lock = db_.lock();
  std::vector<int64_t> ids;
  {
    Stmt s(db_.stmts(), "SELECT id FROM uptime_series");
    if (!s.ok()) return s.Fail();
    while (s.Step() == SQLITE_ROW) ids.push_back(s.Int(0));
  }
  return db_.Transaction([&]() -> Result<void> {
    for (int64_t id : ids) {
      Stmt roll(db_.stmts(),
                "INSERT INTO uptime SELECT series_id, 3600, (start_ms / 3600000) * 3600000, "
                "SUM(good), SUM(bad), SUM(bad_minutes) FROM uptime "
                "WHERE series_id = ?2 AND start_ms < ?1 AND span_s = 60 "
                "GROUP BY start_ms / 3600000 "
                "ON CONFLICT (series_id, start_ms, span_s) DO UPDATE SET "
                "good = good + excluded.good, bad = bad + excluded.bad, "
                "bad_minutes = bad_minutes + excluded.bad_minutes");
      if (auto r = roll.Bind(1, coarse_before).Bind(2, id).Run(); !r) return r;
      Stmt drop(db_.stmts(),
                "DELETE FROM uptime WHERE series_id = ?2 AND start_ms < ?1 AND span_s = 60");
      if (auto r = drop.Bind(1, coarse_before).Bind(2, id).Run(); !r) return r;
      Stmt prune(db_.stmts(), "DELETE FROM uptime WHERE series_id = ?2 AND start_ms < ?1");
      if (auto r = prune.Bind(1, keep_from).Bind(2, id).Run(); !r) return r;
    }
    return {};
  });
}

Result<std::vector<UptimeBucket>> UptimeStore::Buckets(const std::string& series, int64_t from_ms,
                                                       int64_t to_ms) {
  auto db_lock = db_.lock();
  Stmt s(db_.stmts(),
         "SELECT u.start_ms, u.span_s, u.good, u.bad, u.bad_minutes FROM uptime u "
         "JOIN uptime_series n ON n.id = u.series_id "
         "WHERE n.name = ?1 AND u.start_ms >= ?2 AND u.start_ms < ?3 ORDER BY u.start_ms");
  if (!s.ok()) return s.Fail();
  s.Bind(1, series).Bind(2, from_ms).Bind(3, to_ms);
  std::vector<UptimeBucket> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back({s.Int(0), s.Int(1) * 1000, s.Int(2), s.Int(3), s.Int(4)});
  }
  if (rc != SQLITE_DONE) return s.Fail();
  return out;
}

Result<std::vector<UptimeBucket>> UptimeStore::Daily(const std::string& series, int64_t now_ms,
                                                     int days) {
  const int64_t first = Floor(now_ms, kDayMs) - int64_t{days - 1} * kDayMs;
  std::vector<UptimeBucket> out(static_cast<size_t>(std::max(days, 0)));
  for (int i = 0; i < days; ++i) out[i] = {first + i * kDayMs, kDayMs, 0, 0, 0};
  auto add = [&](int64_t start, int64_t good, int64_t bad, int64_t bad_minutes) {
    if (start < first || start >= first + int64_t{days} * kDayMs) return;
    UptimeBucket& b = out[static_cast<size_t>((start - first) / kDayMs)];
    b.good += good;
    b.bad += bad;
    b.bad_minutes += bad_minutes;
  };
  auto rows = Buckets(series, first, first + int64_t{days} * kDayMs);
  if (!rows) return tl::unexpected(rows.error());
  for (const auto& r : *rows) add(r.start_ms, r.good, r.bad, r.bad_minutes);
  std::lock_guard lock(mu_);
  if (auto it = buffer_.find(series); it != buffer_.end()) {
    add(minute_, it->second.good, it->second.bad, it->second.bad > 0 ? 1 : 0);
  }
  return out;
}

Result<std::vector<std::string>> UptimeStore::Series() {
  auto db_lock = db_.lock();
  Stmt s(db_.stmts(),
         "SELECT name FROM uptime_series WHERE id IN (SELECT DISTINCT series_id FROM uptime) "
         "ORDER BY name");
  if (!s.ok()) return s.Fail();
  std::vector<std::string> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.Text(0));
  if (rc != SQLITE_DONE) return s.Fail();
  return out;
}

}  // namespace steer::status
