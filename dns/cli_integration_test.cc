// `steerctl plan` and `steerctl dns show` against a real PowerDNS: plan shows the pending
// change and writes nothing; exit codes 0 (nothing to do) and 3 (pending).
#include <gtest/gtest.h>

#include <cstdlib>

#include "steer/testsupport/pdns_server.h"

namespace steer::dns {
namespace {

using testsupport::PdnsServer;
using testsupport::TempDir;

std::string Policy(const PdnsServer& pdns) {
  std::string port = std::to_string(pdns.dns_port());
  return R"(version: 1
agent:
  vantage: a
providers:
  pdns:
    type: powerdns
    api_url: )" +
         pdns.api_url() + R"(
    api_key: env:STEER_CLI_IT_PDNS_KEY
regions:
  us-east:
    components:
      lb:
        probes:
          - {name: tcp, type: tcp, address: "198.51.100.10:443"}
  eu-west:
    components:
      lb:
        probes:
          - {name: tcp, type: tcp, address: "203.0.113.10:443"}
services:
  login:
    dns_name: login.example.test.
    zone: example.test.
    ttl: 30
    provider: pdns
    regions:
      - {region: us-east, answers: [198.51.100.10]}
      - {region: eu-west, answers: [203.0.113.10, 203.0.113.11]}
    nameservers: ["127.0.0.1:)" +
         port + R"("]
)";
}

class CliIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pdns_.CreateZone("example.test.", {"ns1.example.test."},
                     {{"ns1.example.test.", "A", 30, {"127.0.0.1"}},
                      {"login.example.test.", "A", 30, {"198.51.100.10"}}});
    setenv("STEER_CLI_IT_PDNS_KEY", pdns_.api_key().c_str(), 1);
    policy_ = dir_.Write("policy.yaml", Policy(pdns_));
    steerctl_ = STEERCTL_PATH;  // set by CMake to the built binary
  }

  int Run(const std::vector<std::string>& args, std::string* output) {
    std::vector<std::string> argv = {steerctl_};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string log = dir_.File("out" + std::to_string(++runs_) + ".txt");
    int status = testsupport::RunCommand(argv, log);
    *output = testsupport::ReadFile(log);
    return status;
  }

  std::string Zone() {
    std::string body;
    pdns_.Api("GET", "/api/v1/servers/localhost/zones/example.test.", "", &body);
    return body;
  }

  PdnsServer pdns_;
  TempDir dir_;
  std::string policy_;
  std::string steerctl_;
  int runs_ = 0;
};

TEST_F(CliIntegrationTest, PlanShowsNothingToDoWhenThePreferredRegionIsServed) {
  std::string out;
  EXPECT_EQ(Run({"plan", "-c", policy_}, &out), 0) << out;
  EXPECT_NE(out.find("no change"), std::string::npos) << out;
}

TEST_F(CliIntegrationTest, PlanShowsThePendingChangeAndWritesNothing) {
  std::string before = Zone();
  std::string out;
  EXPECT_EQ(Run({"plan", "-c", policy_, "--region", "login=eu-west"}, &out), 3) << out;
  EXPECT_NE(out.find("  - 198.51.100.10"), std::string::npos) << out;
  EXPECT_NE(out.find("  + 203.0.113.10"), std::string::npos) << out;
  EXPECT_NE(out.find("  + 203.0.113.11"), std::string::npos) << out;
  EXPECT_EQ(Zone(), before);
  EXPECT_EQ(out.find(pdns_.api_key()), std::string::npos);
}

TEST_F(CliIntegrationTest, PlanUsageErrors) {
  std::string out;
  EXPECT_EQ(Run({"plan", "-c", policy_, "--region", "login"}, &out), 2) << out;
  EXPECT_EQ(Run({"plan", "-c", policy_, "--region", "nosuch=eu-west"}, &out), 2) << out;
  EXPECT_EQ(Run({"plan"}, &out), 2) << out;
  EXPECT_EQ(Run({"plan", "--help"}, &out), 0) << out;
}

TEST_F(CliIntegrationTest, PlanFailsWhenTheProviderIsDown) {
  pdns_.Stop();
  std::string out;
  EXPECT_EQ(Run({"plan", "-c", policy_}, &out), 1) << out;
}

TEST_F(CliIntegrationTest, DnsShowPrintsProviderAndEveryServer) {
  std::string out;
  EXPECT_EQ(Run({"dns", "show", "-c", policy_, "login"}, &out), 0) << out;
  EXPECT_NE(out.find("provider"), std::string::npos) << out;
  EXPECT_NE(out.find("127.0.0.1:" + std::to_string(pdns_.dns_port())), std::string::npos) << out;
  EXPECT_NE(out.find("198.51.100.10"), std::string::npos) << out;
  EXPECT_NE(out.find(" ok"), std::string::npos) << out;
  EXPECT_EQ(Run({"dns", "show", "-c", policy_, "nosuch"}, &out), 2) << out;
  EXPECT_EQ(Run({"dns"}, &out), 2) << out;
}

}  // namespace
}  // namespace steer::dns
