// steerd stopping (SIGTERM ends in ~Daemon) resigns its etcd leadership: another agent leads
// within its campaign period, long before the stopped leader's lease (10 s here) would expire.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daemon.h"
#include "etcd/test_etcd_fixture.h"
#include "testing/http_listener.h"

namespace steer::agent::etcd {
namespace {

using std::chrono::milliseconds;
using testsupport::WaitUntil;

class DaemonResignTest : public testing::SharedEtcdTest {
 protected:
  void SetUp() override {
    testing::SharedEtcdTest::SetUp();
    char tmpl[] = "/tmp/steer-resign-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/state");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // steerd's policy in etcd mode with a 10 s lease; no DNS server answers on 127.0.0.1:1.
  std::string WritePolicy() {
    std::string probe = R"({name: http, type: http, url: ")" + region_.url("/healthz") +
                        R"(", interval: 100ms, timeout: 80ms, healthy_threshold: 1})";
    std::string path = dir_ + "/policy.yaml";
    std::ofstream(path) << "version: 1\nagent:\n  vantage: daemon\n  tick: 50ms\n"
                           "coordination:\n  mode: etcd\n  etcd:\n    endpoints: ["
                        << server_->endpoint() << "]\n    prefix: " << prefix_
                        << "\n    lease_ttl: 10s\nproviders:\n  zone:\n    type: zonefile\n"
                           "    path: "
                        << dir_
                        << "/demo.zone\n    origin: demo.test.\nregions:\n"
                           "  a:\n    components:\n      app:\n        probes:\n          - "
                        << probe
                        << "\nservices:\n  login:\n    dns_name: login.demo.test.\n"
                           "    zone: demo.test.\n    provider: zone\n"
                           "    nameservers: [\"127.0.0.1:1\"]\n    regions:\n"
                           "      - {region: a, answers: [198.51.100.10]}\n";
    return path;
  }

  std::string dir_;
  agent::testing::HttpListener region_;
};

TEST_F(DaemonResignTest, StoppingTheLeaderHandsLeadershipOverAtOnce) {
  DaemonOptions o;
  o.config_path = WritePolicy();
  o.state_dir = dir_ + "/state";
  o.listen = "127.0.0.1:0";
  auto daemon = Daemon::Start(o);
  ASSERT_TRUE(daemon) << daemon.error().message;
  auto other = testing::StartAgent(server_->endpoint(), prefix_, "other");
  ASSERT_TRUE(WaitUntil([&] { return other->Now().leader == "daemon"; }, milliseconds(10000)))
      << "the daemon, started first, leads";
  daemon->reset();  // what SIGTERM does
  auto stopped = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitUntil([&] { return other->Leads(); }, milliseconds(15000)));
  auto took = std::chrono::steady_clock::now() - stopped;
  EXPECT_LT(took, std::chrono::seconds(4)) << "took over only when the 10 s lease expired";
}

}  // namespace
}  // namespace steer::agent::etcd
