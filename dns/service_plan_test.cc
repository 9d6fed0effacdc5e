#include "steer/dns/service_plan.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>

#include "test_fakes.h"

namespace steer::dns {
namespace {

config::ServiceConfig Login() {
  config::ServiceConfig s;
  s.name = "login";
  s.dns_name = "login.example.test";
  s.zone = "example.test";
  s.ttl = 30;
  s.regions = {{"us-east", {"198.51.100.10"}}, {"eu-west", {"203.0.113.10", "203.0.113.11"}}};
  return s;
}

TEST(ServicePlanTest, DesiredRRsetIsThePreferredRegionByDefault) {
  auto rrset = DesiredRRset(Login(), "");
  ASSERT_TRUE(rrset);
  EXPECT_EQ(rrset->name, "login.example.test.");
  EXPECT_EQ(rrset->records, std::vector<std::string>{"198.51.100.10"});
  auto eu = DesiredRRset(Login(), "eu-west");
  ASSERT_TRUE(eu);
  EXPECT_EQ(eu->records.size(), 2u);
  EXPECT_FALSE(DesiredRRset(Login(), "mars"));
}

TEST(ServicePlanTest, PlanReadsOnlyAndShowsTheDiff) {
  testing::FakeProvider provider;
  provider.zones["example.test."] = {RRset{"login.example.test.", "A", 60, {"198.51.100.10"}}};
  auto plan = PlanChange(provider, Login(), "eu-west");
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->pending);
  EXPECT_EQ(provider.writes, 0);
  std::string text = FormatPlan(*plan);
  EXPECT_NE(text.find("  - 198.51.100.10\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  + 203.0.113.10\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ttl 60 -> 30"), std::string::npos) << text;

  provider.zones["example.test."][0] = RRset{"login.example.test.", "A", 30, {"198.51.100.10"}};
  auto none = PlanChange(provider, Login(), "");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->pending);
  EXPECT_NE(FormatPlan(*none).find("no change"), std::string::npos);
}

TEST(ServicePlanTest, ProviderErrorsArePassedOn) {
  testing::FakeProvider provider;  // no zone at all
  auto plan = PlanChange(provider, Login(), "");
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::kNotFound);
}

TEST(ServicePlanTest, ConfiguredNameServersWin) {
  config::ServiceConfig s = Login();
  s.nameservers = {"127.0.0.1:5300", "127.0.0.2:5300"};
  config::ProviderConfig p;
  base::FakeClock clock;
  LdnsQuerier querier;
  PropagationChecker checker(querier, clock);
  auto servers = AuthoritativeServers(s, p, checker, std::chrono::milliseconds(100));
  ASSERT_TRUE(servers);
  EXPECT_EQ(servers->size(), 2u);
  s.nameservers.clear();
  EXPECT_FALSE(AuthoritativeServers(s, p, checker, std::chrono::milliseconds(100)));
}

config::ProviderConfig Provider(config::ProviderType type) {
  config::ProviderConfig p;
  p.name = "dns";
  p.type = type;
  p.powerdns.api_url = "http://127.0.0.1:8081";
  p.rfc2136.server = "127.0.0.1:5300";
  p.zonefile.path = "/tmp/example.test.zone";
  return p;
}

TEST(NameServerSourceTest, EachProviderTypeHasItsDefault) {
  using Kind = NameServerSource::Kind;
  auto pdns = FindNameServerSource(Login(), Provider(config::ProviderType::kPowerDns));
  ASSERT_TRUE(pdns) << pdns.error().message;
  EXPECT_EQ(pdns->kind, Kind::kServer);
  EXPECT_EQ(pdns->server, "127.0.0.1:53");  // the API's host, the DNS port
  EXPECT_EQ(pdns->key, "providers.dns.api_url");
  auto rfc = FindNameServerSource(Login(), Provider(config::ProviderType::kRfc2136));
  ASSERT_TRUE(rfc);
  EXPECT_EQ(rfc->kind, Kind::kServer);
  EXPECT_EQ(rfc->server, "127.0.0.1:5300");
  EXPECT_EQ(rfc->key, "providers.dns.server");
  for (auto type : {config::ProviderType::kRoute53, config::ProviderType::kCloudflare}) {
    auto cloud = FindNameServerSource(Login(), Provider(type));
    ASSERT_TRUE(cloud);
    EXPECT_EQ(cloud->kind, Kind::kResolver);
  }
}

