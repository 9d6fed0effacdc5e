#include "uptime_report.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "page_model.h"

namespace steer::status {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool LeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysIn(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && LeapYear(y) ? 29 : kDays[m - 1];
}

// Parses YYYY-MM-DD (day > 0) or YYYY-MM (day == 0 wanted) strictly.
Result<int64_t> ParseDay(const std::string& s, bool month_only) {
  int y = 0, m = 0, d = 1;
  char tail = 0;
  int n = month_only ? std::sscanf(s.c_str(), "%4d-%2d%c", &y, &m, &tail)
                     : std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail);
  const size_t want_len = month_only ? 7 : 10;
  if (n != (month_only ? 2 : 3) || s.size() != want_len || y < 1970 || m < 1 || m > 12 || d < 1 ||
      d > DaysIn(y, m)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "'" + s + "' is not a date (" + (month_only ? "YYYY-MM" : "YYYY-MM-DD") + ")");
  }
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * kDayMs;
}

}  // namespace

Result<ReportRange> MonthRange(const std::string& month) {
  auto from = ParseDay(month, true);
  if (!from) return tl::unexpected(from.error());
  int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5, 2));
  return ReportRange{*from, *from + DaysIn(y, m) * kDayMs};
}

Result<ReportRange> DayRange(const std::string& from, const std::string& to) {
  auto f = ParseDay(from, false);
  if (!f) return tl::unexpected(f.error());
  auto t = ParseDay(to, false);
  if (!t) return tl::unexpected(t.error());
  if (*t < *f) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the range ends (" + to + ") before it starts (" + from + ")");
  }
  return ReportRange{*f, *t + kDayMs};
}

double SeriesAvailability::percent() const {
  if (minutes == 0) return 100.0;
  return 100.0 * static_cast<double>(minutes - bad_minutes) / static_cast<double>(minutes);
}

SeriesAvailability Availability(const std::string& series, const std::vector<UptimeBucket>& rows) {
  SeriesAvailability a;
  a.series = series;
  for (const UptimeBucket& b : rows) {
    if (!b.has_data()) continue;
    a.minutes += b.span_ms >= kHourMs ? b.span_ms / kMinuteMs : 1;
    a.bad_minutes += b.bad_minutes;
  }
  return a;
}

std::string ReportText(const UptimeReport& r) {
  std::string out =
      "Uptime from " + IsoTime(r.range.from_ms) + " to " + IsoTime(r.range.to_ms) + " (UTC)\n";
  if (r.series.empty()) out += "  no uptime history in this range\n";
  char line[256];
  for (const auto& s : r.series) {
    std::snprintf(line, sizeof line, "  %-32s %9.4f %%  %lld of %lld minutes down\n",
                  s.series.c_str(), s.percent(), static_cast<long long>(s.bad_minutes),
                  static_cast<long long>(s.minutes));
    out += line;
  }
  out += "Incidents: " + std::to_string(r.incidents.size()) + "\n";
  for (const auto& i : r.incidents) {
    out += "  " + IsoTime(i.opened_ms) + "  " + i.impact + "  " + i.name +
           (i.resolved_ms ? "  resolved " + IsoTime(*i.resolved_ms) : "  open") + "\n";
  }
  out += "DNS changes: " + std::to_string(r.changes.size()) + "\n";
  for (const auto& c : r.changes) out += "  " + IsoTime(c.at_ms) + "  " + c.what + "\n";
  return out;
}

std::string ReportJson(const UptimeReport& r) {
  nlohmann::json j = {{"from", IsoTime(r.range.from_ms)},
                      {"to", IsoTime(r.range.to_ms)},
                      {"series", nlohmann::json::array()},
                      {"incidents", nlohmann::json::array()},
                      {"changes", nlohmann::json::array()}};
  for (const auto& s : r.series) {
    j["series"].push_back({{"series", s.series},
                           {"minutes", s.minutes},
                           {"bad_minutes", s.bad_minutes},
                           {"availability_percent", s.percent()}});
  }
  for (const auto& i : r.incidents) {
    j["incidents"].push_back(
        {{"service", i.service},
         {"name", i.name},
         {"impact", i.impact},
         {"opened_at", IsoTime(i.opened_ms)},
         {"resolved_at", i.resolved_ms ? nlohmann::json(IsoTime(*i.resolved_ms)) : nullptr}});
  }
  for (const auto& c : r.changes) {
    j["changes"].push_back({{"at", IsoTime(c.at_ms)}, {"service", c.service}, {"what", c.what}});
  }
  return j.dump(2) + "\n";
}

std::string ReportCsv(const UptimeReport& r) {
  std::string out = "series,minutes,bad_minutes,availability_percent,incidents,changes\n";
  char pct[32];
  for (const auto& s : r.series) {
    const std::string service = s.series.substr(0, s.series.find('/'));
    size_t incidents = 0, changes = 0;
    for (const auto& i : r.incidents) incidents += i.service == service;
    for (const auto& c : r.changes) changes += c.service == service;
    std::snprintf(pct, sizeof pct, "%.4f", s.percent());
    out += s.series + "," + std::to_string(s.minutes) + "," + std::to_string(s.bad_minutes) + "," +
           pct + "," + std::to_string(incidents) + "," + std::to_string(changes) + "\n";
  }
  return out;
}

}  // namespace steer::status
