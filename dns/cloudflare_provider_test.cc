#include "steer/dns/cloudflare_provider.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/dns/safe_writer.h"
#include "steer/fakes/cloudflare_fake.h"
#include "test_fakes.h"
#include "test_zone.h"

namespace steer::dns {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Cloudflare's smallest TTL (other than 1, "automatic") is 60.
RRset CloudflareLogin(std::vector<std::string> records, int ttl = 60) {
  return RRset{"login.example.test.", "A", ttl, std::move(records)};
}

std::vector<std::string> Contents(const std::vector<fakes::CloudflareFakeRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.content);
  std::sort(out.begin(), out.end());
  return out;
}

class CloudflareProviderTest : public ::testing::Test {
 protected:
  std::unique_ptr<CloudflareProvider> Make(const std::string& token) {
    CloudflareOptions options;
    options.name = "cloudflare:test";
    options.endpoint = fake_.endpoint();
    options.zone_id = fakes::CloudflareFakeOptions().zone_id;
    options.api_token = token;
    options.timeout = milliseconds(5000);
    options.rate_per_second = 1000;
    options.burst = 1000;
    return std::make_unique<CloudflareProvider>(options, base::MakeCurlHttpClient(), &clock_);
  }
  std::unique_ptr<CloudflareProvider> Make() {
    return Make(fakes::CloudflareFakeOptions().api_token);
  }
  SafeWriter Writer(Provider& provider) {
    return SafeWriter(provider, limiter_, clock_, random_, nullptr, SafeWriterOptions{});
  }

  base::FakeClock clock_;
  base::FakeRandom random_ =
      base::FakeRandom::Fraction(0.0);  // no jitter: waits below come from Retry-After only
  RateLimiter limiter_{1000.0, 1000.0, clock_};
  fakes::CloudflareFake fake_;
};

TEST_F(CloudflareProviderTest, ReplaceUsesOneBatchAndKeepsRecordsThatStay) {
  fake_.Add("login.example.test", "A", "127.0.0.2", 60);
  std::string kept = fake_.Add("login.example.test", "A", "127.0.0.3", 60);
  fake_.Add("login.example.test", "A", "127.0.0.5", 60);
  fake_.Add("other.example.test", "A", "127.0.0.2", 60);
  auto provider = Make();
  auto before = provider->Read(kZone, "login.example.test.", "A");
  ASSERT_TRUE(before && before->has_value()) << (before ? "" : before.error().message);
  EXPECT_EQ((*before)->records.size(), 3u);

  auto receipt = provider->Replace(kZone, CloudflareLogin({"127.0.0.3", "127.0.0.4"}));
  ASSERT_TRUE(receipt) << receipt.error().message;
  EXPECT_EQ(fake_.batch_requests(), 1);
  EXPECT_EQ(fake_.write_requests(), 1);
  auto now = fake_.Records("login.example.test", "A");
  EXPECT_EQ(Contents(now), (std::vector<std::string>{"127.0.0.3", "127.0.0.4"}));
  bool kept_id = false;
  for (const auto& r : now) kept_id = kept_id || (r.id == kept && r.content == "127.0.0.3");
  EXPECT_TRUE(kept_id);
  EXPECT_EQ(fake_.Records("other.example.test", "A").size(), 1u);

  auto after = provider->Read(kZone, "login.example.test.", "A");
  ASSERT_TRUE(after && after->has_value());
  EXPECT_TRUE(SameRRset(**after, CloudflareLogin({"127.0.0.4", "127.0.0.3"}))) << ToString(**after);
  // Already right: no write at all.
  ASSERT_TRUE(provider->Replace(kZone, CloudflareLogin({"127.0.0.4", "127.0.0.3"})));
  EXPECT_EQ(fake_.write_requests(), 1);
}

TEST_F(CloudflareProviderTest, CreatesAMissingRRsetAndPatchesTtl) {
  auto provider = Make();
  auto empty = provider->Read(kZone, "login.example.test.", "A");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());
  ASSERT_TRUE(provider->Replace(kZone, CloudflareLogin({"127.0.0.2", "127.0.0.3"}, 60)));
  ASSERT_TRUE(provider->Replace(kZone, CloudflareLogin({"127.0.0.2", "127.0.0.3"}, 120)));
  auto records = fake_.Records("login.example.test", "A");
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    EXPECT_EQ(r.ttl, 120);
    EXPECT_FALSE(r.proxied);
  }
  EXPECT_EQ(fake_.batch_requests(), 2);
  auto cname =
      provider->Replace(kZone, RRset{"www.example.test.", "CNAME", 60, {"login.example.test."}});
  ASSERT_TRUE(cname) << cname.error().message;
  EXPECT_EQ(fake_.Records("www.example.test", "CNAME").at(0).content, "login.example.test");
  auto read = provider->Read(kZone, "www.example.test.", "CNAME");
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->records, std::vector<std::string>{"login.example.test."});
}

