// steerd serving its zone itself (provider type embedded, issue 16): a real Daemon in
// process, region a a closed port, region b a loopback listener. steerd fails over to b and
// its own DNS server answers b, asked by dig; the propagation check verifies the listen
// address (no `nameservers` needed), so the change is recorded as verified.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "daemon.h"
#include "steer/testsupport/process.h"
#include "testing/http_listener.h"

namespace steer::agent {
namespace {

std::string Dig(uint16_t port, const std::string& args) {
  std::string command =
      "dig @127.0.0.1 -p " + std::to_string(port) + " +norec +time=1 +tries=1 " + args + " 2>&1";
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return "";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST(DaemonEmbeddedDns, FailoverIsAnsweredByTheEmbeddedServer) {
  char tmpl[] = "/tmp/steer-daemon-embedded-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::filesystem::create_directories(dir + "/state");
  std::ofstream(dir + "/demo.zone")
      << "$ORIGIN demo.test.\n$TTL 300\n"
         "@ IN SOA ns1.demo.test. hostmaster.demo.test. 1 3600 600 86400 300\n"
         "@ IN NS ns1.demo.test.\nns1 IN A 127.0.0.1\n"
         "login 30 IN A 198.51.100.10\n";  // served until the first decision
  uint16_t port = testsupport::FreePort();
  testing::HttpListener b;
  auto probe = [](const std::string& url) {
    return "{name: h, type: http, url: \"" + url +
           "\", interval: 100ms, timeout: 80ms, healthy_threshold: 1}";
  };
  std::ofstream(dir + "/policy.yaml")
      << "version: 1\nagent: {vantage: test, tick: 50ms}\ncoordination: {mode: local}\n"
         "providers:\n  edge: {type: embedded, listen: [\"127.0.0.1:" +
             std::to_string(port) + "\"], zone_file: " + dir +
             "/demo.zone, origin: demo.test.}\n"
             "regions:\n"
             "  a: {components: {app: {probes: [" +
             probe("http://127.0.0.1:1/healthz") + "]}}}\n  b: {components: {app: {probes: [" +
             probe(b.url("/healthz")) +
             "]}}}\n"
             "services:\n  login:\n    dns_name: login.demo.test.\n    zone: demo.test.\n"
             "    provider: edge\n    ttl: 30\n    propagation_timeout: 5s\n    regions:\n"
             "      - {region: a, answers: [198.51.100.10]}\n"
             "      - {region: b, answers: [198.51.100.20, 198.51.100.21]}\n";
  DaemonOptions o{dir + "/policy.yaml", dir + "/state", "127.0.0.1:0", ""};
  auto daemon = Daemon::Start(o);
  ASSERT_TRUE(daemon) << daemon.error().message;
  std::string answer;  // the zone file's 198.51.100.10 until the failover, within ms
  bool moved = false;
  for (int i = 0; i < 100 && !moved; ++i) {
    answer = Dig(port, "+short login.demo.test A");
    moved =
        answer == "198.51.100.20\n198.51.100.21\n" || answer == "198.51.100.21\n198.51.100.20\n";
    if (!moved) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(moved) << answer;
  std::string full = Dig(port, "login.demo.test A");
  EXPECT_NE(full.find(" aa"), std::string::npos) << full;
  std::string soa = Dig(port, "+short demo.test SOA");
  EXPECT_EQ(soa.find(" 1 3600 600 86400 300"), std::string::npos) << soa;  // serial bumped
  daemon->reset();
  // The sockets close with the daemon.
  EXPECT_EQ(Dig(port, "+short login.demo.test A").find("198.51.100"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace steer::agent
