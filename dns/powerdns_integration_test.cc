// PowerDNS Authoritative for real: two pdns_server processes serving one sqlite database
// (two authoritative servers of the zone), written through the HTTP API.
#include <gtest/gtest.h>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/dns/powerdns_provider.h"
#include "steer/dns/propagation.h"
#include "steer/dns/safe_writer.h"
#include "steer/dns/service_plan.h"
#include "steer/testsupport/log_capture.h"
#include "steer/testsupport/pdns_server.h"
#include "test_zone.h"

namespace steer::dns {
namespace {

using std::chrono::milliseconds;
using testsupport::PdnsServer;

class Audits : public AuditSink {
 public:
  Result<void> RecordIntent(const ChangeAudit&) override { return {}; }
  void Record(const ChangeAudit& a) override { audits.push_back(a); }
  std::vector<ChangeAudit> audits;
};

class PowerDnsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    primary_ = std::make_unique<PdnsServer>();
    primary_->CreateZone(kZone, {"ns1.example.test.", "ns2.example.test."},
                         {{"ns1.example.test.", "A", 30, {"127.0.0.1"}},
                          {"ns2.example.test.", "A", 30, {"127.0.0.1"}},
                          {"login.example.test.", "A", 30, {"127.0.0.2"}}});
    testsupport::PdnsOptions second;
    second.shared_database = primary_->database();
    second_ = std::make_unique<PdnsServer>(second);
    provider_ = MakeProviderFor(primary_->api_key());
  }

  std::unique_ptr<PowerDnsProvider> MakeProviderFor(const std::string& key) {
    return std::make_unique<PowerDnsProvider>(
        PowerDnsOptions{"powerdns:it", primary_->api_url(), "localhost", key, milliseconds(2000)},
        http_);
  }

  std::vector<NameServer> Servers() const {
    return {{"127.0.0.1", primary_->dns_port(), ""}, {"127.0.0.1", second_->dns_port(), ""}};
  }

  std::shared_ptr<base::HttpClient> http_ = base::MakeCurlHttpClient();
  std::unique_ptr<PdnsServer> primary_;
  std::unique_ptr<PdnsServer> second_;
  std::unique_ptr<PowerDnsProvider> provider_;
  base::SystemClock clock_;
  base::SystemRandom random_;
  RateLimiter limiter_{50.0, 50.0, clock_};
  Audits audits_;
};

TEST_F(PowerDnsIntegrationTest, ReplaceReadBackAndEveryServerAnswers) {
  SafeWriter writer(*provider_, limiter_, clock_, random_, &audits_);
  RRset want{"login.example.test.", "A", 30, {"127.0.0.3", "127.0.0.4"}};
  auto result = writer.Replace(kZone, want);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->outcome, ChangeOutcome::kApplied);
  EXPECT_EQ(result->before->records, std::vector<std::string>{"127.0.0.2"});
  EXPECT_TRUE(SameRRset(result->after, want));
  ASSERT_EQ(audits_.audits.size(), 1u);
  EXPECT_EQ(audits_.audits[0].provider, "powerdns:it");

  LdnsQuerier querier;
  PropagationChecker checker(querier, clock_);
  auto report = checker.WaitFor(want, Servers(), PropagationOptions{milliseconds(5000)});
  EXPECT_TRUE(report.complete);
  for (const auto& s : report.servers) {
    EXPECT_TRUE(s.in_sync) << s.server.ToString() << ": " << s.last_error;
  }

  // The same change again is a no-op.
  auto again = writer.Replace(kZone, want);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, ChangeOutcome::kUnchanged);
}

TEST_F(PowerDnsIntegrationTest, NameServersComeFromTheZonesNsSet) {
  LdnsQuerier querier;
  PropagationChecker checker(querier, clock_);
  auto servers = checker.ResolveNameServers(kZone, Servers()[0], milliseconds(1000));
  ASSERT_TRUE(servers) << servers.error().message;
  ASSERT_EQ(servers->size(), 2u);
  EXPECT_EQ((*servers)[0].port, primary_->dns_port());
}

