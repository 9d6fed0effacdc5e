// Neither the AWS secret access key nor the Cloudflare API token may appear in any log line
// or error message, on success or on failure (wrong credentials, throttling, 429, 5xx,
// rejected changes, unresolvable references).

#include <gtest/gtest.h>

#include <cstdlib>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/dns/cloudflare_provider.h"
#include "steer/dns/route53_provider.h"
#include "steer/dns/safe_writer.h"
#include "steer/fakes/cloudflare_fake.h"
#include "steer/fakes/route53_fake.h"
#include "steer/testsupport/log_capture.h"
#include "test_fakes.h"
#include "test_zone.h"

namespace steer::dns {
namespace {

class SecretsTest : public ::testing::Test {
 protected:
  void Check(const Result<WriteResult>& result) {
    if (!result) messages_.push_back(result.error().message);
  }
  template <typename T>
  void Keep(const Result<T>& result) {
    if (!result) messages_.push_back(result.error().message);
  }
  SafeWriter Writer(Provider& provider) {
    return SafeWriter(provider, limiter_, clock_, random_, nullptr, SafeWriterOptions{});
  }

  base::FakeClock clock_;
  base::FakeRandom random_ = base::FakeRandom::Fraction(0.5);
  RateLimiter limiter_{1000.0, 1000.0, clock_};
  std::vector<std::string> messages_;
};

TEST_F(SecretsTest, NoSecretInLogsOrErrors) {
  fakes::Route53FakeOptions r53_options;
  fakes::Route53Fake r53(r53_options);
  fakes::CloudflareFake cf;
  const std::string aws_secret = r53_options.secret_access_key;
  const std::string wrong_aws_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYLEAKCHECK";
  const std::string cf_token = fakes::CloudflareFakeOptions().api_token;
  const std::string wrong_cf_token = "cf-wrong-token-LEAKCHECK-0123";
  ::setenv("STEER_TEST_SECRETS_KEY_ID", r53_options.access_key_id.c_str(), 1);
  ::setenv("STEER_TEST_SECRETS_AWS", aws_secret.c_str(), 1);
  ::setenv("STEER_TEST_SECRETS_AWS_WRONG", wrong_aws_secret.c_str(), 1);
  ::setenv("STEER_TEST_SECRETS_CF", cf_token.c_str(), 1);
  ::setenv("STEER_TEST_SECRETS_CF_WRONG", wrong_cf_token.c_str(), 1);

  testsupport::LogCapture capture({"dns"});
  ProviderRegistry registry;
  AddRoute53Provider(registry);
  AddCloudflareProvider(registry);
  ProviderDeps deps{std::shared_ptr<base::HttpClient>(base::MakeCurlHttpClient()), &clock_};

  config::ProviderConfig aws;
  aws.name = "aws";
  aws.type = config::ProviderType::kRoute53;
  aws.route53.endpoint = r53.endpoint();
  aws.route53.hosted_zone_id = "Z0STEERFAKE";
  aws.route53.access_key_id = *base::ParseSecretRef("env:STEER_TEST_SECRETS_KEY_ID");
  aws.route53.secret_access_key = *base::ParseSecretRef("env:STEER_TEST_SECRETS_AWS");
  config::ProviderConfig cloudflare;
  cloudflare.name = "cf";
  cloudflare.type = config::ProviderType::kCloudflare;
  cloudflare.cloudflare.endpoint = cf.endpoint();
  cloudflare.cloudflare.zone_id = fakes::CloudflareFakeOptions().zone_id;
  cloudflare.cloudflare.api_token = *base::ParseSecretRef("env:STEER_TEST_SECRETS_CF");

  // Successful writes after throttling, 429 and 5xx: retries are logged.
  r53.FailNext(fakes::Route53Action::kChange,
               {fakes::Route53Failure::kThrottling, fakes::Route53Failure::kInternalError});
  cf.FailNext({{429, 1}, {503}});
  // Changes each provider rejects: a name outside the hosted zone, an invalid address.
  std::vector<std::pair<const config::ProviderConfig*, RRset>> cases = {
      {&aws, RRset{"login.other.test.", "A", 60, {"127.0.0.2"}}},
      {&cloudflare, RRset{"login.example.test.", "A", 60, {"127.0.0.300"}}}};
  for (const auto& [config, rejected] : cases) {
    auto provider = MakeProvider(*config, registry, deps);
    ASSERT_TRUE(provider) << provider.error().message;
    auto writer = Writer(**provider);
    auto ok = writer.Replace(kZone, RRset{"login.example.test.", "A", 60, {"127.0.0.2"}});
    ASSERT_TRUE(ok) << ok.error().message;
    Keep((*provider)->Replace(kZone, rejected));
  }
  // Wrong credentials.
  aws.route53.secret_access_key = *base::ParseSecretRef("env:STEER_TEST_SECRETS_AWS_WRONG");
  cloudflare.cloudflare.api_token = *base::ParseSecretRef("env:STEER_TEST_SECRETS_CF_WRONG");
  for (const auto* config : {&aws, &cloudflare}) {
    auto provider = MakeProvider(*config, registry, deps);
    ASSERT_TRUE(provider) << provider.error().message;
    Check(Writer(**provider).Replace(kZone, RRset{"login.example.test.", "A", 60, {"127.0.0.3"}}));
    Keep((*provider)->Read(kZone, "login.example.test.", "A"));
  }
  // A reference to a file that holds the secret but cannot be read as configured.
  aws.route53.secret_access_key = *base::ParseSecretRef("file:/nonexistent/steer-aws-secret");
  Keep(MakeProvider(aws, registry, deps));

  ASSERT_GE(messages_.size(), 5u);
  std::string logs = capture.Text();
  EXPECT_NE(logs.find("route53:aws"), std::string::npos) << "nothing was logged";
  EXPECT_NE(logs.find("cloudflare:cf"), std::string::npos) << "nothing was logged";
  for (const std::string& secret : {aws_secret, wrong_aws_secret, cf_token, wrong_cf_token}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << "secret in the log:\n" << logs;
    for (const std::string& message : messages_) {
      EXPECT_EQ(message.find(secret), std::string::npos) << "secret in an error: " << message;
    }
  }
}

}  // namespace
}  // namespace steer::dns
