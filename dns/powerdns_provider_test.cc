#include "steer/dns/powerdns_provider.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "steer/base/clock.h"
#include "steer/dns/factory.h"
#include "steer/testsupport/log_capture.h"
#include "test_fakes.h"

namespace steer::dns {
namespace {

using testing::FakeHttpClient;

constexpr const char* kKey = "pdns-unit-secret-7f3a9";

constexpr const char* kZoneJson = R"({"name":"example.test.","rrsets":[
  {"name":"login.example.test.","type":"A","ttl":30,"records":[
    {"content":"127.0.0.3","disabled":false},{"content":"127.0.0.2","disabled":false},
    {"content":"127.0.0.9","disabled":true}]},
  {"name":"example.test.","type":"SOA","ttl":3600,"records":[
    {"content":"a.misconfigured.dns.server.invalid. hostmaster.example.test. 1 10800 3600 604800 3600","disabled":false}]}
]})";

class PowerDnsProviderTest : public ::testing::Test {
 protected:
  PowerDnsProviderTest()
      : http_(std::make_shared<FakeHttpClient>()),
        provider_(PowerDnsOptions{"powerdns:test", "http://127.0.0.1:1/", "localhost", kKey,
                                  std::chrono::milliseconds(2000)},
                  http_) {}
  std::shared_ptr<FakeHttpClient> http_;
  PowerDnsProvider provider_;
};

TEST_F(PowerDnsProviderTest, ReadFindsTheRRsetAndSkipsDisabledRecords) {
  http_->Push(200, kZoneJson);
  auto rrset = provider_.Read("example.test.", "Login.example.test", "a");
  ASSERT_TRUE(rrset) << rrset.error().message;
  ASSERT_TRUE(rrset->has_value());
  EXPECT_EQ((*rrset)->records, (std::vector<std::string>{"127.0.0.2", "127.0.0.3"}));
  EXPECT_EQ((*rrset)->ttl, 30);
  ASSERT_EQ(http_->requests.size(), 1u);
  EXPECT_EQ(http_->requests[0].method, "GET");
  EXPECT_EQ(http_->requests[0].url,
            "http://127.0.0.1:1/api/v1/servers/localhost/zones/example.test.");
  EXPECT_EQ(http_->requests[0].headers[0].first, "X-API-Key");
  EXPECT_EQ(http_->requests[0].headers[0].second, kKey);
}

// The rule lives in HttpStatusError, shared by the HTTP providers: SafeWriter then honours it.
TEST_F(PowerDnsProviderTest, RetryAfterOfAnErrorIsCarriedInTheError) {
  base::HttpResponse limited;
  limited.status = 429;
  limited.headers = {{"retry-after", "12"}};
  http_->Push(limited);
  base::HttpResponse garbled;
  garbled.status = 503;
  garbled.headers = {{"Retry-After", "soon"}};
  http_->Push(garbled);
  auto read = provider_.Read("example.test.", "login.example.test.", "A");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(read.error().retry_after, std::chrono::milliseconds(12000));
  EXPECT_NE(read.error().message.find("(Retry-After 12)"), std::string::npos)
      << read.error().message;
  auto write =
      provider_.Replace("example.test.", RRset{"login.example.test.", "A", 30, {"127.0.0.3"}});
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(write.error().retry_after, std::nullopt);  // garbage is ignored
}

TEST_F(PowerDnsProviderTest, ReadOfAMissingNameIsEmpty) {
  http_->Push(200, kZoneJson);
  auto rrset = provider_.Read("example.test.", "other.example.test.", "A");
  ASSERT_TRUE(rrset);
  EXPECT_FALSE(rrset->has_value());
}

TEST_F(PowerDnsProviderTest, ReplaceSendsOnePatchWithTheWholeRRset) {
  http_->Push(204);
  auto receipt = provider_.Replace(
      "example.test.", RRset{"login.example.test.", "A", 30, {"127.0.0.3", "127.0.0.2"}});
  ASSERT_TRUE(receipt) << receipt.error().message;
  ASSERT_EQ(http_->requests.size(), 1u);
  const base::HttpRequest& request = http_->requests[0];
  EXPECT_EQ(request.method, "PATCH");
  auto body = nlohmann::json::parse(request.body);
  ASSERT_EQ(body["rrsets"].size(), 1u);
  EXPECT_EQ(body["rrsets"][0]["changetype"], "REPLACE");
  EXPECT_EQ(body["rrsets"][0]["name"], "login.example.test.");
  EXPECT_EQ(body["rrsets"][0]["records"].size(), 2u);
  EXPECT_EQ(body["rrsets"][0]["records"][0]["content"], "127.0.0.2");
  EXPECT_EQ(request.timeout, std::chrono::milliseconds(2000));
}