// A powerdns service without `nameservers`: the NS set (ns1 -> 127.0.0.1, ns2 -> 127.0.0.2) is
// discovered at the provider's DNS listener and both servers prove the change landed.
TEST_F(PowerDnsIntegrationTest, AServiceWithoutNameServersDiscoversAndVerifiesTheNsSet) {
  ASSERT_EQ(primary_->Api("PATCH", "/api/v1/servers/localhost/zones/example.test.",
                          R"({"rrsets": [{"name": "ns2.example.test.", "type": "A", "ttl": 30,
                              "changetype": "REPLACE",
                              "records": [{"content": "127.0.0.2", "disabled": false}]}]})"),
            204);
  testsupport::PdnsOptions on_two;  // a server of the zone answering on both addresses
  on_two.shared_database = primary_->database();
  on_two.extra_config = {"local-address=127.0.0.1, 127.0.0.2"};
  PdnsServer both(on_two);
  config::ServiceConfig service;
  service.name = "login";
  service.zone = kZone;
  config::ProviderConfig provider;
  provider.name = "pdns";
  provider.powerdns.api_url = primary_->api_url();
  // The test server listens on a free port; in production the default is api_url's host on
  // port 53 (tests/examples starts the example policy that way).
  provider.discovery_server = "127.0.0.1:" + std::to_string(both.dns_port());

  LdnsQuerier querier;
  PropagationChecker checker(querier, clock_);
  auto servers = AuthoritativeServers(service, provider, checker, milliseconds(1000),
                                      "/nonexistent/resolv.conf");  // no resolver: loopback only
  ASSERT_TRUE(servers) << servers.error().message;
  ASSERT_EQ(servers->size(), 2u);
  EXPECT_EQ((*servers)[0].label, "ns1.example.test. (127.0.0.1)");
  EXPECT_EQ((*servers)[1].label, "ns2.example.test. (127.0.0.2)");

  SafeWriter writer(*provider_, limiter_, clock_, random_, &audits_);
  RRset want{"login.example.test.", "A", 30, {"127.0.0.7"}};
  ASSERT_TRUE(writer.Replace(kZone, want));
  auto report = checker.WaitFor(want, *servers, PropagationOptions{milliseconds(5000)});
  EXPECT_TRUE(report.complete);
  for (const auto& s : report.servers) {
    EXPECT_TRUE(s.in_sync) << s.server.ToString() << ": " << s.last_error;
  }
}

TEST_F(PowerDnsIntegrationTest, AZoneThatDoesNotExistIsNotFound) {
  auto read = provider_->Read("missing.test.", "a.missing.test.", "A");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  auto write =
      provider_->Replace("missing.test.", RRset{"a.missing.test.", "A", 30, {"127.0.0.1"}});
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kNotFound) << write.error().message;
}

TEST_F(PowerDnsIntegrationTest, AWrongApiKeyIsRefused) {
  auto wrong = MakeProviderFor("not-the-key");
  auto write = wrong->Replace(kZone, RRset{"login.example.test.", "A", 30, {"127.0.0.9"}});
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kPermissionDenied) << write.error().message;
}

TEST_F(PowerDnsIntegrationTest, AServerThatIsDownIsUnavailableAfterRetries) {
  primary_->Stop();
  SafeWriterOptions options;
  options.retry = RetryOptions{3, milliseconds(10), milliseconds(20)};
  SafeWriter writer(*provider_, limiter_, clock_, random_, &audits_, options);
  auto result = writer.Replace(kZone, RRset{"login.example.test.", "A", 30, {"127.0.0.3"}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable) << result.error().message;
  LdnsQuerier querier;
  auto answer = querier.Query(Servers()[0], "login.example.test.", "A", milliseconds(500));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kUnavailable) << answer.error().message;
}

TEST_F(PowerDnsIntegrationTest, TheApiKeyNeverAppearsInLogsOrErrors) {
  testsupport::LogCapture capture({"dns"});
  std::string errors;
  SafeWriter writer(*provider_, limiter_, clock_, random_, &audits_);
  ASSERT_TRUE(writer.Replace(kZone, RRset{"login.example.test.", "A", 30, {"127.0.0.5"}}));
  auto missing = writer.Replace("missing.test.", RRset{"a.missing.test.", "A", 30, {"127.0.0.1"}});
  ASSERT_FALSE(missing);
  errors += missing.error().message;
  for (const auto& a : audits_.audits) errors += a.error;
  EXPECT_NE(capture.Text().find("login.example.test."), std::string::npos);
  EXPECT_EQ(capture.Text().find(primary_->api_key()), std::string::npos);
  EXPECT_EQ(errors.find(primary_->api_key()), std::string::npos);
}

}  // namespace
}  // namespace steer::dns
