#pragma once

// Uptime reports (`steerctl report uptime`): availability of each series over a date range,
// the incidents opened in it and the DNS changes (failovers, failbacks, switchovers) made in
// it, computed from the state database steerd keeps. Pure functions over plain values; the
// command reads the rows and prints one of the renderings.
//
// Availability is SLA-style, by minutes: 100 × (1 − minutes with a bad quorum verdict /
// minutes with any verdict). Minutes without a verdict (steerd stopped, the series did not
// exist) count neither way, and the report says how many minutes had data. Minutes inside a
// maintenance window of the service count neither way either (as Statuspage leaves
// maintenance out of uptime): a minute row that starts in a window is left out; an hour row
// counts only its minutes outside the windows, and its bad minutes up to that many.
//
// From the audit log (audit_timing.cc): every automatic failover (decision "failover A -> B
// (down)") with its time to detect — from the moment the quorum judged A down (the record's
// "A down since T") to the decision — and its time to fail over — from the decision to the
// next "verified B" record of the service (every nameserver answers B); and the minutes each
// service answered from each region, following its decisions (and the region adopted at
// start) from record to record, within the range and up to now.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "incident_book.h"
#include "steer/base/error.h"
#include "uptime_store.h"

namespace steer::status {

// [from_ms, to_ms), UTC.
struct ReportRange {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// "2026-11" -> the UTC month.
Result<ReportRange> MonthRange(const std::string& month);
// "2026-11-01", "2026-11-15" -> from the first day's 00:00 UTC to the end of the last day.
Result<ReportRange> DayRange(const std::string& from, const std::string& to);

struct SeriesAvailability {
  std::string series;            // "login" or "login/us-east"
  int64_t minutes = 0;           // minutes with a verdict
  int64_t bad_minutes = 0;       // of those, minutes with a bad verdict
  int64_t excluded_minutes = 0;  // minutes with a verdict left out: in a maintenance window
  double percent() const;        // 100 when minutes == 0
};

// [start_ms, end_ms) of the windows that apply to a series.
struct Window {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

// Sums the rows (minute rows count one minute each, hour rows 60), leaving out `windows`.
SeriesAvailability Availability(const std::string& series, const std::vector<UptimeBucket>& rows,
                                const std::vector<Window>& windows = {});

// One audit log entry as the report reads it (agent::AuditEntry, flattened).
struct AuditFact {
  int64_t at_ms = 0;
  std::string kind;  // decision | dns_change | operation | notice
  std::string service;
  std::string what;
  std::string why;
  bool ok = true;
};

struct FailoverTiming {
  int64_t decided_ms = 0;
  std::string service;
  std::string from;
  std::string to;
  std::optional<int64_t> detect_ms;  // unknown: the record names no "down since"
  std::optional<int64_t> verify_ms;  // unknown: never verified (superseded, still propagating)
};

// Count, median (the lower middle value) and maximum of some durations.
struct Spread {
  size_t count = 0;
  int64_t p50_ms = 0;
  int64_t max_ms = 0;
};
Spread SpreadOf(std::vector<int64_t> values);

// The automatic failovers decided in `range`, oldest first; `log` oldest first.
std::vector<FailoverTiming> Failovers(const std::vector<AuditFact>& log, const ReportRange& range);
// service -> region ("*": every region at once) -> minutes answered from it in `range`.
std::map<std::string, std::map<std::string, int64_t>> ServedMinutes(
    const std::vector<AuditFact>& log, const ReportRange& range, int64_t now_ms);

struct ChangeRecord {
  int64_t at_ms = 0;
  std::string service;
  std::string what;  // as audited: "login.example.com. A 10.0.0.2 (was 10.0.0.1)"
};

struct UptimeReport {
  ReportRange range;
  std::vector<SeriesAvailability> series;
  std::vector<Incident> incidents;        // opened in the range, newest first
  std::vector<ChangeRecord> changes;      // DNS changes that landed in the range, oldest first
  std::vector<FailoverTiming> failovers;  // oldest first
  std::map<std::string, std::map<std::string, int64_t>> served;  // ServedMinutes
  std::vector<Maintenance> maintenances;  // windows overlapping the range, by start
};

std::string ReportText(const UptimeReport& r);
std::string ReportJson(const UptimeReport& r);
// One line per series:
// series,minutes,bad_minutes,availability_percent,incidents,changes,maintenance_minutes.
std::string ReportCsv(const UptimeReport& r);

}  // namespace steer::status
