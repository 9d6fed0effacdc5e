// steerd's public status listener, in process: a real Daemon (zone file provider; region a is
// a closed port, region b a loopback listener) fails over from a to b, and the page read over
// HTTP from status.listen shows the incident, the service served from its standby and region
// a down; the operator API is not reachable there, and no probe URL or address is shown. The
// same failover reaches the files of status.export_dir.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "daemon.h"
#include "state_store.h"
#include "status/status_db.h"
#include "status/uptime_store.h"
#include "steer/base/clock.h"
#include "steer/base/http_client.h"
#include "steer/testsupport/process.h"
#include "testing/http_listener.h"

namespace steer::agent {
namespace {

base::HttpResponse Get(const std::string& address, const std::string& path) {
  base::HttpRequest r;
  r.url = "http://" + address + path;
  auto got = base::SendHttp(r);
  EXPECT_TRUE(got.has_value()) << (got ? "" : got.error().message);
  return got ? *got : base::HttpResponse{};
}

// A policy (zone file provider) whose region a is down and b up, with `status` as its status
// section, in a new temporary directory.
std::string WriteFailoverPolicy(const testing::HttpListener& b, const std::string& status) {
  char tmpl[] = "/tmp/steer-daemon-status-XXXXXX";
  EXPECT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::filesystem::create_directories(dir + "/state");
  std::ofstream(dir + "/demo.zone")
      << "$ORIGIN demo.test.\n$TTL 300\n"
         "@ IN SOA ns1.demo.test. hostmaster.demo.test. 1 3600 600 86400 300\n"
         "@ IN NS ns1.demo.test.\nns1 IN A 127.0.0.1\nlogin 30 IN A 198.51.100.10\n";
  auto probe = [](const std::string& url) {
    return "{name: h, type: http, url: \"" + url +
           "\", interval: 100ms, timeout: 80ms, healthy_threshold: 1}";
  };
  std::ofstream(dir + "/policy.yaml")
      << "version: 1\nagent: {vantage: test, tick: 50ms}\ncoordination: {mode: local}\n"
         "providers:\n  zone: {type: zonefile, path: " +
             dir +
             "/demo.zone, origin: demo.test.}\n"
             "regions:\n"
             "  a: {components: {app: {probes: [" +
             probe("http://127.0.0.1:1/healthz") + "]}}}\n  b: {components: {app: {probes: [" +
             probe(b.url("/healthz")) +
             "]}}}\n"
             "services:\n  login:\n    dns_name: login.demo.test.\n    zone: demo.test.\n"
             "    provider: zone\n    nameservers: [\"127.0.0.1:1\"]\n    regions:\n"
             "      - {region: a, answers: [198.51.100.10]}\n"
             "      - {region: b, answers: [198.51.100.20]}\n" +
             status;
  return dir;
}

TEST(DaemonStatusPage, FailoverShowsOnThePublicListener) {
  testing::HttpListener b;
  std::string dir = WriteFailoverPolicy(
      b, "status:\n  title: Demo status\n  listen: 127.0.0.1:0\n  regions: [a, b]\n");
  auto daemon = Daemon::Start({dir + "/policy.yaml", dir + "/state", "127.0.0.1:0", ""});
  ASSERT_TRUE(daemon) << daemon.error().message;
  const std::string page = (*daemon)->status_address();
  ASSERT_FALSE(page.empty());
  ASSERT_NE(page, (*daemon)->api_address());
  nlohmann::json incidents;
  for (int i = 0; i < 100; ++i) {  // the failover lands within a second or so
    incidents = nlohmann::json::parse(Get(page, "/api/v2/incidents.json").body, nullptr, false);
    if (incidents.is_object() && !incidents["incidents"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(incidents.is_object());
  ASSERT_EQ(incidents["incidents"].size(), 1u) << incidents.dump();
  const auto& inc = incidents["incidents"][0];
  EXPECT_EQ(inc["name"], "login: failover away from a");
  EXPECT_EQ(inc["incident_updates"][0]["body"],
            "a was judged down by 1/1 vantage points (app failed); login now answers from b.");
  // Rendered together with incidents.json (one cached snapshot): the failover's state.
  auto summary = Get(page, "/api/v2/summary.json");
  ASSERT_EQ(summary.status, 200);
  auto j = nlohmann::json::parse(summary.body);
  EXPECT_EQ(j["page"]["name"], "Demo status");
  ASSERT_EQ(j["components"].size(), 3u) << summary.body;
  EXPECT_EQ(j["components"][0]["status"], "degraded_performance");  // served from b
  EXPECT_EQ(j["components"][1]["name"], "login in a");
  EXPECT_EQ(j["components"][1]["status"], "major_outage");
  EXPECT_EQ(j["components"][2]["status"], "operational");
  std::string html = Get(page, "/").body;
  EXPECT_NE(html.find("Demo status"), std::string::npos);
  for (const std::string& secret :
       {std::string("127.0.0.1"), std::string("healthz"), std::string("198.51.100"), b.url("/")}) {
    EXPECT_EQ(html.find(secret), std::string::npos) << secret;
    EXPECT_EQ(summary.body.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(Get(page, "/v1/status").status, 404);  // the operator API is elsewhere
  daemon->reset();
  // The failover's audit record says since when a was judged down: steerctl report uptime's
  // time to detect.
  auto store = StateStore::Open(dir + "/state");
  ASSERT_TRUE(store.has_value());
  auto log = (*store)->History({"login", 0, 100});
  ASSERT_TRUE(log.has_value());
  bool found = false;
  for (const auto& e : *log) {
    if (e.kind == AuditKind::kDecision && e.what == "failover a -> b (down)") {
      found = true;
      EXPECT_NE(e.why.find("; a down since 20"), std::string::npos) << e.why;
    }
  }
  EXPECT_TRUE(found);
  store->reset();
  // Uptime history per component too (flushed when the daemon stopped): a's app was down in
  // every sample, b's up.
  auto db = status::StatusDb::Open(dir + "/state");
  ASSERT_TRUE(db.has_value());
  base::SystemClock clock;
  status::UptimeStore uptime(**db, clock, {});
  auto series = uptime.Series();
  ASSERT_TRUE(series.has_value());
  EXPECT_EQ(*series, (std::vector<std::string>{"login", "login/a", "login/a/app", "login/b",
                                               "login/b/app"}));
  auto rows = [&](const std::string& s) {
    status::UptimeBucket sum;
    auto buckets = uptime.Buckets(s, 0, INT64_MAX);
    EXPECT_TRUE(buckets.has_value());
    for (const auto& bucket : buckets.value_or(std::vector<status::UptimeBucket>{})) {
      sum.good += bucket.good;
      sum.bad += bucket.bad;
    }
    return sum;
  };
  EXPECT_GT(rows("login/a/app").bad, 0);
  EXPECT_EQ(rows("login/a/app").good, 0);
  EXPECT_GT(rows("login/b/app").good, 0);
  EXPECT_EQ(rows("login/b/app").bad, 0);
  std::filesystem::remove_all(dir);
}

// status.export_dir without a listener: the static copy follows the failover.
TEST(DaemonStatusPage, ExportDirFollowsTheFailover) {
  testing::HttpListener b;
  std::string dir = WriteFailoverPolicy(b, "");
  {
    std::ofstream policy(dir + "/policy.yaml", std::ios::app);
    policy << "status:\n  title: Demo status\n  export_dir: " << dir << "/site\n";
  }
  auto daemon = Daemon::Start({dir + "/policy.yaml", dir + "/state", "127.0.0.1:0", ""});
  ASSERT_TRUE(daemon) << daemon.error().message;
  EXPECT_TRUE((*daemon)->status_address().empty());  // no listener
  nlohmann::json incidents;
  for (int i = 0; i < 150; ++i) {  // written at start, then checked every 5 s
    incidents = nlohmann::json::parse(testsupport::ReadFile(dir + "/site/api/v2/incidents.json"),
                                      nullptr, false);
    if (incidents.is_object() && !incidents["incidents"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(incidents.is_object());
  ASSERT_EQ(incidents["incidents"].size(), 1u) << incidents.dump();
  // status.regions is not set here: region names stay off the page.
  EXPECT_EQ(incidents["incidents"][0]["name"], "login: failover away from the primary region");
  EXPECT_NE(testsupport::ReadFile(dir + "/site/index.html").find("Demo status"), std::string::npos);
  daemon->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace steer::agent
