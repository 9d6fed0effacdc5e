// VantageSync's pure parts: the heartbeat period and the change test deciding when a report
// is published.
#include "vantage_sync.h"

#include <gtest/gtest.h>

namespace steer::agent {
namespace {

using std::chrono::milliseconds;

config::ProbeConfig Probe(int64_t interval_ms) {
  config::ProbeConfig p;
  p.name = "p" + std::to_string(interval_ms);
  p.interval = milliseconds(interval_ms);
  return p;
}

config::ComponentConfig Component(const std::string& name,
                                  std::vector<config::ProbeConfig> probes) {
  config::ComponentConfig c;
  c.name = name;
  c.probes = std::move(probes);
  return c;
}

config::RegionConfig Region(const std::string& name,
                            std::vector<config::ComponentConfig> components) {
  config::RegionConfig r;
  r.name = name;
  r.components = std::move(components);
  return r;
}

config::ServiceConfig Service(double stale_after) {
  config::ServiceConfig s;
  s.name = "s" + std::to_string(stale_after);
  s.quorum.stale_after = stale_after;
  return s;
}

// Two regions, probes of 2 s, 5 s and 1.5 s: the shortest interval is 1.5 s.
config::Policy PolicyWithProbes() {
  config::Policy policy;
  policy.regions = {
      Region("eu", {Component("app", {Probe(2000), Probe(5000)})}),
      Region("us", {Component("db", {Probe(6000)}), Component("app", {Probe(1500)})})};
  return policy;
}

TEST(HeartbeatPeriodTest, AThirdOfTheShortestStaleWindow) {
  config::Policy policy = PolicyWithProbes();
  policy.services = {Service(4), Service(2), Service(6)};
  EXPECT_EQ(MinStaleAfter(policy), 2);
  EXPECT_EQ(HeartbeatPeriod(policy), milliseconds(1000));  // 2 x 1500 / 3
}

TEST(HeartbeatPeriodTest, NoServicesMeansStaleAfterThree) {
  config::Policy policy = PolicyWithProbes();
  EXPECT_EQ(MinStaleAfter(policy), 3);
  EXPECT_EQ(HeartbeatPeriod(policy), milliseconds(1500));  // 3 x 1500 / 3
}

TEST(HeartbeatPeriodTest, AtLeastAHundredMilliseconds) {
  config::Policy policy;
  policy.regions = {Region("eu", {Component("app", {Probe(200)})})};
  policy.services = {Service(1)};
  EXPECT_EQ(HeartbeatPeriod(policy), milliseconds(100));  // 200 / 3 = 66 -> 100
  policy.services = {Service(1.5)};
  EXPECT_EQ(HeartbeatPeriod(policy), milliseconds(100));  // exactly 100
  policy.services = {Service(3)};
  EXPECT_EQ(HeartbeatPeriod(policy), milliseconds(200));
}

VantageReport Report() {
  return {"eu-west",
          "eu",
          {{"eu", "app", "healthz", policies::Health::kHealthy, 4, 0, 120, ""},
           {"us", "app", "healthz", policies::Health::kUnhealthy, 0, 3, 80, "timeout"}}};
}

TEST(ReportChangedTest, AgesStreaksAndReceiveTimeDoNotCount) {
  const VantageReport before = Report();
  VantageReport after = Report();
  EXPECT_FALSE(ReportChanged(before, after));
  after.targets[0].consecutive_ok = 40;
  after.targets[1].consecutive_fail = 9;
  after.targets[0].consecutive_fail = 1;
  after.targets[1].consecutive_ok = 2;
  after.targets[0].age_ms = 5000;
  after.targets[1].age_ms = 1;
  after.received_ms = 123456;
  EXPECT_FALSE(ReportChanged(before, after));
}

TEST(ReportChangedTest, StateErrorTargetSetAndVantageCount) {
  const VantageReport before = Report();
  std::vector<std::pair<std::string, std::function<void(VantageReport&)>>> changes = {
      {"state", [](VantageReport& r) { r.targets[0].state = policies::Health::kUnhealthy; }},
      {"state unknown", [](VantageReport& r) { r.targets[1].state = policies::Health::kUnknown; }},
      {"error", [](VantageReport& r) { r.targets[1].error = "connection refused"; }},
      {"error cleared", [](VantageReport& r) { r.targets[1].error = ""; }},
      {"target added", [](VantageReport& r) { r.targets.push_back(r.targets[0]); }},
      {"target removed", [](VantageReport& r) { r.targets.pop_back(); }},
      {"target region", [](VantageReport& r) { r.targets[0].region = "ap"; }},
      {"target component", [](VantageReport& r) { r.targets[0].component = "db"; }},
      {"target probe", [](VantageReport& r) { r.targets[1].probe = "tcp"; }},
      {"vantage", [](VantageReport& r) { r.vantage = "us-east"; }},
      {"home region", [](VantageReport& r) { r.home_region = ""; }},
  };
  for (const auto& [what, change] : changes) {
    VantageReport after = Report();
    change(after);
    EXPECT_TRUE(ReportChanged(before, after)) << what;
    EXPECT_TRUE(ReportChanged(after, before)) << what;
  }
  EXPECT_TRUE(ReportChanged(VantageReport{}, before)) << "nothing published yet";
}

}  // namespace
}  // namespace steer::agent
