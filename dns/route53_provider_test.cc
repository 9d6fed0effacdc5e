#include "steer/dns/route53_provider.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/dns/route53_xml.h"
#include "steer/dns/safe_writer.h"
#include "steer/fakes/route53_fake.h"
#include "test_fakes.h"
#include "test_zone.h"

namespace steer::dns {
namespace {

using fakes::Route53Action;
using fakes::Route53Failure;
using std::chrono::milliseconds;

constexpr char kZoneId[] = "Z0STEERFAKE";

RRset Login(std::vector<std::string> records) {
  return RRset{"login.example.test.", "A", 30, std::move(records)};
}

class Route53ProviderTest : public ::testing::Test {
 protected:
  std::unique_ptr<Route53Provider> Make(const std::string& secret,
                                        const std::string& zone_id = kZoneId) {
    Route53Options options;
    options.name = "route53:test";
    options.endpoint = fake_.endpoint();
    options.hosted_zone_id = zone_id;
    options.credentials = {fakes::Route53FakeOptions().access_key_id, secret};
    options.timeout = milliseconds(5000);
    options.rate_per_second = 1000;
    options.burst = 1000;
    return std::make_unique<Route53Provider>(options, base::MakeCurlHttpClient(), &clock_);
  }
  std::unique_ptr<Route53Provider> Make() {
    return Make(fakes::Route53FakeOptions().secret_access_key);
  }
  SafeWriter Writer(Provider& provider) {
    SafeWriterOptions options;
    options.insync_poll = milliseconds(2000);
    return SafeWriter(provider, limiter_, clock_, random_, nullptr, options);
  }

