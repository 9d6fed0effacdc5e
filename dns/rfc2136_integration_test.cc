// RFC 2136 against a real BIND 9 primary with a TSIG key and a secondary fed by NOTIFY/AXFR.
#include <gtest/gtest.h>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/dns/propagation.h"
#include "steer/dns/rfc2136_provider.h"
#include "steer/dns/safe_writer.h"
#include "steer/testsupport/log_capture.h"
#include "steer/testsupport/named_server.h"
#include "steer/testsupport/pdns_server.h"
#include "test_zone.h"

namespace steer::dns {
namespace {

using std::chrono::milliseconds;
using testsupport::NamedOptions;
using testsupport::NamedServer;

const RRset kNew{"login.example.test.", "A", 30, {"127.0.0.3", "127.0.0.4"}};

NamedOptions PrimaryOptions(const std::string& algorithm = "hmac-sha256") {
  NamedOptions options;
  options.zones[0].records = "login IN A 127.0.0.2\n";
  options.algorithm = algorithm;
  return options;
}

Rfc2136Options ProviderOptions(const NamedServer& named) {
  return Rfc2136Options{"rfc2136:it",        NameServer{"127.0.0.1", named.port(), ""},
                        named.key_name(),    named.algorithm(),
                        named.tsig_secret(), milliseconds(2000)};
}

TEST(Rfc2136IntegrationTest, OneSignedUpdateReplacesTheRRsetOnPrimaryAndSecondary) {
  uint16_t secondary_port = testsupport::FreePort();
  NamedOptions primary_options = PrimaryOptions();
  primary_options.notify_ports = {secondary_port};
  NamedServer primary(primary_options);
  NamedOptions secondary_options;
  secondary_options.port = secondary_port;
  secondary_options.primary_port = primary.port();
  NamedServer secondary(secondary_options);

  Rfc2136Provider provider(ProviderOptions(primary));
  auto before = provider.Read(kZone, kNew.name, "A");
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_TRUE(before->has_value());
  EXPECT_EQ((*before)->records, std::vector<std::string>{"127.0.0.2"});

  base::SystemClock clock;
  base::SystemRandom random;
  RateLimiter limiter(50, 50, clock);
  SafeWriter writer(provider, limiter, clock, random, nullptr);
  auto result = writer.Replace(kZone, kNew);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(SameRRset(result->after, kNew));
  EXPECT_FALSE(result->receipt.change_id.empty());

  LdnsQuerier querier;
  PropagationChecker checker(querier, clock);
  auto report = checker.WaitFor(
      kNew, {{"127.0.0.1", primary.port(), "primary"}, {"127.0.0.1", secondary_port, "secondary"}},
      PropagationOptions{milliseconds(10000)});
  EXPECT_TRUE(report.complete) << report.servers[1].last_error << "\n" << secondary.Log();
}

TEST(Rfc2136IntegrationTest, HmacSha512KeysWorkAndTheSecretIsNeverLogged) {
  NamedServer named(PrimaryOptions("hmac-sha512"));
  testsupport::LogCapture capture({"dns"});
  Rfc2136Provider provider(ProviderOptions(named));
  auto receipt = provider.Replace(kZone, kNew);
  ASSERT_TRUE(receipt) << receipt.error().message;
  auto after = provider.Read(kZone, kNew.name, "A");
  ASSERT_TRUE(after && after->has_value());
  EXPECT_TRUE(SameRRset(**after, kNew));
  EXPECT_NE(capture.Text().find("accepted"), std::string::npos);  // debug lines captured
  EXPECT_EQ(capture.Text().find(named.tsig_secret()), std::string::npos) << capture.Text();
}

TEST(Rfc2136IntegrationTest, AWrongSecretIsRefusedWithAClearErrorAndNoSecret) {
  NamedServer named(PrimaryOptions());
  testsupport::LogCapture capture({"dns"});
  Rfc2136Options options = ProviderOptions(named);
  options.secret = testsupport::RandomSecret();  // right key name, wrong secret
  Rfc2136Provider provider(options);
  auto receipt = provider.Replace(kZone, kNew);
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(receipt.error().message.find("BADSIG"), std::string::npos) << receipt.error().message;
  EXPECT_NE(receipt.error().message.find("steer-key"), std::string::npos);
  EXPECT_EQ(receipt.error().message.find(options.secret), std::string::npos);
  EXPECT_EQ(receipt.error().message.find(named.tsig_secret()), std::string::npos);
  EXPECT_EQ(capture.Text().find(options.secret), std::string::npos);
  // Nothing changed.
  auto after = Rfc2136Provider(ProviderOptions(named)).Read(kZone, kNew.name, "A");
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->records, std::vector<std::string>{"127.0.0.2"});
}

TEST(Rfc2136IntegrationTest, AnUnknownKeyNameIsRefused) {
  NamedServer named(PrimaryOptions());
  Rfc2136Options options = ProviderOptions(named);
  options.key_name = "other-key";
  auto receipt = Rfc2136Provider(options).Replace(kZone, kNew);
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(receipt.error().message.find("BADKEY"), std::string::npos) << receipt.error().message;
}

TEST(Rfc2136IntegrationTest, AZoneTheServerDoesNotServeIsAnError) {
  NamedServer named(PrimaryOptions());
  Rfc2136Provider provider(ProviderOptions(named));
  auto receipt =
      provider.Replace("missing.test.", RRset{"a.missing.test.", "A", 30, {"127.0.0.1"}});
  ASSERT_FALSE(receipt);
  EXPECT_TRUE(receipt.error().code == ErrorCode::kNotFound ||
              receipt.error().code == ErrorCode::kPermissionDenied)
      << receipt.error().message;
  EXPECT_NE(receipt.error().message.find("missing.test."), std::string::npos);
  auto read = provider.Read("missing.test.", "a.missing.test.", "A");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound) << read.error().message;
}

