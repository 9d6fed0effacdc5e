#include "uptime_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace steer::status {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using WallTime = std::chrono::system_clock::time_point;

// 2026-01-31T00:00:00Z: the day before a new month.
constexpr int64_t kJan31 = 1'769'817'600'000;

class UptimeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-uptime-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Reopen();
    At(kJan31 + 10 * kHourMs);
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Closes (flushing) and opens the database again, as a restarted agent does.
  void Reopen() {
    store_.reset();
    db_.reset();
    auto db = StatusDb::Open(dir_);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_ = std::move(*db);
    store_ = std::make_unique<UptimeStore>(*db_, clock_, options_);
  }
  void At(int64_t ms) { clock_.SetWall(WallTime(milliseconds(ms))); }
  std::vector<UptimeBucket> Rows(const std::string& series = "login") {
    auto rows = store_->Buckets(series, 0, INT64_MAX);
    EXPECT_TRUE(rows.has_value());
    return rows ? *rows : std::vector<UptimeBucket>{};
  }

  std::string dir_;
  base::FakeClock clock_;
  UptimeOptions options_;
  std::unique_ptr<StatusDb> db_;
  std::unique_ptr<UptimeStore> store_;
};

TEST_F(UptimeStoreTest, SamplesOnEitherSideOfAMinuteBoundaryLandInTwoMinutes) {
  const int64_t t = kJan31 + 10 * kHourMs + 5 * kMinuteMs;
  At(t - 1);
  ASSERT_TRUE(store_->Record("login", true));
  ASSERT_TRUE(store_->Record("login", false));
  At(t);
  ASSERT_TRUE(store_->Record("login", true));
  EXPECT_EQ(Rows().size(), 1u) << "the first minute is written when the next one starts";
  ASSERT_TRUE(store_->Flush());
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].start_ms, t - kMinuteMs);
  EXPECT_EQ(rows[0].span_ms, kMinuteMs);
  EXPECT_EQ(rows[0].good, 1);
  EXPECT_EQ(rows[0].bad, 1);
  EXPECT_EQ(rows[0].bad_minutes, 1);
  EXPECT_EQ(rows[1].start_ms, t);
  EXPECT_EQ(rows[1].good, 1);
  EXPECT_EQ(rows[1].bad_minutes, 0);
}

TEST_F(UptimeStoreTest, RestartKeepsHistoryAndAddsToTheSameMinute) {
  ASSERT_TRUE(store_->Record("login", true));
  ASSERT_TRUE(store_->Record("login/us-east", false));
  Reopen();  // the destructor flushes
  ASSERT_TRUE(store_->Record("login", true));
  ASSERT_TRUE(store_->Flush());
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].good, 2);
  auto series = store_->Series();
  ASSERT_TRUE(series.has_value());
  EXPECT_EQ(*series, (std::vector<std::string>{"login", "login/us-east"}));
}

TEST_F(UptimeStoreTest, OldMinutesBecomeHoursAndExpireAfterRetention) {
  const int64_t start = kJan31;
  for (int m = 0; m < 120; ++m) {  // two hours; the 31st minute of each is bad
    At(start + m * kMinuteMs);
    ASSERT_TRUE(store_->Record("login", m % 60 != 30));
  }
  ASSERT_TRUE(store_->Flush());
  EXPECT_EQ(Rows().size(), 120u);
  At(start + 7 * kDayMs + 2 * kHourMs - 1);  // the second hour is not yet a week old
  ASSERT_TRUE(store_->Compact());
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 61u);
  EXPECT_EQ(rows[0].span_ms, kHourMs);
  EXPECT_EQ(rows[0].good, 59);
  EXPECT_EQ(rows[0].bad, 1);
  EXPECT_EQ(rows[0].bad_minutes, 1);
  At(start + 8 * kDayMs);
  ASSERT_TRUE(store_->Compact());
  EXPECT_EQ(Rows().size(), 2u);
  // Retention 90 days: the first hour goes when it is older than 90 days.
  At(start + 90 * kDayMs + kHourMs);
  ASSERT_TRUE(store_->Compact());
  rows = Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].start_ms, start + kHourMs);
  At(start + 91 * kDayMs);
  ASSERT_TRUE(store_->Compact());
  EXPECT_TRUE(Rows().empty());
}