  base::FakeClock clock_;
  base::FakeRandom random_ = base::FakeRandom::Fraction(1.0);
  RateLimiter limiter_{1000.0, 1000.0, clock_};
  fakes::Route53Fake fake_;
};

TEST_F(Route53ProviderTest, UpsertThenReadBackAndPendingUntilInSync) {
  fake_.Put(kZoneId, RRset{"zzz.example.test.", "A", 60, {"127.0.0.9"}});
  fake_.SetPendingPolls(2);
  auto provider = Make();
  // ListResourceRecordSets starting at login returns zzz: that is not login's RRset.
  auto before = provider->Read(kZone, "login.example.test.", "A");
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_FALSE(before->has_value());

  auto receipt = provider->Replace(kZone, Login({"127.0.0.3", "127.0.0.2"}));
  ASSERT_TRUE(receipt) << receipt.error().message;
  EXPECT_FALSE(receipt->change_id.empty());
  EXPECT_EQ(provider->Status(receipt->change_id), ChangeStatus::kPending);
  EXPECT_EQ(provider->Status(receipt->change_id), ChangeStatus::kPending);
  EXPECT_EQ(provider->Status(receipt->change_id), ChangeStatus::kInSync);

  auto after = provider->Read(kZone, "Login.Example.Test", "a");
  ASSERT_TRUE(after && after->has_value());
  EXPECT_TRUE(SameRRset(**after, Login({"127.0.0.2", "127.0.0.3"}))) << ToString(**after);
  EXPECT_EQ(fake_.Get(kZoneId, "login.example.test.", "A")->records,
            (std::vector<std::string>{"127.0.0.2", "127.0.0.3"}));
  EXPECT_EQ(fake_.requests(Route53Action::kChange), 1);
  EXPECT_EQ(fake_.signature_failures(), 0);
}

TEST_F(Route53ProviderTest, SafeWriterWaitsForInSyncBeforeTheReadBack) {
  fake_.Put(kZoneId, Login({"127.0.0.2"}));
  fake_.SetPendingPolls(3);
  auto provider = Make();
  auto writer = Writer(*provider);
  auto result = writer.Replace(kZone, Login({"127.0.0.4"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->outcome, ChangeOutcome::kApplied);
  EXPECT_EQ(result->before->records, std::vector<std::string>{"127.0.0.2"});
  EXPECT_EQ(result->after.records, std::vector<std::string>{"127.0.0.4"});
  EXPECT_EQ(fake_.requests(Route53Action::kGetChange), 4);  // 3 x PENDING, then INSYNC
  EXPECT_EQ(clock_.Slept(), milliseconds(3 * 2000));
  // Idempotent: the same change again writes nothing.
  auto again = writer.Replace(kZone, Login({"127.0.0.4"}));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->outcome, ChangeOutcome::kUnchanged);
  EXPECT_EQ(fake_.requests(Route53Action::kChange), 1);
}

TEST_F(Route53ProviderTest, ThrottlingAndPriorRequestAreRetryableErrors) {
  fake_.FailNext(Route53Action::kChange,
                 {Route53Failure::kThrottling, Route53Failure::kPriorRequestNotComplete,
                  Route53Failure::kUnavailable});
  auto provider = Make();
  auto first = provider->Replace(kZone, Login({"127.0.0.2"}));
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(first.error().message.find("Throttling"), std::string::npos);
  auto second = provider->Replace(kZone, Login({"127.0.0.2"}));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(second.error().message.find("PriorRequestNotComplete"), std::string::npos);
  auto third = provider->Replace(kZone, Login({"127.0.0.2"}));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(RetryPolicy::IsRetryable(first.error()));
  EXPECT_TRUE(RetryPolicy::IsRetryable(second.error()));
  EXPECT_TRUE(provider->Replace(kZone, Login({"127.0.0.2"})));
}

TEST_F(Route53ProviderTest, SafeWriterSucceedsAfterThrottlingRetries) {
  fake_.FailNext(Route53Action::kChange,
                 {Route53Failure::kThrottling, Route53Failure::kThrottling,
                  Route53Failure::kPriorRequestNotComplete, Route53Failure::kInternalError});
  fake_.FailNext(Route53Action::kList, {Route53Failure::kThrottling});
  auto provider = Make();
  auto writer = Writer(*provider);
  auto result = writer.Replace(kZone, Login({"127.0.0.7"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->outcome, ChangeOutcome::kApplied);
  EXPECT_EQ(result->receipt.attempts, 5);
  EXPECT_EQ(fake_.requests(Route53Action::kChange), 5);
  EXPECT_GT(clock_.Slept(), milliseconds(0));  // backoff happened on the injected clock
  EXPECT_EQ(fake_.Get(kZoneId, "login.example.test.", "A")->records,
            std::vector<std::string>{"127.0.0.7"});
}

TEST_F(Route53ProviderTest, InvalidChangeBatchIsAClearErrorAndNotRetried) {
  auto provider = Make();
  auto writer = Writer(*provider);
  // A name outside the hosted zone: Route 53 answers InvalidChangeBatch.
  auto result = writer.Replace(kZone, RRset{"login.other.test.", "A", 30, {"127.0.0.2"}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("InvalidChangeBatch"), std::string::npos);
  EXPECT_NE(result.error().message.find("not permitted in zone example.test."), std::string::npos)
      << result.error().message;
  EXPECT_EQ(fake_.requests(Route53Action::kChange), 1);
}

TEST_F(Route53ProviderTest, WrongSecretIsPermissionDenied) {
  auto provider = Make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYWRONGKEY");
  auto read = provider->Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(read.error().message.find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_EQ(read.error().message.find("WRONGKEY"), std::string::npos);
  auto write = provider->Replace(kZone, Login({"127.0.0.2"}));
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(fake_.signature_failures(), 2);
  EXPECT_FALSE(fake_.Get(kZoneId, "login.example.test.", "A").has_value());
  EXPECT_FALSE(RetryPolicy::IsRetryable(write.error()));
}

TEST_F(Route53ProviderTest, UnknownAccessKeyAndUnknownZone) {
  Route53Options options;
  options.endpoint = fake_.endpoint();
  options.hosted_zone_id = kZoneId;
  options.credentials = {"AKIDUNKNOWN", fakes::Route53FakeOptions().secret_access_key};
  Route53Provider unknown_key(options, base::MakeCurlHttpClient(), &clock_);
  auto denied = unknown_key.Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message.find("InvalidClientTokenId"), std::string::npos);

  auto missing = Make(fakes::Route53FakeOptions().secret_access_key, "/hostedzone/ZNOSUCHZONE")
                     ->Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("NoSuchHostedZone"), std::string::npos);
}

// Documents as printed in the Route 53 API Reference: the provider must read them.
TEST(Route53Xml, ParsesThePublishedResponseShapes) {
  auto page = route53::ParseListResponse(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
   <ResourceRecordSets>
      <ResourceRecordSet>
         <Name>\052.example.com.</Name>
         <Type>A</Type>
         <TTL>300</TTL>
         <ResourceRecords>
            <ResourceRecord><Value>192.0.2.1</Value></ResourceRecord>
            <ResourceRecord><Value>192.0.2.2</Value></ResourceRecord>
         </ResourceRecords>
      </ResourceRecordSet>
   </ResourceRecordSets>
   <IsTruncated>true</IsTruncated>
   <MaxItems>1</MaxItems>
   <NextRecordName>www.example.com.</NextRecordName>
   <NextRecordType>A</NextRecordType>
</ListResourceRecordSetsResponse>)");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->rrsets.size(), 1u);
  EXPECT_EQ(page->rrsets[0].rrset.name, "*.example.com.");
  EXPECT_EQ(page->rrsets[0].rrset.ttl, 300);
  EXPECT_EQ(page->rrsets[0].rrset.records.size(), 2u);
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_name, "www.example.com.");

  auto info = route53::ParseChangeInfo(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
   <ChangeInfo>
      <Id>/change/C2682N5HXP0BZ4</Id>
      <Status>PENDING</Status>
      <SubmittedAt>2017-03-10T01:36:41.958Z</SubmittedAt>
   </ChangeInfo>
</ChangeResourceRecordSetsResponse>)");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->id, "C2682N5HXP0BZ4");
  EXPECT_EQ(info->status, "PENDING");

  auto batch = route53::ParseError(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<InvalidChangeBatch xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
  <Messages>
    <Message>Tried to create resource record set duplicate.example.com. type A, but it already exists</Message>
  </Messages>
</InvalidChangeBatch>)");
  EXPECT_EQ(batch.code, "InvalidChangeBatch");
  EXPECT_NE(batch.message.find("already exists"), std::string::npos);
  auto throttled = route53::ParseError(
      R"(<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>
<Message>Rate exceeded</Message></Error><RequestId>x</RequestId></ErrorResponse>)");
  EXPECT_EQ(throttled.code, "Throttling");
}

TEST(Route53Provider, AliasAndRoutingPolicyRecordsAreRefused) {
  auto http = std::make_shared<testing::FakeHttpClient>();
  http->Push(200, R"(<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet>
<Name>login.example.test.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z2</HostedZoneId>
<DNSName>lb.example.net.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget>
</ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated>
</ListResourceRecordSetsResponse>)");
  http->Push(200, R"(<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet>
<Name>login.example.test.</Name><Type>A</Type><SetIdentifier>eu</SetIdentifier><Weight>10</Weight>
<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>127.0.0.1</Value></ResourceRecord>
</ResourceRecords></ResourceRecordSet></ResourceRecordSets><IsTruncated>true</IsTruncated>
</ListResourceRecordSetsResponse>)");
  base::FakeClock clock;
  Route53Options options;
  options.hosted_zone_id = "Z1";
  options.credentials = {"AKID", "secret"};
  Route53Provider provider(options, http, &clock);
  auto alias = provider.Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(alias);
  EXPECT_EQ(alias.error().code, ErrorCode::kFailedPrecondition);
  auto weighted = provider.Read(kZone, "login.example.test.", "A");
  ASSERT_FALSE(weighted);
  EXPECT_EQ(weighted.error().code, ErrorCode::kFailedPrecondition);
  ASSERT_EQ(http->requests.size(), 2u);
  EXPECT_EQ(http->requests[0].url,
            "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1/rrset?maxitems=1&name="
            "login.example.test.&type=A");
}

TEST(Route53Provider, FactoryResolvesSecretReferences) {
  fakes::Route53Fake fake;
  base::FakeClock clock;
  ::setenv("STEER_TEST_R53_KEY_ID", fakes::Route53FakeOptions().access_key_id.c_str(), 1);
  ::setenv("STEER_TEST_R53_SECRET", fakes::Route53FakeOptions().secret_access_key.c_str(), 1);
  config::ProviderConfig config;
  config.name = "aws";
  config.type = config::ProviderType::kRoute53;
  config.route53.hosted_zone_id = kZoneId;
  config.route53.endpoint = fake.endpoint();
  config.route53.access_key_id = *base::ParseSecretRef("env:STEER_TEST_R53_KEY_ID");
  config.route53.secret_access_key = *base::ParseSecretRef("env:STEER_TEST_R53_SECRET");
  ProviderRegistry registry;
  AddRoute53Provider(registry);
  ProviderDeps deps{std::shared_ptr<base::HttpClient>(base::MakeCurlHttpClient()), &clock};
  auto provider = MakeProvider(config, registry, deps);
  ASSERT_TRUE(provider) << provider.error().message;
  EXPECT_EQ((*provider)->Name(), "route53:aws");
  EXPECT_NE(dynamic_cast<AsyncChangeTracker*>(provider->get()), nullptr);
  EXPECT_TRUE((*provider)->Replace(kZone, Login({"127.0.0.2"})));

  config.route53.secret_access_key = *base::ParseSecretRef("env:STEER_TEST_R53_UNSET");
  auto missing = MakeProvider(config, registry, deps);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("env:STEER_TEST_R53_UNSET"), std::string::npos);
}

}  // namespace
}  // namespace steer::dns