TEST(NameServerSourceTest, PowerDnsApiHostForms) {
  config::ProviderConfig p = Provider(config::ProviderType::kPowerDns);
  p.powerdns.api_url = "https://[::1]:8081/api";
  EXPECT_EQ(FindNameServerSource(Login(), p)->server, "[::1]:53");
  p.powerdns.api_url = "http://pdns.internal/";
  EXPECT_EQ(FindNameServerSource(Login(), p)->server, "pdns.internal:53");
}

TEST(NameServerSourceTest, ZoneFileNeedsAKeyAndSaysWhich) {
  auto none = FindNameServerSource(Login(), Provider(config::ProviderType::kZoneFile));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(none.error().message.find("services.login.nameservers"), std::string::npos);
  EXPECT_NE(none.error().message.find("providers.dns.discovery_server"), std::string::npos);
}

TEST(NameServerSourceTest, EmbeddedVerifiesItsOwnListenAddresses) {
  config::ProviderConfig p = Provider(config::ProviderType::kEmbedded);
  p.embedded.listen = {"0.0.0.0:5353", "[::]:5353", "127.0.0.9:53"};
  auto found = FindNameServerSource(Login(), p);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->kind, NameServerSource::Kind::kListen);
  EXPECT_EQ(found->key, "providers.dns.listen");
  base::FakeClock clock;
  LdnsQuerier querier;
  PropagationChecker checker(querier, clock);
  auto servers = AuthoritativeServers(Login(), p, checker, std::chrono::milliseconds(100));
  ASSERT_TRUE(servers) << servers.error().message;
  ASSERT_EQ(servers->size(), 3u);
  EXPECT_EQ((*servers)[0].host, "127.0.0.1");  // a wildcard address is asked on loopback
  EXPECT_EQ((*servers)[0].port, 5353);
  EXPECT_EQ((*servers)[1].host, "::1");
  EXPECT_EQ((*servers)[2].host, "127.0.0.9");
  EXPECT_EQ((*servers)[2].port, 53);
}

TEST(NameServerSourceTest, ConfiguredThenDiscoveryServerWin) {
  config::ProviderConfig p = Provider(config::ProviderType::kZoneFile);
  p.discovery_server = "127.0.0.1:5353";
  auto found = FindNameServerSource(Login(), p);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, NameServerSource::Kind::kServer);
  EXPECT_EQ(found->key, "providers.dns.discovery_server");
  config::ServiceConfig s = Login();
  s.nameservers = {"127.0.0.1:5300"};
  EXPECT_EQ(FindNameServerSource(s, p)->kind, NameServerSource::Kind::kConfigured);
  s.nameservers = {"ns1.example.test:53"};  // valid host:port, but steerd asks by address
  auto bad = FindNameServerSource(s, p);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("services.login.nameservers"), std::string::npos);
}

// A service with several providers verifies each on its own servers: the provider's
// `nameservers`, before its discovery server; the service's own still come first.
TEST(NameServerSourceTest, AProvidersOwnNameServersComeBeforeItsDiscoveryServer) {
  config::ProviderConfig p = Provider(config::ProviderType::kRfc2136);
  p.discovery_server = "127.0.0.1:5353";
  p.nameservers = {"127.0.0.1:5301", "127.0.0.2:5301"};
  auto found = FindNameServerSource(Login(), p);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, NameServerSource::Kind::kConfigured);
  EXPECT_EQ(found->key, "providers.dns.nameservers");
  base::FakeClock clock;
  LdnsQuerier querier;
  PropagationChecker checker(querier, clock);
  auto servers = AuthoritativeServers(Login(), p, checker, std::chrono::milliseconds(100));
  ASSERT_TRUE(servers);
  ASSERT_EQ(servers->size(), 2u);
  EXPECT_EQ((*servers)[1].host, "127.0.0.2");
  EXPECT_EQ((*servers)[1].port, 5301);
  config::ServiceConfig s = Login();
  s.nameservers = {"127.0.0.9:53"};
  EXPECT_EQ(AuthoritativeServers(s, p, checker, std::chrono::milliseconds(100))->front().host,
            "127.0.0.9");
  p.nameservers = {"ns1.example.test:53"};
  auto bad = FindNameServerSource(Login(), p);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("providers.dns.nameservers"), std::string::npos);
}

