// steer-status-history: writes DAYS of uptime history for N services into a state directory's
// status tables (agent/status/status_db.cc), in the shape UptimeStore leaves them: minute rows
// for the last 7 days, hour rows (compacted) before that, plus a few resolved incidents, so
// that steerd started on that directory serves a page with full 90-day bars. For
// bench/status/run.sh only.
//
//   steer-status-history --state DIR [--services 100] [--days 90] [--prefix svc]
//
// Service names are PREFIX001..PREFIXN (the names bench/status/run.sh puts in its policy).
// Deterministic: each day of each service has, with a fixed pseudo-random draw, an outage of
// 0-30 minutes, so bars and percentages differ from day to day.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "status/incident_book.h"
#include "status/status_db.h"
#include "status/uptime_store.h"

namespace {

using steer::Result;
using steer::base::Stmt;
using namespace steer::status;

struct Args {
  std::string state;
  int services = 100;
  int days = 90;
  std::string prefix = "svc";
};

bool ParseArgs(int argc, char** argv, Args& a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--state") {
      a.state = v;
    } else if (k == "--services") {
      a.services = std::atoi(v.c_str());
    } else if (k == "--days") {
      a.days = std::atoi(v.c_str());
    } else if (k == "--prefix") {
      a.prefix = v;
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !a.state.empty() && a.services > 0 && a.days > 0;
}

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The outage of a service on a day: [first minute of the day, length in minutes).
std::pair<int64_t, int64_t> Outage(int service, int64_t day) {
  uint64_t r = Mix(static_cast<uint64_t>(service) * 1000003ULL + static_cast<uint64_t>(day));
  if (r % 4 != 0) return {0, 0};  // a quarter of the days have one
  return {static_cast<int64_t>((r >> 8) % 1380), static_cast<int64_t>((r >> 20) % 31)};
}

// 60 samples a minute (a 1 s decision tick); a bad minute has all of them bad.
Result<void> Row(StatusDb& db, int64_t id, int64_t span_s, int64_t start, int64_t bad_min) {
  Stmt s(db.stmts(), "INSERT INTO uptime VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  const int64_t minutes = span_s / 60;
  return s.Bind(1, id)
      .Bind(2, span_s)
      .Bind(3, start)
      .Bind(4, (minutes - bad_min) * 60)
      .Bind(5, bad_min * 60)
      .Bind(6, bad_min)
      .Run();
}

int64_t BadIn(int service, int64_t from_ms, int64_t span_ms) {
  const int64_t day = from_ms / kDayMs;
  auto [first, len] = Outage(service, day);
  const int64_t o0 = day * kDayMs + first * kMinuteMs, o1 = o0 + len * kMinuteMs;
  const int64_t a = std::max(o0, from_ms), b = std::min(o1, from_ms + span_ms);
  return b > a ? (b - a) / kMinuteMs : 0;
}

Result<void> WriteSeries(StatusDb& db, int service, const std::string& name, int64_t now_ms,
                         int days) {
  Stmt ins(db.stmts(), "INSERT INTO uptime_series (name) VALUES (?1)");
  if (auto r = ins.Bind(1, name).Run(); !r) return r;
  const int64_t id = sqlite3_last_insert_rowid(db.stmts().db());
  const int64_t end = now_ms / kMinuteMs * kMinuteMs;
  const int64_t fine_from = (end - 7 * kDayMs) / kHourMs * kHourMs;
  const int64_t start = (now_ms / kDayMs - (days - 1)) * kDayMs;
  for (int64_t t = start; t < fine_from; t += kHourMs) {
    if (auto r = Row(db, id, 3600, t, BadIn(service, t, kHourMs)); !r) return r;
  }
  for (int64_t t = fine_from; t < end; t += kMinuteMs) {
    if (auto r = Row(db, id, 60, t, BadIn(service, t, kMinuteMs)); !r) return r;
  }
  return {};
}

// A few resolved operator incidents over the period, for the page's incident list.
Result<void> WriteIncidents(IncidentBook& book, const Args& a, int64_t now_ms) {
  for (int i = 0; i < 10; ++i) {
    char svc[64];
    std::snprintf(svc, sizeof svc, "%s%03d", a.prefix.c_str(), 1 + (i * 7) % a.services);
    const int64_t at = now_ms - (i * 8 + 3) * kDayMs;
    OperatorIncident oi{
        {svc},
        "",
        "minor",
        "investigating",
        "Elevated error rates on " + std::string(svc) + "; we are looking into it."};
    auto id = book.OpenIncident(oi, at);
    if (!id) return tl::unexpected(id.error());
    if (auto r = book.ResolveIncident(*id, "Error rates are back to normal.", at + 40 * kMinuteMs);
        !r) {
      return r;
    }
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, a)) {
    std::fprintf(stderr,
                 "usage: steer-status-history --state DIR [--services N] [--days D] "
                 "[--prefix P]\n");
    return 2;
  }
  auto db = StatusDb::Open(a.state);
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 1;
  }
  const int64_t now_ms = EpochMs(std::chrono::system_clock::now());
  auto lock = (*db)->lock();
  Result<void> r = (*db)->Transaction([&]() -> Result<void> {
    for (int i = 1; i <= a.services; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "%s%03d", a.prefix.c_str(), i);
      if (auto w = WriteSeries(**db, i, name, now_ms, a.days); !w) return w;
    }
    return {};
  });
  lock.unlock();
  if (r) {
    IncidentOptions io;
    IncidentBook book(**db, io);
    r = WriteIncidents(book, a, now_ms);
  }
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  std::printf("wrote %d services x %d days into %s/state.db\n", a.services, a.days,
              a.state.c_str());
  return 0;
}
