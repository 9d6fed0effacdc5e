// The status page with several agents (coordination: etcd): the follower's public page shows the
// leader's incident, and when the leader stops, the new leader continues that incident (same
// id, its timeline kept) and resolves it after the failback. Two real steerd, real etcd, the
// embedded DNS provider (no other server to start).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "daemon.h"
#include "etcd/test_etcd_fixture.h"
#include "steer/base/http_client.h"
#include "steer/testsupport/process.h"
#include "testing/http_listener.h"

namespace steer::agent::etcd {
namespace {

using std::chrono::milliseconds;
using testsupport::WaitUntil;

nlohmann::json Incidents(const std::string& address) {
  base::HttpRequest r;
  r.url = "http://" + address + "/api/v2/incidents.json";
  auto got = base::SendHttp(r);
  if (!got || got->status != 200) return nlohmann::json();
  auto j = nlohmann::json::parse(got->body, nullptr, false);
  return j.is_object() ? j["incidents"] : nlohmann::json();
}

class DaemonStatusEtcdTest : public testing::SharedEtcdTest {
 protected:
  void SetUp() override {
    testing::SharedEtcdTest::SetUp();
    std::ofstream(dir_.File("demo.zone"))
        << "$ORIGIN demo.test.\n$TTL 300\n"
           "@ IN SOA ns1.demo.test. hostmaster.demo.test. 1 3600 600 86400 300\n"
           "@ IN NS ns1.demo.test.\nns1 IN A 127.0.0.1\nlogin 30 IN A 198.51.100.10\n";
  }

  std::string WritePolicy(const std::string& vantage) {
    auto probe = [](const std::string& url) {
      return "{name: h, type: http, url: \"" + url +
             "\", interval: 100ms, timeout: 80ms, healthy_threshold: 1}";
    };
    std::filesystem::create_directories(dir_.File(vantage));
    std::ofstream(dir_.File(vantage + ".yaml"))
        << "version: 1\nagent: {vantage: " << vantage
        << ", tick: 50ms}\ncoordination:\n  mode: etcd\n  etcd:\n    endpoints: ["
        << server_->endpoint() << "]\n    prefix: " << prefix_
        << "\n    lease_ttl: 2s\nproviders:\n  edge: {type: embedded, listen: [\"127.0.0.1:"
        << testsupport::FreePort() << "\"], zone_file: " << dir_.File("demo.zone")
        << ", origin: demo.test.}\nregions:\n  a: {components: {app: {probes: ["
        << probe("http://127.0.0.1:" + std::to_string(a_port_) + "/healthz")
        << "]}}}\n  b: {components: {app: {probes: [" << probe(b_.url("/healthz"))
        << "]}}}\nservices:\n  login:\n    dns_name: login.demo.test.\n"
           "    zone: demo.test.\n    provider: edge\n    ttl: 30\n    quorum: 1\n"
           "    min_change_interval: 0ms\n    block_after_failover: 0ms\n"
           "    failback: auto\n    failback_after: 1s\n    regions:\n"
           "      - {region: a, answers: [198.51.100.10]}\n"
           "      - {region: b, answers: [198.51.100.20]}\n"
           "status:\n  listen: 127.0.0.1:0\n  regions: [a, b]\n  resolve_after: 10s\n";
    return dir_.File(vantage + ".yaml");
  }

  std::unique_ptr<Daemon> Start(const std::string& vantage) {
    auto d = Daemon::Start({WritePolicy(vantage), dir_.File(vantage), "127.0.0.1:0", ""});
    EXPECT_TRUE(d) << (d ? "" : d.error().message);
    return d ? std::move(*d) : nullptr;
  }

  testsupport::TempDir dir_{"steer-status-etcd"};
  std::unique_ptr<agent::testing::HttpListener> a_ =
      std::make_unique<agent::testing::HttpListener>(std::vector<int>{503});
  int a_port_ = a_->port();
  agent::testing::HttpListener b_;
};

TEST_F(DaemonStatusEtcdTest, EveryAgentShowsTheLeadersIncidentAndANewLeaderResolvesIt) {
  // Region a answers 503 from the start: v1, alone and so the leader, fails over to b and
  // opens an incident.
  auto first = Start("v1");
  ASSERT_NE(first, nullptr);
  const std::string page1 = first->status_address();
  ASSERT_TRUE(WaitUntil([&] { return Incidents(page1).size() == 1; }, milliseconds(20000)));
  // v2 follows; its page shows the leader's incident (before: none, a follower recorded none).
  auto second = Start("v2");
  ASSERT_NE(second, nullptr);
  const std::string page2 = second->status_address();
  nlohmann::json seen;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto one = Incidents(page1), two = Incidents(page2);
        seen = two;
        return one.size() == 1 && two.size() == 1 && one[0]["id"] == two[0]["id"];
      },
      milliseconds(20000)))
      << "v1: " << Incidents(page1).dump() << "\nv2: " << seen.dump();
  EXPECT_EQ(seen[0]["name"], "login: failover away from a");
  EXPECT_EQ(seen[0]["status"], "identified");
  const auto id = seen[0]["id"];
  // The leader stops; v2 leads, region a comes back on its port, login
  // fails back and 10 s later the same incident resolves on v2's page.
  first.reset();
  a_.reset();
  a_ = std::make_unique<agent::testing::HttpListener>(std::vector<int>{200}, a_port_);
  ASSERT_TRUE(WaitUntil(
      [&] {
        seen = Incidents(page2);
        return seen.size() == 1 && seen[0]["status"] == "resolved";
      },
      milliseconds(40000)))
      << seen.dump();
  EXPECT_EQ(seen[0]["id"], id);
  // Newest first: resolved, monitoring (the failback and its DNS change verified), and the
  // first leader's identified update (the failover, and its verification) at the end.
  std::vector<std::string> story;
  for (const auto& u : seen[0]["incident_updates"]) story.push_back(u["status"]);
  ASSERT_GE(story.size(), 3u) << seen.dump();
  EXPECT_EQ(story.front(), "resolved");
  EXPECT_EQ(story.back(), "identified");
  EXPECT_NE(std::find(story.begin(), story.end(), "monitoring"), story.end());
  const std::string oldest = seen[0]["incident_updates"].back()["body"];
  EXPECT_EQ(oldest,
            "a was judged down by 1/1 vantage points (app failed); login now answers from b.");
}

}  // namespace
}  // namespace steer::agent::etcd
