#include "uptime_report.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "page_model.h"
#include "steer/base/json_text.h"

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

namespace {

int64_t Overlap(int64_t start, int64_t end, const std::vector<Window>& windows) {
  int64_t total = 0;
  for (const Window& w : windows) {
    total += std::max<int64_t>(0, std::min(end, w.end_ms) - std::max(start, w.start_ms));
  }
  return std::min(total, end - start);
}

std::string Duration(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string SpreadText(const char* what, const std::vector<int64_t>& values, size_t of) {
  Spread s = SpreadOf(values);
  std::string out = std::string("  ") + what + ": ";
  if (s.count == 0) return out + "no data\n";
  return out + "p50 " + Duration(s.p50_ms) + ", max " + Duration(s.max_ms) + " (" +
         std::to_string(s.count) + " of " + std::to_string(of) + " failovers)\n";
}

void Timings(const UptimeReport& r, std::vector<int64_t>* detect, std::vector<int64_t>* verify) {
  for (const auto& f : r.failovers) {
    if (f.detect_ms) detect->push_back(*f.detect_ms);
    if (f.verify_ms) verify->push_back(*f.verify_ms);
  }
}

}  // namespace

SeriesAvailability Availability(const std::string& series, const std::vector<UptimeBucket>& rows,
                                const std::vector<Window>& windows) {
  SeriesAvailability a;
  a.series = series;
  for (const UptimeBucket& b : rows) {
    if (!b.has_data()) continue;
    if (b.span_ms < kHourMs) {
      if (Overlap(b.start_ms, b.start_ms + 1, windows) > 0) {
        ++a.excluded_minutes;
        continue;
      }
      a.minutes += 1;
      a.bad_minutes += b.bad_minutes;
      continue;
    }
    const int64_t span = b.span_ms / kMinuteMs;
    const int64_t out = Overlap(b.start_ms, b.start_ms + b.span_ms, windows) / kMinuteMs;
    a.excluded_minutes += out;
    a.minutes += span - out;
    a.bad_minutes += std::min(b.bad_minutes, span - out);
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
  out += "Failovers: " + std::to_string(r.failovers.size()) + "\n";
  std::vector<int64_t> detect, verify;
  Timings(r, &detect, &verify);
  out += SpreadText("time to detect", detect, r.failovers.size());
  out += SpreadText("time to fail over", verify, r.failovers.size());
  out += "Minutes served:\n";
  if (r.served.empty()) out += "  no decisions recorded\n";
  for (const auto& [service, regions] : r.served) {
    out += "  " + service + ":";
    for (const auto& [region, minutes] : regions) {
      out += " " + (region == "*" ? std::string("every region") : region) + " " +
             std::to_string(minutes);
    }
    out += "\n";
  }
  out += "Maintenance windows (not counted in availability): " +
         std::to_string(r.maintenances.size()) + "\n";
  for (const auto& m : r.maintenances) {
    std::string services;
    for (const auto& s : m.services) services += (services.empty() ? "" : ",") + s;
    out += "  " + IsoTime(m.start_ms) + " to " + IsoTime(m.end_ms) + "  " + services + "  " +
           m.title + "\n";
  }
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
                           {"maintenance_minutes", s.excluded_minutes},
                           {"availability_percent", s.percent()}});
  }
  for (const auto& i : r.incidents) {
    j["incidents"].push_back(
        {{"service", i.service},
         {"services", i.operator_made() ? i.services : std::vector<std::string>{i.service}},
         {"name", i.name},
         {"impact", i.impact},
         {"opened_at", IsoTime(i.opened_ms)},
         {"resolved_at", i.resolved_ms ? nlohmann::json(IsoTime(*i.resolved_ms)) : nullptr}});
  }
  for (const auto& c : r.changes) {
    j["changes"].push_back({{"at", IsoTime(c.at_ms)}, {"service", c.service}, {"what", c.what}});
  }
  using nlohmann::json;
  auto opt = [](const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); };
  j["failovers"] = json::array();
  for (const auto& f : r.failovers) {
    j["failovers"].push_back({{"at", IsoTime(f.decided_ms)},
                              {"service", f.service},
                              {"from", f.from},
                              {"to", f.to},
                              {"detect_ms", opt(f.detect_ms)},
                              {"failover_ms", opt(f.verify_ms)}});
  }
  std::vector<int64_t> detect, verify;
  Timings(r, &detect, &verify);
  for (auto [key, values] :
       {std::pair{"time_to_detect", &detect}, std::pair{"time_to_fail_over", &verify}}) {
    Spread s = SpreadOf(*values);
    j[key] = s.count == 0 ? json(nullptr)
                          : json{{"count", s.count}, {"p50_ms", s.p50_ms}, {"max_ms", s.max_ms}};
  }
  j["minutes_served"] = r.served;
  j["maintenance"] = json::array();
  for (const auto& m : r.maintenances) {
    j["maintenance"].push_back({{"id", m.id},
                                {"title", m.title},
                                {"services", m.services},
                                {"start", IsoTime(m.start_ms)},
                                {"end", IsoTime(m.end_ms)},
                                {"status", m.status}});
  }
  return base::JsonText(j, 2) + "\n";
}

std::string ReportCsv(const UptimeReport& r) {
  std::string out =
      "series,minutes,bad_minutes,availability_percent,incidents,changes,maintenance_minutes\n";
  char pct[32];
  for (const auto& s : r.series) {
    const std::string service = s.series.substr(0, s.series.find('/'));
    size_t incidents = 0, changes = 0;
    for (const auto& i : r.incidents) incidents += i.Affects(service);
    for (const auto& c : r.changes) changes += c.service == service;
    std::snprintf(pct, sizeof pct, "%.4f", s.percent());
    out += s.series + "," + std::to_string(s.minutes) + "," + std::to_string(s.bad_minutes) + "," +
           pct + "," + std::to_string(incidents) + "," + std::to_string(changes) + "," +
           std::to_string(s.excluded_minutes) + "\n";
  }
  return out;
}

}  // namespace steer::status
