// Two steerd agents in etcd mode, each the authoritative server of the zone (provider type
// embedded, issue 16): the leader decides, and the follower's own server answers the
// leader's decision too (read from the shared state), so both servers answer the same.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "daemon.h"
#include "etcd/test_etcd_fixture.h"
#include "steer/testsupport/dig.h"
#include "steer/testsupport/process.h"
#include "testing/http_listener.h"

namespace steer::agent::etcd {
namespace {

using std::chrono::milliseconds;
using testsupport::WaitUntil;

std::string DigShort(uint16_t port) { return testsupport::Dig(port, "+short login.demo.test A"); }

class DaemonEmbeddedEtcdTest : public testing::SharedEtcdTest {
 protected:
  void SetUp() override {
    testing::SharedEtcdTest::SetUp();
    char tmpl[] = "/tmp/steer-embedded-etcd-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/demo.zone")
        << "$ORIGIN demo.test.\n$TTL 300\n"
           "@ IN SOA ns1.demo.test. hostmaster.demo.test. 1 3600 600 86400 300\n"
           "@ IN NS ns1.demo.test.\nns1 IN A 127.0.0.1\n"
           "login 30 IN A 198.51.100.10\n";  // region a, served until a decision
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Agent `vantage`'s policy: region a a closed port (down), region b a listener.
  std::string WritePolicy(const std::string& vantage, uint16_t dns_port) {
    auto probe = [](const std::string& url) {
      return "{name: h, type: http, url: \"" + url +
             "\", interval: 100ms, timeout: 80ms, healthy_threshold: 1}";
    };
    std::filesystem::create_directories(dir_ + "/" + vantage);
    std::string path = dir_ + "/" + vantage + ".yaml";
    std::ofstream(path) << "version: 1\nagent: {vantage: " << vantage
                        << ", tick: 50ms}\ncoordination:\n  mode: etcd\n  etcd:\n    endpoints: ["
                        << server_->endpoint() << "]\n    prefix: " << prefix_
                        << "\n    lease_ttl: 2s\nproviders:\n  edge: {type: embedded, listen: "
                           "[\"127.0.0.1:"
                        << dns_port << "\"], zone_file: " << dir_
                        << "/demo.zone, origin: demo.test.}\nregions:\n  a: {components: {app: "
                           "{probes: ["
                        << probe("http://127.0.0.1:1/healthz")
                        << "]}}}\n  b: {components: {app: {probes: [" << probe(b_.url("/healthz"))
                        << "]}}}\nservices:\n  login:\n    dns_name: login.demo.test.\n"
                           "    zone: demo.test.\n    provider: edge\n    ttl: 30\n"
                           "    quorum: 1\n    regions:\n"
                           "      - {region: a, answers: [198.51.100.10]}\n"
                           "      - {region: b, answers: [198.51.100.20]}\n";
    return path;
  }

  std::unique_ptr<Daemon> Start(const std::string& vantage, uint16_t dns_port) {
    auto d =
        Daemon::Start({WritePolicy(vantage, dns_port), dir_ + "/" + vantage, "127.0.0.1:0", ""});
    EXPECT_TRUE(d) << (d ? "" : d.error().message);
    return d ? std::move(*d) : nullptr;
  }

  std::string dir_;
  agent::testing::HttpListener b_;
};

TEST_F(DaemonEmbeddedEtcdTest, EveryAgentsServerAnswersTheLeadersDecision) {
  uint16_t port1 = testsupport::FreePort();
  uint16_t port2 = testsupport::FreePort();
  ASSERT_NE(port1, port2);
  auto first = Start("v1", port1);
  ASSERT_NE(first, nullptr);
  auto second = Start("v2", port2);
  ASSERT_NE(second, nullptr);
  // Region a is down from the start: the leader moves login to b. The follower never decides,
  // yet its server must answer b as well (before: the zone file's a, for ever).
  const std::string b = "198.51.100.20\n";
  EXPECT_TRUE(WaitUntil([&] { return DigShort(port1) == b; }, milliseconds(15000)))
      << "v1 answers " << DigShort(port1);
  EXPECT_TRUE(WaitUntil([&] { return DigShort(port2) == b; }, milliseconds(15000)))
      << "v2 answers " << DigShort(port2);
}

}  // namespace
}  // namespace steer::agent::etcd
