// Uptime report arithmetic and date ranges, on rows written by a real UptimeStore.
#include "uptime_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "steer/base/clock.h"

namespace steer::status {
namespace {

constexpr int64_t kNov2026 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

TEST(ReportRangeTest, MonthsAndDays) {
  auto nov = MonthRange("2026-11");
  ASSERT_TRUE(nov.has_value());
  EXPECT_EQ(nov->from_ms, kNov2026);
  EXPECT_EQ(nov->to_ms - nov->from_ms, 30 * kDayMs);
  EXPECT_EQ(MonthRange("2028-02")->to_ms - MonthRange("2028-02")->from_ms, 29 * kDayMs);
  EXPECT_EQ(MonthRange("2100-02")->to_ms - MonthRange("2100-02")->from_ms, 28 * kDayMs);
  auto days = DayRange("2026-11-01", "2026-11-01");
  ASSERT_TRUE(days.has_value());
  EXPECT_EQ(days->from_ms, kNov2026);
  EXPECT_EQ(days->to_ms, kNov2026 + kDayMs);  // the last day is included
  for (const char* bad : {"2026-13", "2026-1", "26-11", "2026-11x", ""}) {
    EXPECT_FALSE(MonthRange(bad)) << bad;
  }
  EXPECT_EQ(DayRange("2026-02-30", "2026-03-01").error().message,
            "'2026-02-30' is not a date (YYYY-MM-DD)");
  EXPECT_EQ(DayRange("2026-11-02", "2026-11-01").error().message,
            "the range ends (2026-11-01) before it starts (2026-11-02)");
}

// Three outages (10, 25 and 7 minutes) on one day, recorded minute by minute through a real
// UptimeStore: the report counts them exactly.
TEST(UptimeReportTest, ThreeKnownOutagesInADayFromTheStore) {
  char tmpl[] = "/tmp/steer-report-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  {
    auto db = StatusDb::Open(dir);
    ASSERT_TRUE(db.has_value());
    base::FakeClock clock;
    UptimeStore store(**db, clock, UptimeOptions{});
    auto down = [](int64_t minute) {
      return (minute >= 60 && minute < 70) || (minute >= 400 && minute < 425) ||
             (minute >= 1000 && minute < 1007);
    };
    for (int64_t m = 0; m < 24 * 60; ++m) {
      clock.SetWall(std::chrono::system_clock::time_point(
          std::chrono::milliseconds(kNov2026 + m * kMinuteMs + 1000)));
      ASSERT_TRUE(store.Record("login", !down(m)).has_value());
      ASSERT_TRUE(store.Record("login", true).has_value());  // a bad sample marks the minute
    }
    ASSERT_TRUE(store.Flush().has_value());
    auto day = DayRange("2026-11-01", "2026-11-01");
    auto rows = store.Buckets("login", day->from_ms, day->to_ms);
    ASSERT_TRUE(rows.has_value());
    SeriesAvailability a = Availability("login", *rows);
    EXPECT_EQ(a.minutes, 1440);
    EXPECT_EQ(a.bad_minutes, 42);
    EXPECT_DOUBLE_EQ(a.percent(), 100.0 * (1440 - 42) / 1440);
  }
  std::filesystem::remove_all(dir);
}

// A month as the store keeps it after a week: hour rows, then the last 7 days by minute;
// outages of 10 and 25 minutes in hour rows and 7 in minute rows.
TEST(UptimeReportTest, ThreeKnownOutagesInAMonthOfHourAndMinuteRows) {
  auto nov = MonthRange("2026-11");
  std::vector<UptimeBucket> rows;
  const int64_t fine_from = nov->to_ms - 7 * kDayMs;
  for (int64_t t = nov->from_ms; t < fine_from; t += kHourMs) {
    int64_t bad = t == nov->from_ms + 5 * kHourMs ? 10 : t == nov->from_ms + 50 * kHourMs ? 25 : 0;
    rows.push_back({t, kHourMs, 600 - bad * 10, bad * 10, bad});
  }
  for (int64_t t = fine_from; t < nov->to_ms; t += kMinuteMs) {
    bool bad = t >= fine_from + kDayMs && t < fine_from + kDayMs + 7 * kMinuteMs;
    rows.push_back({t, kMinuteMs, bad ? 0 : 10, bad ? 10 : 0, bad ? 1 : 0});
  }
  SeriesAvailability a = Availability("login", rows);
  EXPECT_EQ(a.minutes, 30 * 24 * 60);
  EXPECT_EQ(a.bad_minutes, 42);
  EXPECT_DOUBLE_EQ(a.percent(), 100.0 * (43200 - 42) / 43200);  // 99.90277...

  UptimeReport r;
  r.range = *nov;
  r.series = {a};
  r.changes = {{nov->from_ms + 10 * kHourMs, "login", "login. A 10.0.0.2"}};
  EXPECT_EQ(
      ReportCsv(r),
      "series,minutes,bad_minutes,availability_percent,incidents,changes,maintenance_minutes\n"
      "login,43200,42,99.9028,0,1,0\n");
  auto j = nlohmann::json::parse(ReportJson(r));
  EXPECT_EQ(j["series"][0]["bad_minutes"], 42);
  EXPECT_EQ(j["changes"][0]["at"], "2026-11-01T10:00:00.000Z");
  EXPECT_NE(ReportText(r).find("99.9028 %  42 of 43200 minutes down"), std::string::npos)
      << ReportText(r);
}

TEST(UptimeReportTest, HourRowsCountSixtyMinutesAndAnEmptyRangeIsEmpty) {
  std::vector<UptimeBucket> rows = {
      {0, kHourMs, 3000, 60, 2}, {kHourMs, kMinuteMs, 5, 0, 0}, {2 * kHourMs, kMinuteMs, 0, 0, 0}};
  SeriesAvailability a = Availability("login/a", rows);
  EXPECT_EQ(a.minutes, 61);
  EXPECT_EQ(a.bad_minutes, 2);
  SeriesAvailability none = Availability("login/a", {});
  EXPECT_EQ(none.minutes, 0);
  EXPECT_EQ(none.percent(), 100.0);
  UptimeReport empty;
  empty.range = *MonthRange("2026-11");
  EXPECT_NE(ReportText(empty).find("no uptime history in this range"), std::string::npos);
}

// A month of hour and minute rows with the same three outages, and two maintenance windows:
// one over the 25-minute outage (an hour row: its 30 window minutes and its bad minutes up to
// the 30 outside are left out) and one of 60 minutes over the 7-minute outage (minute rows).
TEST(UptimeReportTest, MaintenanceWindowsAreLeftOutOfAvailability) {
  auto nov = MonthRange("2026-11");
  std::vector<UptimeBucket> rows;
  const int64_t fine_from = nov->to_ms - 7 * kDayMs;
  for (int64_t t = nov->from_ms; t < fine_from; t += kHourMs) {
    int64_t bad = t == nov->from_ms + 5 * kHourMs ? 10 : t == nov->from_ms + 50 * kHourMs ? 25 : 0;
    rows.push_back({t, kHourMs, 600 - bad * 10, bad * 10, bad});
  }
  for (int64_t t = fine_from; t < nov->to_ms; t += kMinuteMs) {
    bool bad = t >= fine_from + kDayMs && t < fine_from + kDayMs + 7 * kMinuteMs;
    rows.push_back({t, kMinuteMs, bad ? 0 : 10, bad ? 10 : 0, bad ? 1 : 0});
  }
  const int64_t hour50 = nov->from_ms + 50 * kHourMs;
  std::vector<Window> windows = {
      {hour50, hour50 + 30 * kMinuteMs},
      {fine_from + kDayMs - 10 * kMinuteMs, fine_from + kDayMs + 50 * kMinuteMs}};
  SeriesAvailability a = Availability("login", rows, windows);
  EXPECT_EQ(a.excluded_minutes, 30 + 60);
  EXPECT_EQ(a.minutes, 43200 - 90);
  // 10 (untouched) + min(25, 30) (the hour row's minutes outside the window) + 0.
  EXPECT_EQ(a.bad_minutes, 35);
  EXPECT_DOUBLE_EQ(a.percent(), 100.0 * (43110 - 35) / 43110);
  UptimeReport r;
  r.range = *nov;
  r.series = {a};
  Maintenance m;
  m.id = 4;
  m.title = "DB upgrade";
  m.services = {"login"};
  m.start_ms = hour50;
  m.end_ms = hour50 + 30 * kMinuteMs;
  m.status = "completed";
  r.maintenances = {m};
  EXPECT_NE(ReportText(r).find("Maintenance windows (not counted in availability): 1\n"
                               "  2026-11-03T02:00:00.000Z to 2026-11-03T02:30:00.000Z  login  "
                               "DB upgrade\n"),
            std::string::npos)
      << ReportText(r);
  EXPECT_EQ(ReportCsv(r).substr(ReportCsv(r).find('\n') + 1), "login,43110,35,99.9188,0,0,90\n");
  EXPECT_EQ(nlohmann::json::parse(ReportJson(r))["maintenance"][0]["start"],
            "2026-11-03T02:00:00.000Z");
}

AuditFact Decision(int64_t at, const std::string& what, const std::string& why = "") {
  return {at, "decision", "login", what, why, true};
}
AuditFact Verified(int64_t at, const std::string& region) {
  return {at, "notice", "login", "verified " + region + " on every nameserver", "", true};
}

// Three failovers with known detection and propagation times, a superseded one, and the minutes
// served from each region between the records.
TEST(UptimeReportTest, FailoverTimesAndMinutesServedFromTheAuditLog) {
  auto nov = MonthRange("2026-11");
  const int64_t t0 = nov->from_ms;
  const int64_t h = kHourMs;
  std::vector<AuditFact> log = {
      {t0 - h, "notice", "login", "adopted a: login.example.com. 30 A 10.0.0.1", "", true},
      Decision(t0 + h, "failover a -> b (down)",
               "a down: 3/3 vantage points saw app fail; a down since 2026-11-01T00:59:50.000Z"),
      Verified(t0 + h + 1500, "b"),
      Decision(t0 + 2 * h, "failback b -> a (failback)"),
      Verified(t0 + 2 * h + 900, "a"),
      Decision(t0 + 3 * h, "failover a -> b (down)",
               "a down; a down since 2026-11-01T02:59:30.000Z"),
      Verified(t0 + 3 * h + 4000, "b"),
      Decision(t0 + 4 * h, "failback b -> a (failback)"),
      // Superseded before it was verified: counted, with no time to fail over.
      Decision(t0 + 5 * h, "failover a -> b (down)",
               "a down; a down since 2026-11-01T04:59:55.000Z"),
      Decision(t0 + 5 * h + 1000, "serve_all b -> * (all_down_serve_all)"),
      Decision(t0 + 6 * h,
               "failover * -> a (recovered)"),  // not a failover away from a down region
      {t0 + 6 * h + 10, "dns_change", "login", "applied ...", "", true},
  };
  auto failovers = Failovers(log, *nov);
  ASSERT_EQ(failovers.size(), 3u);
  EXPECT_EQ(failovers[0].detect_ms, 10'000);
  EXPECT_EQ(failovers[0].verify_ms, 1500);
  EXPECT_EQ(failovers[1].detect_ms, 30'000);
  EXPECT_EQ(failovers[1].verify_ms, 4000);
  EXPECT_EQ(failovers[2].detect_ms, 5'000);
  EXPECT_FALSE(failovers[2].verify_ms.has_value());
  Spread detect = SpreadOf({10'000, 30'000, 5'000});
  EXPECT_EQ(detect.count, 3u);
  EXPECT_EQ(detect.p50_ms, 10'000);
  EXPECT_EQ(detect.max_ms, 30'000);
  EXPECT_EQ(SpreadOf({1500, 4000}).p50_ms, 1500);  // the lower middle value

  // Served up to 7 h after the month started (now): a 0-1 h, b 1-2 h, a 2-3 h, b 3-4 h,
  // a 4-5 h, b 5 h to 5 h + 1 s, every region until 6 h, a 6-7 h.
  auto served = ServedMinutes(log, *nov, t0 + 7 * h);
  EXPECT_EQ(served["login"]["a"], 240);
  EXPECT_EQ(served["login"]["b"], 120);  // 60 + 60 + 1 s (rounded down)
  EXPECT_EQ(served["login"]["*"], 59);   // 59 min 59 s
  // A range that starts later clips the first segment.
  auto tail = ServedMinutes(log, {t0 + 6 * h + 30 * kMinuteMs, nov->to_ms}, t0 + 7 * h);
  EXPECT_EQ(tail["login"], (std::map<std::string, int64_t>{{"a", 30}}));

  UptimeReport r;
  r.range = *nov;
  r.failovers = failovers;
  r.served = served;
  const std::string text = ReportText(r);
  EXPECT_NE(
      text.find("Failovers: 3\n  time to detect: p50 10.000 s, max 30.000 s (3 of 3 "
                "failovers)\n  time to fail over: p50 1.500 s, max 4.000 s (2 of 3 failovers)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("  login: every region 59 a 240 b 120\n"), std::string::npos) << text;
  auto j = nlohmann::json::parse(ReportJson(r));
  EXPECT_EQ(j["time_to_detect"]["p50_ms"], 10'000);
  EXPECT_EQ(j["time_to_fail_over"]["max_ms"], 4000);
  EXPECT_EQ(j["minutes_served"]["login"]["a"], 240);
  EXPECT_TRUE(j["failovers"][2]["failover_ms"].is_null());
}

}  // namespace
}  // namespace steer::status