TEST_F(PowerDnsProviderTest, StatusCodesBecomeProviderErrors) {
  RRset rrset{"login.example.test.", "A", 30, {"127.0.0.2"}};
  struct Case {
    int status;
    ErrorCode code;
  } cases[] = {{404, ErrorCode::kNotFound},          {401, ErrorCode::kPermissionDenied},
               {429, ErrorCode::kResourceExhausted}, {500, ErrorCode::kUnavailable},
               {503, ErrorCode::kUnavailable},       {422, ErrorCode::kInvalidArgument}};
  for (const auto& c : cases) {
    http_->Push(c.status, R"({"error":"nope"})");
    auto result = provider_.Replace("example.test.", rrset);
    ASSERT_FALSE(result) << c.status;
    EXPECT_EQ(result.error().code, c.code) << c.status << ": " << result.error().message;
  }
}

TEST_F(PowerDnsProviderTest, TransportErrorsKeepTheirCode) {
  http_->PushError(ErrorCode::kDeadlineExceeded, "timed out");
  auto result = provider_.Read("example.test.", "login.example.test.", "A");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kDeadlineExceeded);
}

TEST_F(PowerDnsProviderTest, TheApiKeyIsNeverLoggedNorInErrors) {
  testsupport::LogCapture capture({"dns"});
  http_->Push(401, R"({"error":"Unauthorized"})");
  http_->Push(500, "");
  http_->PushError(ErrorCode::kUnavailable, "connection refused");
  std::string errors;
  RRset rrset{"login.example.test.", "A", 30, {"127.0.0.2"}};
  errors += provider_.Replace("example.test.", rrset).error().message;
  errors += provider_.Read("example.test.", "login.example.test.", "A").error().message;
  errors += provider_.Read("example.test.", "login.example.test.", "A").error().message;
  EXPECT_FALSE(capture.Text().empty());  // debug lines were written and captured
  EXPECT_EQ(capture.Text().find(kKey), std::string::npos) << capture.Text();
  EXPECT_EQ(errors.find(kKey), std::string::npos) << errors;
}

TEST(PowerDnsFactoryTest, ResolvesTheKeyByReference) {
  setenv("STEER_TEST_PDNS_KEY", kKey, 1);
  config::ProviderConfig config;
  config.name = "primary";
  config.type = config::ProviderType::kPowerDns;
  config.powerdns.api_url = "http://127.0.0.1:1";
  config.powerdns.api_key = base::SecretRef{base::SecretRef::Kind::kEnv, "STEER_TEST_PDNS_KEY"};
  ProviderRegistry registry;
  AddBuiltinProviders(registry);
  auto http = std::make_shared<FakeHttpClient>();
  auto provider = MakeProvider(config, registry, ProviderDeps{http, nullptr});
  ASSERT_TRUE(provider) << provider.error().message;
  EXPECT_EQ((*provider)->Name(), "powerdns:primary");
  http->Push(204);
  ASSERT_TRUE(
      (*provider)->Replace("example.test.", RRset{"a.example.test.", "A", 1, {"127.0.0.1"}}));
  EXPECT_EQ(http->requests[0].headers[0].second, kKey);

  unsetenv("STEER_TEST_PDNS_KEY");
  auto missing = MakeProvider(config, registry, ProviderDeps{http, nullptr});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("env:STEER_TEST_PDNS_KEY"), std::string::npos);
}

TEST(PowerDnsFactoryTest, UnknownKindIsAnError) {
  config::ProviderConfig config;
  config.name = "r53";
  config.type = config::ProviderType::kRoute53;
  ProviderRegistry registry;
  AddBuiltinProviders(registry);
  auto provider = MakeProvider(config, registry, ProviderDeps{});
  ASSERT_FALSE(provider);
  EXPECT_NE(provider.error().message.find("route53"), std::string::npos);
}

}  // namespace
}  // namespace steer::dns

namespace steer::dns {
namespace {

TEST(ProviderDefaultsTest, RateLimiterFollowsConfigOrPublishedDefault) {
  base::FakeClock clock;
  config::ProviderConfig config;
  config.type = config::ProviderType::kCloudflare;
  // A full bucket (20) plus 300 s of refill stays within 1,200 requests per 5 minutes; the
  // Cloudflare client paces its calls by the same rule.
  EXPECT_DOUBLE_EQ(MakeRateLimiter(config, clock)->rate_per_second(), (1200.0 - 20) / 300);
  EXPECT_DOUBLE_EQ(RateLimitFor(config).burst, 20);
  config.type = config::ProviderType::kRoute53;
  EXPECT_DOUBLE_EQ(MakeRateLimiter(config, clock)->rate_per_second(), 5.0);
  config.rate_per_second = 2.5;
  EXPECT_DOUBLE_EQ(MakeRateLimiter(config, clock)->rate_per_second(), 2.5);
  config.max_attempts = 7;
  EXPECT_EQ(SafeWriterOptionsFor(config).retry.max_attempts, 7);
}

}  // namespace
}  // namespace steer::dns
