// steerctl report uptime on a state directory written by the real stores.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "cli/command.h"
#include "state_store.h"
#include "status/incident_book.h"
#include "status/status_db.h"
#include "status/uptime_store.h"
#include "steer/base/clock.h"

namespace steer::agent::cli {
int RunReport(int argc, char** argv);

namespace {

constexpr int64_t kNov2026 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-report-cli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // 60 minutes of login and login/a on 2026-11-01 from 10:00, login/a down for 3 of them, and
  // one DNS change audited at 10:01 (and one in October, outside the report).
  void Record() {
    auto db = status::StatusDb::Open(dir_);
    ASSERT_TRUE(db.has_value());
    base::FakeClock clock;
    {
      status::UptimeStore uptime(**db, clock, {});
      for (int m = 0; m < 60; ++m) {
        clock.SetWall(At(10 * 60 + m));
        ASSERT_TRUE(uptime.Record("login", true).has_value());
        ASSERT_TRUE(uptime.Record("login/a", m < 1 || m > 3).has_value());
      }
    }
    auto store = StateStore::Open(dir_);
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE((*store)->Append({0, At(10 * 60 + 1), AuditKind::kDnsChange, "steerd", "login",
                                  "login.demo.test. A 198.51.100.20", "", true}));
    ASSERT_TRUE((*store)->Append({0, At(-60), AuditKind::kDnsChange, "steerd", "login",
                                  "login.demo.test. A 198.51.100.10", "", true}));
  }
  static base::Clock::WallTime At(int64_t minute) {
    return base::Clock::WallTime(
        std::chrono::milliseconds(kNov2026 + minute * status::kMinuteMs + 1000));
  }
  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), "report");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    int rc = RunReport(static_cast<int>(argv.size()), argv.data());
    out_ = ::testing::internal::GetCapturedStdout();
    err_ = ::testing::internal::GetCapturedStderr();
    return rc;
  }
  std::string dir_, out_, err_;
};

TEST_F(ReportCliTest, CsvOfAMonth) {
  Record();
  ASSERT_EQ(Run({"uptime", "--state", dir_, "--month", "2026-11", "--csv"}), kExitOk) << err_;
  EXPECT_EQ(out_,
            "series,minutes,bad_minutes,availability_percent,incidents,changes,"
            "maintenance_minutes\n"
            "login,60,0,100.0000,0,1,0\n"
            "login/a,60,3,95.0000,0,1,0\n");
}

TEST_F(ReportCliTest, OneServiceAndAnEmptyRange) {
  Record();
  ASSERT_EQ(Run({"uptime", "--state", dir_, "--service", "login", "--from", "2026-10-01", "--to",
                 "2026-10-31"}),
            kExitOk)
      << err_;
  EXPECT_NE(out_.find("no uptime history in this range"), std::string::npos) << out_;
  EXPECT_NE(out_.find("DNS changes: 1\n"), std::string::npos) << out_;  // the October one
}

// A maintenance window over login/a's 3 bad minutes (10:01 to 10:04) leaves them out; a
// failover's decision record and its "verified" notice give the times; the adopted region and
// the failover give the minutes served.
TEST_F(ReportCliTest, MaintenanceFailoverTimesAndMinutesServed) {
  Record();
  {
    auto db = status::StatusDb::Open(dir_);
    ASSERT_TRUE(db.has_value());
    status::IncidentBook book(**db, {});
    status::MaintenanceRequest m{{"login"},
                                 "DB upgrade",
                                 "We upgrade the database.",
                                 kNov2026 + (10 * 60 + 1) * status::kMinuteMs,
                                 kNov2026 + (10 * 60 + 4) * status::kMinuteMs,
                                 ""};
    ASSERT_TRUE(book.ScheduleMaintenance(m, kNov2026).has_value());
    ASSERT_TRUE(book.AdvanceMaintenance(kNov2026 + 11 * 60 * status::kMinuteMs, {}).has_value());
  }
  auto store = StateStore::Open(dir_);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE((*store)->Append({0, At(9 * 60), AuditKind::kNotice, "steerd", "login",
                                "adopted a: login.demo.test. 30 A 198.51.100.10", "", true}));
  ASSERT_TRUE((*store)->Append({0, At(10 * 60), AuditKind::kDecision, "steerd", "login",
                                "failover a -> b (down)",
                                "a down; a down since 2026-11-01T09:59:41.000Z", true}));
  ASSERT_TRUE((*store)->Append({0, At(10 * 60) + std::chrono::milliseconds(2500),
                                AuditKind::kNotice, "steerd", "login",
                                "verified b on every nameserver", "propagated in 2400 ms", true}));
  store->reset();
  ASSERT_EQ(Run({"uptime", "--state", dir_, "--month", "2026-11", "--csv"}), kExitOk) << err_;
  EXPECT_NE(out_.find("login/a,57,0,100.0000,0,1,3\n"), std::string::npos) << out_;
  ASSERT_EQ(Run({"uptime", "--state", dir_, "--month", "2026-11"}), kExitOk) << err_;
  EXPECT_NE(out_.find("Failovers: 1\n  time to detect: p50 20.000 s, max 20.000 s"),
            std::string::npos)
      << out_;
  EXPECT_NE(out_.find("time to fail over: p50 2.500 s, max 2.500 s"), std::string::npos) << out_;
  EXPECT_NE(out_.find("  login: a 60 b "), std::string::npos) << out_;
  EXPECT_NE(out_.find("Maintenance windows (not counted in availability): 1\n"
                      "  2026-11-01T10:01:00.000Z to 2026-11-01T10:04:00.000Z  login  DB upgrade"),
            std::string::npos)
      << out_;
}

TEST_F(ReportCliTest, BadInputIsAClearError) {
  Record();
  EXPECT_EQ(Run({"uptime", "--state", dir_, "--service", "nope"}), kExitFailed);
  EXPECT_EQ(err_, "steerctl report: no uptime history of service nope\n");
  EXPECT_EQ(Run({"uptime", "--state", dir_ + "/missing"}), kExitFailed);
  EXPECT_NE(err_.find("state.db does not exist"), std::string::npos) << err_;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/missing"));  // nothing created
  EXPECT_EQ(Run({"uptime", "--state", dir_, "--from", "2026-11-02", "--to", "2026-11-01"}),
            kExitUsage);
  EXPECT_NE(err_.find("the range ends (2026-11-01) before it starts (2026-11-02)"),
            std::string::npos)
      << err_;
  EXPECT_EQ(Run({"uptime", "--state", dir_, "--month", "2026-11", "--from", "2026-11-01"}),
            kExitUsage);
  EXPECT_EQ(Run({"downtime", "--state", dir_}), kExitUsage);
}

}  // namespace
}  // namespace steer::agent::cli
