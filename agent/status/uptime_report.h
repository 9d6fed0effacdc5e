#pragma once

// Uptime reports (`steerctl report uptime`): availability of each series over a date range,
// the incidents opened in it and the DNS changes (failovers, failbacks, switchovers) made in
// it, computed from the state database steerd keeps. Pure functions over plain values; the
// command reads the rows and prints one of the renderings.
//
// Availability is SLA-style, by minutes: 100 × (1 − minutes with a bad quorum verdict /
// minutes with any verdict). Minutes without a verdict (steerd stopped, the series did not
// exist) count neither way, and the report says how many minutes had data.
//
// Thread-safety: pure functions.

#include <cstdint>
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
  std::string series;       // "login" or "login/us-east"
  int64_t minutes = 0;      // minutes with a verdict
  int64_t bad_minutes = 0;  // of those, minutes with a bad verdict
  double percent() const;   // 100 when minutes == 0
};

// Sums the rows (minute rows count one minute each, hour rows 60).
SeriesAvailability Availability(const std::string& series, const std::vector<UptimeBucket>& rows);

struct ChangeRecord {
  int64_t at_ms = 0;
  std::string service;
  std::string what;  // as audited: "login.example.com. A 10.0.0.2 (was 10.0.0.1)"
};

struct UptimeReport {
  ReportRange range;
  std::vector<SeriesAvailability> series;
  std::vector<Incident> incidents;    // opened in the range, newest first
  std::vector<ChangeRecord> changes;  // DNS changes that landed in the range, oldest first
};

std::string ReportText(const UptimeReport& r);
std::string ReportJson(const UptimeReport& r);
// One line per series: series,minutes,bad_minutes,availability_percent,incidents,changes.
std::string ReportCsv(const UptimeReport& r);

}  // namespace steer::status
