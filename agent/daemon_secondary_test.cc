// issue 16's end-to-end failover with a secondary: steerd serves example.test. itself
// (provider type embedded) and a real BIND secondary transfers it with TSIG. Cutting region
// a makes steerd fail over; its own server and the secondary (told by NOTIFY) both answer b,
// and steerd verifies the change on both (they are the service's nameservers).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "daemon.h"
#include "steer/testsupport/dig.h"
#include "steer/testsupport/named_server.h"
#include "steer/testsupport/pdns_server.h"  // RandomSecret
#include "steer/testsupport/process.h"
#include "testing/http_listener.h"

namespace steer::agent {
namespace {

using std::chrono::milliseconds;
using testsupport::WaitUntil;

std::string DigShort(uint16_t port) {
  return testsupport::Dig(port, "+short login.example.test A");
}

std::string Probe(const std::string& url) {
  return "{name: h, type: http, url: \"" + url +
         "\", interval: 100ms, timeout: 80ms, healthy_threshold: 1, unhealthy_threshold: 2}";
}

TEST(DaemonSecondary, FailoverIsAnsweredByTheEmbeddedServerAndItsBindSecondary) {
  testsupport::TempDir dir("steer-daemon-secondary");
  const std::string secret = testsupport::RandomSecret();
  dir.Write("xfr.key", secret + "\n");
  dir.Write("example.test.zone",
            "$TTL 30\n$ORIGIN example.test.\n@ IN SOA ns1 hostmaster 1 60 60 600 30\n"
            "@ IN NS ns1\nns1 IN A 127.0.0.1\nlogin IN A 198.51.100.10\n");
  uint16_t dns_port = testsupport::FreePort(), named_port = testsupport::FreePort();
  ASSERT_NE(dns_port, named_port);
  auto a = std::make_unique<testing::HttpListener>();
  testing::HttpListener b;
  std::ofstream(dir.File("policy.yaml"))
      << "version: 1\nagent: {vantage: test, tick: 50ms}\ncoordination: {mode: local}\n"
      << "providers:\n  edge:\n    type: embedded\n    listen: [\"127.0.0.1:" << dns_port
      << "\"]\n    zone_file: " << dir.File("example.test.zone")
      << "\n    origin: example.test.\n    secondaries: [\"127.0.0.1:" << named_port
      << "\"]\n    transfer: {allow: [127.0.0.0/8], tsig_key_name: steer-key, tsig_secret: "
         "\"file:"
      << dir.File("xfr.key") << "\"}\nregions:\n  a: {components: {app: {probes: ["
      << Probe(a->url("/healthz")) << "]}}}\n  b: {components: {app: {probes: ["
      << Probe(b.url("/healthz")) << "]}}}\n"
      << "services:\n  login:\n    dns_name: login.example.test.\n    zone: example.test.\n"
         "    provider: edge\n    ttl: 30\n    propagation_timeout: 10s\n"
         "    block_after_failover: 0ms\n    nameservers: [\"127.0.0.1:"
      << dns_port << "\", \"127.0.0.1:" << named_port << "\"]\n    regions:\n"
      << "      - {region: a, answers: [198.51.100.10]}\n"
         "      - {region: b, answers: [198.51.100.20]}\n";
  std::filesystem::create_directories(dir.File("state"));
  auto daemon = Daemon::Start({dir.File("policy.yaml"), dir.File("state"), "127.0.0.1:0", ""});
  ASSERT_TRUE(daemon) << daemon.error().message;
  testsupport::NamedOptions n;
  n.port = named_port;
  n.primary_port = dns_port;
  n.primary_tsig = true;
  n.tsig_secret = secret;
  testsupport::NamedServer named(n);
  const std::string on_a = "198.51.100.10\n", on_b = "198.51.100.20\n";
  ASSERT_TRUE(WaitUntil([&] { return DigShort(named_port) == on_a; }, milliseconds(15000)))
      << "the secondary never transferred the zone: " << DigShort(named_port) << named.Log();

  a.reset();  // region a cut off: connection refused
  auto cut = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitUntil([&] { return DigShort(dns_port) == on_b; }, milliseconds(10000)))
      << "steerd answers " << DigShort(dns_port);
  EXPECT_TRUE(WaitUntil([&] { return DigShort(named_port) == on_b; }, milliseconds(10000)))
      << "the secondary answers " << DigShort(named_port) << named.Log();
  auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - cut);
  std::printf("cut -> both servers answer b: %lld ms\n", static_cast<long long>(took.count()));
}

}  // namespace
}  // namespace steer::agent
