#include "steer/probes/target.h"

#include <gtest/gtest.h>

namespace steer::probes {
namespace {

TEST(TargetFromUrl, EachScheme) {
  auto http = TargetFromUrl("https://svc.test:8443/healthz");
  ASSERT_TRUE(http.has_value());
  EXPECT_EQ(http->probe.type, config::ProbeType::kHttp);
  EXPECT_EQ(http->probe.url, "https://svc.test:8443/healthz");

  auto tcp = TargetFromUrl("tcp://127.0.0.1:6379");
  ASSERT_TRUE(tcp.has_value());
  EXPECT_EQ(tcp->probe.type, config::ProbeType::kTcp);
  EXPECT_EQ(tcp->probe.address, "127.0.0.1:6379");

  auto tls = TargetFromUrl("tls://svc.test:443/");
  ASSERT_TRUE(tls.has_value());
  EXPECT_EQ(tls->probe.type, config::ProbeType::kTls);
  EXPECT_EQ(tls->probe.address, "svc.test:443");

  auto dns = TargetFromUrl("dns://127.0.0.1:5353/www.example.test?type=AAAA");
  ASSERT_TRUE(dns.has_value());
  EXPECT_EQ(dns->probe.type, config::ProbeType::kDns);
  EXPECT_EQ(dns->probe.address, "127.0.0.1:5353");
  EXPECT_EQ(dns->probe.query_name, "www.example.test");
  EXPECT_EQ(dns->probe.query_type, "AAAA");
  EXPECT_EQ(TargetFromUrl("dns://127.0.0.1/a.test")->probe.query_type, "A");
}

TEST(TargetFromUrl, RejectsMalformed) {
  for (const char* bad : {"svc.test", "ftp://x", "tcp://", "tcp://h:1/path", "dns://127.0.0.1",
                          "dns://127.0.0.1/", "dns:///name", "dns://s/n?kind=A"}) {
    EXPECT_FALSE(TargetFromUrl(bad).has_value()) << bad;
  }
}

TEST(TargetsFromRegions, NumbersEveryProbeInPolicyOrder) {
  config::RegionConfig eu;
  eu.name = "eu";
  config::ComponentConfig api;
  api.name = "api";
  api.probes.resize(2);
  api.probes[0].name = "http";
  api.probes[1].name = "tcp";
  eu.components.push_back(api);
  auto targets = TargetsFromRegions({eu});
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].id, 1u);
  EXPECT_EQ(targets[1].id, 2u);
  EXPECT_EQ(targets[1].DisplayName(), "eu/api/tcp");
}

}  // namespace
}  // namespace steer::probes
