#include "steer/dns/service_plan.h"

#include <gtest/gtest.h>

#include "steer/base/clock.h"
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

}  // namespace
}  // namespace steer::dns