TEST(Rfc2136IntegrationTest, ANameOutsideTheZoneIsNotZone) {
  NamedServer named(PrimaryOptions());
  auto receipt = Rfc2136Provider(ProviderOptions(named))
                     .Replace(kZone, RRset{"a.other.test.", "A", 30, {"127.0.0.1"}});
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error().code, ErrorCode::kInvalidArgument) << receipt.error().message;
  EXPECT_NE(receipt.error().message.find("NOTZONE"), std::string::npos);
}

TEST(Rfc2136IntegrationTest, AServerThatIsDownIsUnavailable) {
  NamedServer named(PrimaryOptions());
  Rfc2136Options options = ProviderOptions(named);
  named.Stop();
  auto receipt = Rfc2136Provider(options).Replace(kZone, kNew);
  ASSERT_FALSE(receipt);
  EXPECT_TRUE(receipt.error().code == ErrorCode::kUnavailable ||
              receipt.error().code == ErrorCode::kDeadlineExceeded)
      << receipt.error().message;
}

}  // namespace
}  // namespace steer::dns

namespace steer::dns {
namespace {

TEST(Rfc2136IntegrationTest, LargeRRsetsAreReadOverTcpAfterTruncation) {
  NamedServer named(PrimaryOptions());
  Rfc2136Provider provider(ProviderOptions(named));
  RRset big{"big.example.test.", "TXT", 30, {}};
  for (int i = 0; i < 20; ++i) {
    big.records.push_back("\"record " + std::to_string(i) + " " + std::string(60, 'x') + "\"");
  }
  ASSERT_TRUE(provider.Replace(kZone, big));
  // ~1.5 KB of answers: more than a plain (no EDNS) UDP reply may carry.
  auto read = provider.Read(kZone, big.name, "TXT");
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_TRUE(SameRRset(**read, big)) << ToString(**read);
}

}  // namespace
}  // namespace steer::dns

namespace steer::dns {
namespace {

// A test server that finds its port taken by another server must not pass for started: the
// clients would then talk to the other server (seen in CI as a BADSIG from another test's
// named with another TSIG secret).
TEST(NamedServerTest, APortHeldByAnotherServerIsNotMistakenForOurs) {
  NamedServer squatter(PrimaryOptions());
  testsupport::NamedOptions options = PrimaryOptions();
  options.port = squatter.port();
  EXPECT_THROW(NamedServer second(options), std::runtime_error);
}

}  // namespace
}  // namespace steer::dns
