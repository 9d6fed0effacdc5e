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

  UptimeReport r{*nov, {a}, {}, {{nov->from_ms + 10 * kHourMs, "login", "login. A 10.0.0.2"}}};
  EXPECT_EQ(ReportCsv(r),
            "series,minutes,bad_minutes,availability_percent,incidents,changes\n"
            "login,43200,42,99.9028,0,1\n");
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
  UptimeReport empty{*MonthRange("2026-11"), {}, {}, {}};
  EXPECT_NE(ReportText(empty).find("no uptime history in this range"), std::string::npos);
}

}  // namespace
}  // namespace steer::status
