// steerd fails over in a small zone: two addresses per region touch 4 of the zone's 12
// records (a third), which a share-of-zone change guard (SafeWriter had one; removed) would
// refuse; steerd writes only the policy's declared answer sets, so the failover must happen. In
// process: a real Daemon with the zone file provider; region a is a closed port, region b a
// loopback listener.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "daemon.h"
#include "steer/testsupport/process.h"
#include "testing/http_listener.h"

namespace steer::agent {
namespace {

TEST(DaemonSmallZone, FailoverTouchingAThirdOfTheZoneIsWritten) {
  char tmpl[] = "/tmp/steer-daemon-guard-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::filesystem::create_directories(dir + "/state");
  std::string zone =
      "$ORIGIN demo.test.\n$TTL 300\n"
      "@ IN SOA ns1.demo.test. hostmaster.demo.test. 1 3600 600 86400 300\n"
      "@ IN NS ns1.demo.test.\nns1 IN A 127.0.0.1\n";
  for (int i = 0; i < 7; ++i) zone += "h" + std::to_string(i) + " IN A 127.0.1.1\n";
  zone += "login 30 IN A 198.51.100.10\nlogin 30 IN A 198.51.100.11\n";  // 12 records
  std::ofstream(dir + "/demo.zone") << zone;
  testing::HttpListener b;
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
             probe("http://127.0.0.1:1/healthz") +
             "]}}}\n"
             "  b: {components: {app: {probes: [" +
             probe(b.url("/healthz")) +
             "]}}}\n"
             "services:\n  login:\n    dns_name: login.demo.test.\n    zone: demo.test.\n"
             "    provider: zone\n    ttl: 30\n    nameservers: [\"127.0.0.1:1\"]\n"
             "    regions:\n"
             "      - {region: a, answers: [198.51.100.10, 198.51.100.11]}\n"
             "      - {region: b, answers: [198.51.100.20, 198.51.100.21]}\n";
  DaemonOptions o{dir + "/policy.yaml", dir + "/state", "127.0.0.1:0", ""};
  auto daemon = Daemon::Start(o);
  ASSERT_TRUE(daemon) << daemon.error().message;
  // The write lands within a second or so (3 failed probes, then the zone file); the
  // propagation check that follows fails (no server on 127.0.0.1:1) and is not looked at.
  bool moved = false;
  for (int i = 0; i < 100 && !moved; ++i) {
    std::string now = testsupport::ReadFile(dir + "/demo.zone");
    moved = now.find("198.51.100.20") != std::string::npos &&
            now.find("198.51.100.21") != std::string::npos &&
            now.find("198.51.100.10") == std::string::npos;
    if (!moved) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(moved) << testsupport::ReadFile(dir + "/demo.zone");
  daemon->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace steer::agent
