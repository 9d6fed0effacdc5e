// steerd serving its zone itself (provider type embedded, issue 16): a real Daemon in
// process, region a a closed port, region b a loopback listener. steerd fails over to b and
// its own DNS server answers b, asked by dig; the propagation check verifies the listen
// address (no `nameservers` needed), so the change is recorded as verified.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "daemon.h"
#include "steer/base/inherited_sockets.h"
#include "steer/testsupport/dig.h"
#include "steer/testsupport/process.h"
#include "testing/http_listener.h"

namespace steer::agent {
namespace {

using testsupport::Dig;

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

// A socket bound to 127.0.0.1:port (listening when TCP), as a socket unit passes it.
int Bound(int type, uint16_t port) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << port;
  if (type == SOCK_STREAM) {
    EXPECT_EQ(listen(fd, 16), 0);
  }
  return fd;
}

// Socket activation (steerd.socket and steerd-dns.socket): the API and the embedded DNS
// server serve the passed sockets, each taken by its address; a passed socket that no
// listener serves stops steerd at start.
TEST(DaemonEmbeddedDns, ServesThePassedApiAndDnsSockets) {
  char tmpl[] = "/tmp/steer-daemon-sockets-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::filesystem::create_directories(dir + "/state");
  std::ofstream(dir + "/demo.zone")
      << "$ORIGIN demo.test.\n$TTL 300\n"
         "@ IN SOA ns1.demo.test. hostmaster.demo.test. 1 3600 600 86400 300\n"
         "@ IN NS ns1.demo.test.\nns1 IN A 127.0.0.1\nlogin 30 IN A 198.51.100.10\n";
  uint16_t api_port = testsupport::FreePort(), dns_port = testsupport::FreePort();
  std::ofstream(dir + "/policy.yaml")
      << "version: 1\nagent: {vantage: test, tick: 50ms, listen: \"127.0.0.1:" +
             std::to_string(api_port) +
             "\"}\ncoordination: {mode: local}\n"
             "providers:\n  edge: {type: embedded, listen: [\"127.0.0.1:" +
             std::to_string(dns_port) + "\"], zone_file: " + dir +
             "/demo.zone, origin: demo.test.}\n"
             "regions:\n  a: {components: {app: {probes: [{name: h, type: tcp, address: "
             "\"127.0.0.1:1\", interval: 1s, timeout: 500ms}]}}}\n"
             "services:\n  login:\n    dns_name: login.demo.test.\n    zone: demo.test.\n"
             "    provider: edge\n    regions:\n      - {region: a, answers: [198.51.100.10]}\n";
  int api = Bound(SOCK_STREAM, api_port), tcp = Bound(SOCK_STREAM, dns_port);
  int udp = Bound(SOCK_DGRAM, dns_port);
  base::AdoptSockets({dup(api), dup(udp), dup(tcp)});
  DaemonOptions o{dir + "/policy.yaml", dir + "/state", "", ""};
  auto daemon = Daemon::Start(o);
  ASSERT_TRUE(daemon) << daemon.error().message;
  EXPECT_EQ((*daemon)->api_address(), "127.0.0.1:" + std::to_string(api_port));
  EXPECT_EQ(Dig(dns_port, "+short login.demo.test A"), "198.51.100.10\n");
  EXPECT_NE(Dig(dns_port, "+tcp +short login.demo.test A").find("198.51.100.10"),
            std::string::npos);
  daemon->reset();

  uint16_t stray_port = testsupport::FreePort();
  int stray = Bound(SOCK_DGRAM, stray_port);
  base::AdoptSockets({dup(api), dup(udp), dup(tcp), dup(stray)});
  auto refused = Daemon::Start(o);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no listener serves the passed socket(s) udp 127.0.0.1:" +
                                         std::to_string(stray_port)),
            std::string::npos)
      << refused.error().message;
  for (int fd : {api, tcp, udp, stray}) close(fd);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace steer::agent
