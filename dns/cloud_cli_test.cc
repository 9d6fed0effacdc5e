// `steerctl plan` with Route 53 and Cloudflare providers, against the loopback fakes: the
// policy's route53/cloudflare keys reach the providers through steerctl's registry, the plan
// shows the pending change, writes nothing, and no secret is printed.
#include <gtest/gtest.h>

#include <cstdlib>

#include "steer/fakes/cloudflare_fake.h"
#include "steer/fakes/route53_fake.h"
#include "steer/testsupport/process.h"

namespace steer::dns {
namespace {

using fakes::Route53Action;

constexpr char kZoneId[] = "Z0STEERFAKE";

std::string Policy(const std::string& route53_endpoint, const std::string& cloudflare_endpoint) {
  return R"(version: 1
agent:
  vantage: a
providers:
  aws:
    type: route53
    hosted_zone_id: )" +
         std::string(kZoneId) + R"(
    endpoint: )" +
         route53_endpoint +
         R"(
    access_key_id: env:STEER_CLOUD_CLI_KEY_ID
    secret_access_key: env:STEER_CLOUD_CLI_AWS
  cf:
    type: cloudflare
    zone_id: )" +
         fakes::CloudflareFakeOptions().zone_id + R"(
    endpoint: )" +
         cloudflare_endpoint +
         R"(
    api_token: env:STEER_CLOUD_CLI_CF
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
    ttl: 60
    provider: aws
    regions:
      - {region: us-east, answers: [198.51.100.10]}
      - {region: eu-west, answers: [203.0.113.10, 203.0.113.11]}
  shop:
    dns_name: shop.example.test.
    zone: example.test.
    ttl: 60
    provider: cf
    regions:
      - {region: us-east, answers: [198.51.100.10]}
      - {region: eu-west, answers: [203.0.113.10, 203.0.113.11]}
)";
}

std::string SteerctlPath() {
  const char* bin = std::getenv("STEER_BINARY_DIR");
  return std::string(bin ? bin : STEER_BINARY_DIR_DEFAULT) + "/agent/steerctl";
}

class CloudCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    route53_.Put(kZoneId, RRset{"login.example.test.", "A", 60, {"198.51.100.10"}});
    cloudflare_.Add("shop.example.test", "A", "198.51.100.10", 60);
    ::setenv("STEER_CLOUD_CLI_KEY_ID", fakes::Route53FakeOptions().access_key_id.c_str(), 1);
    ::setenv("STEER_CLOUD_CLI_AWS", aws_secret_.c_str(), 1);
    ::setenv("STEER_CLOUD_CLI_CF", cf_token_.c_str(), 1);
    policy_ = dir_.Write("policy.yaml", Policy(route53_.endpoint(), cloudflare_.endpoint()));
    steerctl_ = SteerctlPath();
  }

  int Run(const std::vector<std::string>& args, std::string* output) {
    std::vector<std::string> argv = {steerctl_};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string log = dir_.File("out" + std::to_string(++runs_) + ".txt");
    int status = testsupport::RunCommand(argv, log);
    *output = testsupport::ReadFile(log);
    return status;
  }

  void ExpectNoSecret(const std::string& out) {
    EXPECT_EQ(out.find(aws_secret_), std::string::npos) << out;
    EXPECT_EQ(out.find(cf_token_), std::string::npos) << out;
  }

  const std::string aws_secret_ = fakes::Route53FakeOptions().secret_access_key;
  const std::string cf_token_ = fakes::CloudflareFakeOptions().api_token;
  fakes::Route53Fake route53_;
  fakes::CloudflareFake cloudflare_;
  testsupport::TempDir dir_;
  std::string policy_;
  std::string steerctl_;
  int runs_ = 0;
};

TEST_F(CloudCliTest, PlanHasNothingToDoWhenThePreferredRegionIsServed) {
  std::string out;
  EXPECT_EQ(Run({"plan", "-c", policy_}, &out), 0) << out;
  EXPECT_GE(route53_.requests(Route53Action::kList), 1);
  EXPECT_GE(cloudflare_.requests(), 1);
  EXPECT_EQ(route53_.signature_failures(), 0);
  ExpectNoSecret(out);
}

TEST_F(CloudCliTest, PlanShowsThePendingChangeAndWritesNothing) {
  std::string out;
  EXPECT_EQ(
      Run({"plan", "-c", policy_, "--region", "login=eu-west", "--region", "shop=eu-west"}, &out),
      3)
      << out;
  EXPECT_NE(out.find("  - 198.51.100.10"), std::string::npos) << out;
  EXPECT_NE(out.find("  + 203.0.113.11"), std::string::npos) << out;
  EXPECT_NE(out.find("login"), std::string::npos) << out;
  EXPECT_NE(out.find("shop"), std::string::npos) << out;
  EXPECT_EQ(route53_.requests(Route53Action::kChange), 0);
  EXPECT_EQ(cloudflare_.write_requests(), 0);
  EXPECT_EQ(route53_.Get(kZoneId, "login.example.test.", "A")->records,
            std::vector<std::string>{"198.51.100.10"});
  ExpectNoSecret(out);
}

TEST_F(CloudCliTest, WrongCredentialsFailClearlyWithoutPrintingThem) {
  ::setenv("STEER_CLOUD_CLI_AWS", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYCLIWRONG", 1);
  ::setenv("STEER_CLOUD_CLI_CF", "cf-cli-wrong-token-value", 1);
  std::string out;
  EXPECT_EQ(Run({"plan", "-c", policy_}, &out), 1) << out;
  EXPECT_NE(out.find("SignatureDoesNotMatch"), std::string::npos) << out;
  EXPECT_NE(out.find("Authentication error"), std::string::npos) << out;
  EXPECT_EQ(out.find("CLIWRONG"), std::string::npos) << out;
  EXPECT_EQ(out.find("cf-cli-wrong-token-value"), std::string::npos) << out;
}

}  // namespace
}  // namespace steer::dns