TEST_F(UptimeStoreTest, DailyBarsSplitAtMidnightIntoANewMonth) {
  At(kJan31 + kDayMs - 1);  // 23:59:59.999 on January 31
  ASSERT_TRUE(store_->Record("login", false));
  At(kJan31 + kDayMs);  // 00:00 on February 1
  ASSERT_TRUE(store_->Record("login", true));
  ASSERT_TRUE(store_->Record("login", true));
  // The February minute is still buffered: Daily counts it too.
  auto days = store_->Daily("login", kJan31 + kDayMs + kHourMs, 3);
  ASSERT_TRUE(days.has_value());
  ASSERT_EQ(days->size(), 3u);
  EXPECT_EQ((*days)[0].start_ms, kJan31 - kDayMs);
  EXPECT_FALSE((*days)[0].has_data());
  EXPECT_EQ((*days)[1].bad, 1);
  EXPECT_EQ((*days)[1].good, 0);
  EXPECT_EQ((*days)[1].bad_minutes, 1);
  EXPECT_EQ((*days)[2].good, 2);
  EXPECT_EQ((*days)[2].bad, 0);
  EXPECT_DOUBLE_EQ((*days)[2].ratio(), 1.0);
}

TEST_F(UptimeStoreTest, ClockGoingBackwardsLosesAndDuplicatesNothing) {
  const int64_t t = kJan31 + 10 * kHourMs;
  At(t + 5 * kMinuteMs);
  ASSERT_TRUE(store_->Record("login", true));
  At(t + 3 * kMinuteMs);  // NTP steps the clock back two minutes
  ASSERT_TRUE(store_->Record("login", false));
  At(t + 5 * kMinuteMs);
  ASSERT_TRUE(store_->Record("login", true));
  ASSERT_TRUE(store_->Flush());
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].start_ms, t + 3 * kMinuteMs);
  EXPECT_EQ(rows[0].bad, 1);
  EXPECT_EQ(rows[1].start_ms, t + 5 * kMinuteMs);
  EXPECT_EQ(rows[1].good, 2);
  EXPECT_EQ(rows[1].bad_minutes, 0);
}

// docs/status.md states the bytes per series per day; this keeps the figure honest.
TEST_F(UptimeStoreTest, StorageCostPerSeriesPerDay) {
  auto pages = [&] {
    base::Stmt s(db_->stmts(), "PRAGMA page_count");
    s.Step();
    return s.Int(0) * 4096;
  };
  ASSERT_TRUE(db_->lock() && db_->Exec("PRAGMA synchronous=OFF"));  // size, not safety
  for (int i = 0; i < 100; ++i) {  // 100 series, one full day of minutes
    ASSERT_TRUE(store_->Record("service-" + std::to_string(i) + "/region-a", true));
  }
  ASSERT_TRUE(store_->Flush());
  const int64_t before = pages();
  for (int m = 1; m < 1440; ++m) {
    At(kJan31 + 10 * kHourMs + m * kMinuteMs);
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(store_->Record("service-" + std::to_string(i) + "/region-a", m % 7 != 0));
    }
  }
  ASSERT_TRUE(store_->Flush());
  const double per_series_day = static_cast<double>(pages() - before) / 100;
  EXPECT_LT(per_series_day, 40'000) << per_series_day;  // minute rows: docs say ~30 KB
  At(kJan31 + 20 * kDayMs);
  ASSERT_TRUE(store_->Compact());
  ASSERT_TRUE(db_->lock() && db_->Exec("VACUUM"));
  const double hourly = static_cast<double>(pages()) / 100;
  EXPECT_LT(hourly, 1'200) << hourly;  // hour rows: docs say ~0.5 KB
  std::printf("minute rows: %.0f B/series/day; hour rows: %.0f B/series/day (incl. overhead)\n",
              per_series_day, hourly);
}

}  // namespace
}  // namespace steer::status