// Answers from a table keyed by "server question": "127.0.0.1:53 example.test. NS".
class TableQuerier : public DnsQuerier {
 public:
  Result<QueryAnswer> Query(const NameServer& server, const std::string& name,
                            const std::string& type, std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string key = server.ToString() + " " + CanonicalName(name) + " " + type;
    asked.push_back(key + (server.recursive ? " RD" : ""));
    auto it = table.find(key);
    if (it == table.end()) return QueryAnswer{"REFUSED", false, std::nullopt, {}};
    return QueryAnswer{"NOERROR", !server.recursive, it->second, {}};
  }
  std::map<std::string, RRset> table;
  std::vector<std::string> asked;

 private:
  std::mutex mu_;
};

class DiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    resolv_conf_ = ::testing::TempDir() + "steer-resolv-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".conf";
    std::ofstream(resolv_conf_) << "# test\nsearch example.test\nnameserver 127.0.0.9\n";
  }
  void TearDown() override { std::remove(resolv_conf_.c_str()); }

  Result<std::vector<NameServer>> Discover(const config::ProviderConfig& p) {
    PropagationChecker checker(querier_, clock_);
    return AuthoritativeServers(Login(), p, checker, std::chrono::milliseconds(100), resolv_conf_);
  }

  TableQuerier querier_;
  base::FakeClock clock_;
  std::string resolv_conf_;
};

TEST_F(DiscoveryTest, PowerDnsAsksItsApiHostAndTheResolverForOutOfZoneNames) {
  querier_.table["127.0.0.1:53 example.test. NS"] =
      RRset{"example.test.", "NS", 300, {"ns1.example.test.", "ns2.example.net."}};
  querier_.table["127.0.0.1:53 ns1.example.test. A"] =
      RRset{"ns1.example.test.", "A", 300, {"127.0.0.2"}};
  querier_.table["resolver 127.0.0.9 ns2.example.net. AAAA"] =
      RRset{"ns2.example.net.", "AAAA", 300, {"::1"}};
  auto servers = Discover(Provider(config::ProviderType::kPowerDns));
  ASSERT_TRUE(servers) << servers.error().message;
  ASSERT_EQ(servers->size(), 2u);
  EXPECT_EQ((*servers)[0].host, "127.0.0.2");
  EXPECT_EQ((*servers)[0].port, 53);
  EXPECT_EQ((*servers)[1].host, "::1");
  EXPECT_EQ((*servers)[1].label, "ns2.example.net. (::1)");
  // In-zone names are never asked of the resolver: the zone's own server has their glue.
  for (const auto& q : querier_.asked) {
    if (q.find("resolver") != std::string::npos) {
      EXPECT_NE(q.find("ns2.example.net."), std::string::npos) << q;
      EXPECT_NE(q.find(" RD"), std::string::npos) << q;  // a resolver is asked to recurse
    }
  }
}

TEST_F(DiscoveryTest, CloudProvidersAskTheSystemResolverWithRecursion) {
  querier_.table["resolver 127.0.0.9 example.test. NS"] =
      RRset{"example.test.", "NS", 300, {"ns-1.awsdns-00.test."}};
  querier_.table["resolver 127.0.0.9 ns-1.awsdns-00.test. A"] =
      RRset{"ns-1.awsdns-00.test.", "A", 300, {"127.0.0.3"}};
  auto servers = Discover(Provider(config::ProviderType::kRoute53));
  ASSERT_TRUE(servers) << servers.error().message;
  ASSERT_EQ(servers->size(), 1u);
  EXPECT_EQ((*servers)[0].host, "127.0.0.3");
  EXPECT_EQ((*servers)[0].port, 53);
  EXPECT_FALSE((*servers)[0].recursive);  // verification itself asks without recursion
  EXPECT_EQ(querier_.asked.front(), "resolver 127.0.0.9 example.test. NS RD");
}

TEST_F(DiscoveryTest, NoResolverIsAClearError) {
  std::ofstream(resolv_conf_) << "search example.test\n";
  auto servers = Discover(Provider(config::ProviderType::kCloudflare));
  ASSERT_FALSE(servers);
  EXPECT_NE(servers.error().message.find("no nameserver in " + resolv_conf_), std::string::npos)
      << servers.error().message;
  EXPECT_TRUE(querier_.asked.empty());
}

TEST_F(DiscoveryTest, ErrorsNameTheKeyDiscoveryUsed) {
  auto servers = Discover(Provider(config::ProviderType::kRfc2136));  // nothing answers
  ASSERT_FALSE(servers);
  EXPECT_NE(servers.error().message.find("providers.dns.server"), std::string::npos)
      << servers.error().message;
}

}  // namespace
}  // namespace steer::dns