TEST_F(CloudflareProviderTest, RejectedBatchChangesNothing) {
  fake_.Add("login.example.test", "A", "127.0.0.2", 60);
  auto provider = Make();
  auto result = provider->Replace(kZone, CloudflareLogin({"127.0.0.3", "not-an-address"}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("9005"), std::string::npos) << result.error().message;
  EXPECT_EQ(Contents(fake_.Records("login.example.test", "A")),
            std::vector<std::string>{"127.0.0.2"});
}

TEST_F(CloudflareProviderTest, RateLimitedCarriesRetryAfterThatTheWriterHonours) {
  fake_.Add("login.example.test", "A", "127.0.0.2", 60);
  fake_.FailNext({{429, 7}});
  auto provider = Make();
  auto first = provider->Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(first.error().message.find("Retry-After 7"), std::string::npos);
  EXPECT_EQ(first.error().retry_after, seconds(7));

  // SafeWriter (no jitter here) waits exactly what each 429 asks, then succeeds.
  fake_.FailNext({{429, 3}, {429, 2}});
  auto writer = Writer(*provider);
  auto result = writer.Replace(kZone, CloudflareLogin({"127.0.0.9"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->outcome, ChangeOutcome::kApplied);
  EXPECT_EQ(clock_.Slept(), seconds(3 + 2));
  EXPECT_EQ(Contents(fake_.Records("login.example.test", "A")),
            std::vector<std::string>{"127.0.0.9"});
}

TEST_F(CloudflareProviderTest, LongRetryAfterFailsFastWithoutCalling) {
  fake_.FailNext({{429, 300}});
  auto provider = Make();
  auto writer = Writer(*provider);
  auto first = writer.Replace(kZone, CloudflareLogin({"127.0.0.9"}));
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::kResourceExhausted);
  int requests = fake_.requests();
  auto blocked = writer.Replace(kZone, CloudflareLogin({"127.0.0.9"}));
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(fake_.requests(), requests);  // calls while blocked would only prolong the block
  clock_.Advance(seconds(300));
  EXPECT_TRUE(writer.Replace(kZone, CloudflareLogin({"127.0.0.9"})));
}

TEST_F(CloudflareProviderTest, ServerErrorsThenSuccess) {
  fake_.FailNext({{500}, {502}, {503}});
  auto provider = Make();
  auto direct = provider->Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(RetryPolicy::IsRetryable(direct.error()));
  auto writer = Writer(*provider);
  auto result = writer.Replace(kZone, CloudflareLogin({"127.0.0.2"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->outcome, ChangeOutcome::kApplied);
  EXPECT_EQ(fake_.batch_requests(), 1);
}

TEST_F(CloudflareProviderTest, WrongTokenIsPermissionDenied) {
  auto provider = Make("cf-wrong-TOKEN-value");
  auto read = provider->Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(read.error().message.find("Authentication error"), std::string::npos);
  EXPECT_EQ(read.error().message.find("cf-wrong-TOKEN-value"), std::string::npos);
  EXPECT_FALSE(RetryPolicy::IsRetryable(read.error()));
  EXPECT_EQ(fake_.auth_failures(), 1);
}

// The fake's single-record endpoints, as documented: PUT overwrites, PATCH changes fields.
TEST_F(CloudflareProviderTest, FakeSupportsPutPatchAndDeleteById) {
  std::string id = fake_.Add("api.example.test", "A", "127.0.0.2", 60);
  std::string base =
      fake_.endpoint() + "/zones/" + fakes::CloudflareFakeOptions().zone_id + "/dns_records/" + id;
  auto http = base::MakeCurlHttpClient();
  auto send = [&](const std::string& method, const std::string& body) {
    base::HttpRequest request;
    request.method = method;
    request.url = base;
    request.headers = {{"Authorization", "Bearer " + fakes::CloudflareFakeOptions().api_token},
                       {"Content-Type", "application/json"}};
    request.body = body;
    auto response = http->Send(request);
    return response ? response->status : -1;
  };
  EXPECT_EQ(send("PATCH", R"({"ttl":120})"), 200);
  EXPECT_EQ(fake_.Records("api.example.test", "A").at(0).ttl, 120);
  EXPECT_EQ(send("PUT", R"({"name":"api.example.test","type":"A","content":"127.0.0.8",)"
                        R"("ttl":300,"proxied":false})"),
            200);
  EXPECT_EQ(fake_.Records("api.example.test", "A").at(0).content, "127.0.0.8");
  EXPECT_EQ(send("PATCH", R"({"content":"999.0.0.1"})"), 400);
  EXPECT_EQ(send("DELETE", ""), 200);
  EXPECT_TRUE(fake_.Records("api.example.test", "A").empty());
  EXPECT_EQ(send("PATCH", R"({"ttl":60})"), 404);
}

TEST(CloudflareBatchPlan, ReusesIdsBeforeDeletingOrCreating) {
  std::vector<CloudflareRecord> existing = {
      {"a", "127.0.0.1", 60}, {"b", "127.0.0.2", 30}, {"c", "127.0.0.3", 60}};
  CloudflareBatch plan =
      PlanCloudflareBatch(existing, CloudflareLogin({"127.0.0.2", "127.0.0.4"}, 60));
  EXPECT_TRUE(plan.deletes.size() == 1 && plan.posts.empty());
  ASSERT_EQ(plan.patches.size(), 2u);
  EXPECT_EQ(plan.patches[0].id, "b");  // content stays, TTL 30 -> 60
  EXPECT_EQ(plan.patches[0].ttl, 60);
  EXPECT_EQ(plan.patches[1].id, "a");  // surplus record reused for the missing content
  EXPECT_EQ(plan.patches[1].content, "127.0.0.4");
  EXPECT_EQ(plan.deletes[0], "c");
  CloudflareBatch grow = PlanCloudflareBatch(
      {{"a", "127.0.0.1", 60}}, CloudflareLogin({"127.0.0.1", "127.0.0.5", "127.0.0.6"}));
  EXPECT_TRUE(grow.deletes.empty() && grow.patches.empty());
  EXPECT_EQ(grow.posts.size(), 2u);
  EXPECT_TRUE(
      PlanCloudflareBatch({{"a", "127.0.0.1", 60}}, CloudflareLogin({"127.0.0.1"})).empty());
}

// The default rate keeps a full bucket plus 5 minutes of refill within 1,200 requests.
TEST(CloudflareProvider, DefaultRateStaysWithinThePublishedLimit) {
  auto http = std::make_shared<testing::FakeHttpClient>();
  for (int i = 0; i < 1300; ++i) http->Push(200, R"({"success":true,"result":[]})");
  base::FakeClock clock;
  ::setenv("STEER_TEST_CF_TOKEN", "cf-rate-test-token", 1);
  config::ProviderConfig config;
  config.name = "cf";
  config.type = config::ProviderType::kCloudflare;
  config.cloudflare.zone_id = "z";
  config.cloudflare.api_token = *base::ParseSecretRef("env:STEER_TEST_CF_TOKEN");
  ProviderRegistry registry;
  AddCloudflareProvider(registry);
  auto provider = MakeProvider(config, registry, ProviderDeps{http, &clock});
  ASSERT_TRUE(provider) << provider.error().message;
  EXPECT_EQ((*provider)->Name(), "cloudflare:cf");
  auto start = clock.SteadyNow();
  int within_window = 0;
  for (int i = 0; i < 1300; ++i) {
    ASSERT_TRUE((*provider)->Read(kZone, "login.example.test.", "A"));
    if (clock.SteadyNow() - start < seconds(300)) ++within_window;
  }
  EXPECT_LE(within_window, 1200);
  EXPECT_GE(within_window, 1150);  // and not needlessly slower
  EXPECT_EQ(http->requests[0].headers[0].second, "Bearer cf-rate-test-token");
}

// Found by tests/fuzz/provider_json: an error envelope whose entries are not objects (or whose
// message is not a string) threw json::type_error out of Read instead of failing the call.
TEST(CloudflareProvider, MalformedErrorEnvelopeFailsTheCallWithoutThrowing) {
  auto http = std::make_shared<testing::FakeHttpClient>();
  http->Push(400, R"({"success":false,"errors":[1,{"code":9109,"message":7}]})");
  base::FakeClock clock;
  CloudflareOptions options;
  options.endpoint = "http://127.0.0.1:9/client/v4";
  options.zone_id = "z";
  options.api_token = "t";
  CloudflareProvider provider(options, http, &clock);
  auto read = provider.Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("HTTP 400: [?] 1; [9109] 7"), std::string::npos)
      << read.error().message;
}

}  // namespace
}  // namespace steer::dns
