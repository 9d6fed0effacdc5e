// Addresses out of rotation (docs/policies.md, §11), table-driven on a virtual clock: us-east
// serves two addresses, each with its own probe; eu-west and ap-south serve one each.
#include <gtest/gtest.h>

#include <functional>
#include <ostream>

#include "steer/policies/engine.h"
#include "steer/policies/simulator.h"
#include "testing/fixtures.h"

namespace steer::policies {
namespace {

using testing::kOutside;
using testing::ThreeRegions;
using testing::TraceBuilder;

const char* const kA1 = "192.0.2.1";
const char* const kA2 = "192.0.2.11";

// What the loader does for `answers: [{address, probe}]`: the probe runs as a non-critical
// component "@address" of the region (config::ExpandAddressProbes).
config::Policy TwoProbedAddresses(int min_healthy) {
  config::Policy p = ThreeRegions();
  config::ServiceRegion& us = p.services[0].regions[0];
  us.answers = {kA1, kA2};
  us.probes.clear();
  us.min_healthy = min_healthy;
  for (const auto& address : us.answers) {
    config::ProbeConfig probe;
    probe.name = "address";
    probe.interval = Time(1000);
    probe.healthy_threshold = 2;
    probe.unhealthy_threshold = 3;
    us.probes.push_back(probe);
    p.regions[0].components.push_back(
        config::ComponentConfig{config::AddressComponentName(address), false, {probe}, {}});
  }
  return p;
}

struct PoolScenario {
  const char* name;
  int min_healthy;
  std::function<void(TraceBuilder&)> trace;
  std::vector<std::string> expected;  // "t action from->to cause answers"
};

void PrintTo(const PoolScenario& sc, std::ostream* os) { *os << sc.name; }

std::vector<std::string> ReplayAddresses(const PoolScenario& sc) {
  auto engine = Engine::Create(TwoProbedAddresses(sc.min_healthy));
  EXPECT_TRUE(engine) << engine.error().message;
  TraceBuilder b;
  sc.trace(b);
  auto events = Simulate(*engine, b.Build());
  EXPECT_TRUE(events) << events.error().message;
  std::vector<std::string> out;
  for (const auto& e : *events) {
    if (e.is_request || e.service != "web") continue;
    std::string answers;
    for (const auto& a : e.decision.answers) answers += (answers.empty() ? "" : "|") + a;
    out.push_back(std::to_string(e.t.count()) + " " + ActionName(e.decision.action) + " " +
                  e.decision.from + "->" + e.decision.to + " " + e.decision.cause + " " + answers);
  }
  return out;
}

// Every component healthy everywhere until `end`; each address's probe results come from
// `a1_ok(t)` and `a2_ok(t)`, from the vantage points `who` (the others see them healthy).
void Addresses(TraceBuilder& b, long end, const std::function<bool(long)>& a1_ok,
               const std::function<bool(long)>& a2_ok,
               const std::vector<std::string>& who = kOutside) {
  b.AllHealthy(kOutside, 0, end);
  for (long t = 0; t < end; t += 1000) {
    for (const auto& v : kOutside) {
      const bool counted = std::find(who.begin(), who.end(), v) != who.end();
      b.Probe({v}, "us-east", std::string("@") + kA1, !counted || a1_ok(t), t, t + 1, "HTTP 503");
      b.Probe({v}, "us-east", std::string("@") + kA2, !counted || a2_ok(t), t, t + 1, "HTTP 503");
    }
  }
}

bool Ok(long) { return true; }
bool FailsFrom10s(long t) { return t < 10000; }

const std::string kBoth = std::string(kA1) + "|" + kA2;

const PoolScenario kPoolScenarios[] = {
    {"OneOfTwoFailsRegionKeepsServingOne",
     1,
     [](TraceBuilder& b) { Addresses(b, 30000, FailsFrom10s, Ok); },
     {"0 none us-east->us-east healthy " + kBoth,
      "12000 none us-east->us-east healthy 192.0.2.11"}},
    {"BothFailFailoverToEuWest",
     1,
     [](TraceBuilder& b) { Addresses(b, 30000, FailsFrom10s, FailsFrom10s); },
     {"0 none us-east->us-east healthy " + kBoth, "12000 failover us-east->eu-west down 192.0.2.2",
      "12100 none eu-west->eu-west healthy 192.0.2.2"}},
    {"BelowMinHealthyTheRegionIsDown",
     2,
     [](TraceBuilder& b) { Addresses(b, 30000, FailsFrom10s, Ok); },
     {"0 none us-east->us-east healthy " + kBoth, "12000 failover us-east->eu-west down 192.0.2.2",
      "12100 none eu-west->eu-west healthy 192.0.2.2"}},
    // Two failures in a row, then a success, over and over: never 3 in a row.
    {"TwoFailuresInARowRemoveNothing",
     1,
     [](TraceBuilder& b) {
       Addresses(
           b, 30000, [](long t) { return t < 10000 || (t / 1000) % 3 == 0; }, Ok);
     },
     {"0 none us-east->us-east healthy " + kBoth}},
    // Down at 12 s; the first success at 20 s is one of the two healthy_threshold needs.
    {"RecoveryNeedsHealthyThreshold",
     1,
     [](TraceBuilder& b) {
       Addresses(
           b, 30000, [](long t) { return t < 10000 || t >= 20000; }, Ok);
     },
     {"0 none us-east->us-east healthy " + kBoth, "12000 none us-east->us-east healthy 192.0.2.11",
      "21000 none us-east->us-east healthy " + kBoth}},
    // One vantage point out of three is not a quorum.
    {"OneVantagePointIsNotAQuorum",
     1,
     [](TraceBuilder& b) { Addresses(b, 30000, FailsFrom10s, Ok, {"probe-a"}); },
     {"0 none us-east->us-east healthy " + kBoth}},
    {"TwoVantagePointsAreAQuorum",
     1,
     [](TraceBuilder& b) {
       Addresses(b, 30000, FailsFrom10s, Ok, {"probe-a", "probe-b"});
     },
     {"0 none us-east->us-east healthy " + kBoth,
      "12000 none us-east->us-east healthy 192.0.2.11"}},
};

class AddressScenario : public ::testing::TestWithParam<PoolScenario> {};

TEST_P(AddressScenario, Outline) { EXPECT_EQ(ReplayAddresses(GetParam()), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(Pool, AddressScenario, ::testing::ValuesIn(kPoolScenarios),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// Every address of us-east down and every other region down too: all_down keep holds us-east
// with all its answers: an RRset never ends empty.
TEST(AddressPool, AllDownKeepsEveryAnswer) {
  auto engine = Engine::Create(TwoProbedAddresses(1));
  ASSERT_TRUE(engine);
  TraceBuilder b;
  b.AllHealthy(kOutside, 0, 10000);
  for (const char* r : {"us-east", "eu-west", "ap-south"}) {
    b.Probe(kOutside, r, "auth", true, 10000, 30000);
    b.Probe(kOutside, r, "api", std::string(r) == "us-east", 10000, 30000, "HTTP 503");
  }
  for (const char* a : {kA1, kA2}) {
    b.Probe(kOutside, "us-east", std::string("@") + a, true, 0, 10000)
        .Probe(kOutside, "us-east", std::string("@") + a, false, 10000, 30000, "HTTP 503");
  }
  auto events = Simulate(*engine, b.Build());
  ASSERT_TRUE(events);
  const Decision& last = events->back().decision;
  EXPECT_EQ(last.action, Action::kHold);
  EXPECT_EQ(last.cause, "all_down_keep");
  EXPECT_EQ(last.to, "us-east");
  EXPECT_EQ(last.answers, (std::vector<std::string>{kA1, kA2}));
}

// The decision says which address is out and why.
TEST(AddressPool, ReasonNamesTheAddress) {
  auto engine = Engine::Create(TwoProbedAddresses(1));
  ASSERT_TRUE(engine);
  TraceBuilder b;
  Addresses(b, 15000, FailsFrom10s, Ok);
  auto events = Simulate(*engine, b.Build());
  ASSERT_TRUE(events);
  EXPECT_EQ(events->back().decision.sentence,
            "us-east healthy 3/3; out of rotation: 192.0.2.1: 3/3 vantage points saw it fail "
            "3\xC3\x97 (HTTP 503); us-east serves 1/2 addresses; serving us-east");
}

// Both addresses down: the failover's reason says why us-east counts as down.
TEST(AddressPool, FailoverReasonSaysBelowMinHealthy) {
  auto engine = Engine::Create(TwoProbedAddresses(1));
  ASSERT_TRUE(engine);
  TraceBuilder b;
  Addresses(b, 15000, FailsFrom10s, FailsFrom10s);
  auto events = Simulate(*engine, b.Build());
  ASSERT_TRUE(events);
  ASSERT_GE(events->size(), 2u);
  const Decision& failover = (*events)[1].decision;
  EXPECT_EQ(failover.action, Action::kFailover);
  EXPECT_NE(failover.sentence.find(
                "us-east down: 0/2 addresses up, min_healthy 1 (down: 192.0.2.1: 3/3 vantage "
                "points saw it fail 3\xC3\x97 (HTTP 503), 192.0.2.11: 3/3"),
            std::string::npos)
      << failover.sentence;
}

}  // namespace
}  // namespace steer::policies
