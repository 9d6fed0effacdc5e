// Table-driven scenarios on a virtual clock: each builds a trace, replays it and compares the
// outline of decision changes and operator outcomes with the expected one.
#include <gtest/gtest.h>

#include <functional>
#include <ostream>

#include "steer/policies/engine.h"
#include "steer/policies/simulator.h"
#include "testing/fixtures.h"

namespace steer::policies {
namespace {

using testing::kOutside;
using testing::Outline;
using testing::ThreeRegions;
using testing::TraceBuilder;

struct Scenario {
  const char* name;
  std::function<void(config::Policy&)> tweak;
  std::function<void(TraceBuilder&)> trace;
  std::vector<std::string> expected;
};

// Keeps ctest's case names short (gtest would otherwise print the struct's bytes).
void PrintTo(const Scenario& sc, std::ostream* os) { *os << sc.name; }

std::vector<std::string> Replay(const Scenario& sc) {
  auto policy = ThreeRegions();
  if (sc.tweak) sc.tweak(policy);
  auto engine = Engine::Create(policy);
  EXPECT_TRUE(engine) << engine.error().message;
  TraceBuilder b;
  sc.trace(b);
  auto events = Simulate(*engine, b.Build());
  EXPECT_TRUE(events) << events.error().message;
  return Outline(*events);
}

// Every probe's first result sets its state (Observe), so all start healthy at once.
const std::vector<std::string> kStart = {"0 none us-east->us-east healthy"};

std::vector<std::string> With(std::vector<std::string> tail) {
  auto out = kStart;
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

// Every component healthy from every outside vantage point until `end`, except us-east's api,
// which fails from 10 s on (the third failure, at 12 s, makes it unhealthy).
void UsEastApiFails(TraceBuilder& b, long end, long eu_west_api_ok_until = -1) {
  if (eu_west_api_ok_until < 0) eu_west_api_ok_until = end;
  b.AllHealthy(kOutside, 0, 10000).Probe(kOutside, "us-east", "api", false, 10000, end, "HTTP 503");
  for (const char* r : {"us-east", "eu-west", "ap-south"}) {
    b.Probe(kOutside, r, "auth", true, 10000, end).Probe(kOutside, r, "metrics", true, 10000, end);
  }
  b.Probe(kOutside, "eu-west", "api", true, 10000, eu_west_api_ok_until)
      .Probe(kOutside, "ap-south", "api", true, 10000, end);
}

// As above, but us-east's api answers again from 20 s (healthy at 21 s, 2 successes).
void UsEastApiFailsThenRecovers(TraceBuilder& b, long end) {
  UsEastApiFails(b, 20000);
  b.AllHealthy(kOutside, 20000, end);
}

// No anti-flap timers, so one rule can be watched alone.
config::ServiceConfig& Quick(config::Policy& p) {
  p.services[0].min_change_interval = Time(0);
  p.services[0].block_after_failover = Time(0);
  return p.services[0];
}

const Scenario kScenarios[] = {
    {"FlappingBelowThresholdNeverFailsOver", nullptr,
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000)
           .AllHealthy({"probe-b", "probe-c"}, 10000, 40000)
           .Probe(kOutside, "eu-west", "api", true, 10000, 40000)
           .Probe(kOutside, "ap-south", "api", true, 10000, 40000);
       // api fails twice, then succeeds once, over and over: never three failures in a row.
       for (long t = 10000; t < 40000; t += 3000) {
         b.Probe(kOutside, "us-east", "api", false, t, t + 2000, "HTTP 503")
             .Probe(kOutside, "us-east", "api", true, t + 2000, t + 3000);
       }
       b.Probe({"probe-a"}, "us-east", "auth", true, 10000, 40000);
     },
     kStart},
    {"OnePartitionedVantagePointNeverFailsOver", nullptr,
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000).AllHealthy({"probe-b", "probe-c"}, 10000, 60000);
       for (const char* r : {"us-east", "eu-west", "ap-south"}) {
         b.Probe({"probe-a"}, r, "api", false, 10000, 60000, "connect timeout")
             .Probe({"probe-a"}, r, "auth", false, 10000, 60000, "connect timeout");
       }
     },
     kStart},
    {"TwoOfThreeFailOverAtTheThirdFailure", nullptr,
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000)
           .Probe({"probe-a", "probe-b"}, "us-east", "auth", false, 10000, 20000, "HTTP 503")
           .Probe({"probe-c"}, "us-east", "auth", true, 10000, 20000)
           .Probe(kOutside, "us-east", "api", true, 10000, 20000);
       for (const char* r : {"eu-west", "ap-south"}) {
         b.Probe(kOutside, r, "api", true, 10000, 20000)
             .Probe(kOutside, r, "auth", true, 10000, 20000);
       }
     },
     // Failures at 10 s, 11 s, 12 s: the third (unhealthy_threshold 3) lands at 12 s.
     With({"12000 failover us-east->eu-west down", "12100 none eu-west->eu-west healthy"})},
    {"OwnAgentHealthyButOutsideDown", nullptr,
     [](TraceBuilder& b) {
       b.AllHealthy({"us-east"}, 0, 20000);
       UsEastApiFails(b, 20000);
     },
     With({"12000 failover us-east->eu-west down", "12100 none eu-west->eu-west healthy"})},
    {"StaleVantagePointsDoNotVote", nullptr,
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000).AllHealthy({"probe-c"}, 10000, 30000);
       b.Probe({"probe-c"}, "us-east", "api", false, 10000, 30000, "HTTP 503");
     },
     // probe-a and probe-b last reported at 9 s; at 12.1 s they are stale (3 x 1 s) and one
     // voter of three is no quorum: unknown, which holds.
     With({"12100 hold us-east->us-east unknown"})},
    {"NonCriticalComponentOnlyReported", nullptr,
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000);
       for (const char* r : {"us-east", "eu-west", "ap-south"}) {
         b.Probe(kOutside, r, "api", true, 10000, 20000)
             .Probe(kOutside, r, "auth", true, 10000, 20000);
       }
       b.Probe(kOutside, "us-east", "metrics", false, 10000, 20000, "HTTP 500");
     },
     kStart},
    {"AtLeastOneOfTwo",
     [](config::Policy& p) {
       for (auto& r : p.regions) r.health = {1, {"api", "auth"}};
     },
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000);
       for (const char* r : {"us-east", "eu-west", "ap-south"}) {
         b.Probe(kOutside, r, "api", true, 10000, 20000);
       }
       b.Probe(kOutside, "us-east", "auth", false, 10000, 20000, "HTTP 503");
     },
     kStart},
    {"HoldDown", [](config::Policy& p) { p.services[0].hold_down = Time(5000); },
     [](TraceBuilder& b) { UsEastApiFails(b, 20000); },
     With({"12000 hold us-east->us-east hold_down", "17000 failover us-east->eu-west down",
           "17100 none eu-west->eu-west healthy"})},
    {"AllDownKeeps", nullptr,
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000);
       for (const char* r : {"us-east", "eu-west", "ap-south"}) {
         b.Probe(kOutside, r, "api", false, 10000, 20000, "HTTP 503")
             .Probe(kOutside, r, "auth", true, 10000, 20000);
       }
     },
     With({"12000 hold us-east->us-east all_down_keep"})},
    {"AllDownServesAllThenRecovers",
     [](config::Policy& p) {
       p.services[0].all_down = config::AllDownMode::kServeAll;
       p.services[0].min_change_interval = Time(0);
     },
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000);
       for (const char* r : {"us-east", "eu-west", "ap-south"}) {
         b.Probe(kOutside, r, "api", false, 10000, 20000, "HTTP 503")
             .Probe(kOutside, r, "auth", true, 10000, 30000);
       }
       b.Probe(kOutside, "us-east", "api", false, 20000, 30000, "HTTP 503")
           .Probe(kOutside, "ap-south", "api", false, 20000, 30000, "HTTP 503")
           .Probe(kOutside, "eu-west", "api", true, 20000, 30000);
     },
     With({"12000 serve_all us-east->* all_down_serve_all", "12100 none *->* all_down_serve_all",
           "21000 failover *->eu-west recovered", "21100 none eu-west->eu-west healthy"})},
    // Defect 8: leaving serve_all is a failover with cause recovered whichever region it goes
    // to, the preferred one included (it used to be called a failback then).
    {"LeavingServeAllIsAFailoverEvenToThePreferredRegion",
     [](config::Policy& p) {
       p.services[0].all_down = config::AllDownMode::kServeAll;
       p.services[0].min_change_interval = Time(0);
     },
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000);
       for (const char* r : {"us-east", "eu-west", "ap-south"}) {
         b.Probe(kOutside, r, "api", false, 10000, 20000, "HTTP 503")
             .Probe(kOutside, r, "auth", true, 10000, 30000);
       }
       b.Probe(kOutside, "us-east", "api", true, 20000, 30000)
           .Probe(kOutside, "eu-west", "api", false, 20000, 30000, "HTTP 503")
           .Probe(kOutside, "ap-south", "api", false, 20000, 30000, "HTTP 503");
     },
     With({"12000 serve_all us-east->* all_down_serve_all", "12100 none *->* all_down_serve_all",
           "21000 failover *->us-east recovered", "21100 none us-east->us-east healthy"})},
    {"FailbackWaitsFailbackAfter", [](config::Policy& p) { Quick(p).failback_after = Time(30000); },
     [](TraceBuilder& b) { UsEastApiFailsThenRecovers(b, 60000); },
     With({"12000 failover us-east->eu-west down", "12100 none eu-west->eu-west healthy",
           "21000 hold eu-west->eu-west failback_wait", "51000 failback eu-west->us-east failback",
           "51100 none us-east->us-east healthy"})},
    // Defect 6: eu-west is healthy from 21 s, us-east only from 41 s. The service fails back
    // to eu-west once it has qualified (51 s), not to us-east 20 s later, and moves on to
    // us-east when that qualifies in turn.
    {"FailbackToTheBestRegionThatQualified",
     [](config::Policy& p) { Quick(p).failback_after = Time(30000); },
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000);
       for (const char* r : {"us-east", "eu-west", "ap-south"}) {
         b.Probe(kOutside, r, "auth", true, 10000, 90000)
             .Probe(kOutside, r, "metrics", true, 10000, 90000);
       }
       b.Probe(kOutside, "us-east", "api", false, 10000, 40000, "HTTP 503")
           .Probe(kOutside, "us-east", "api", true, 40000, 90000)
           .Probe(kOutside, "eu-west", "api", false, 10000, 20000, "HTTP 503")
           .Probe(kOutside, "eu-west", "api", true, 20000, 90000)
           .Probe(kOutside, "ap-south", "api", true, 10000, 90000);
     },
     With({"12000 failover us-east->ap-south down", "12100 none ap-south->ap-south healthy",
           "21000 hold ap-south->ap-south failback_wait",
           "51000 failback ap-south->eu-west failback", "51100 hold eu-west->eu-west failback_wait",
           "71000 failback eu-west->us-east failback", "71100 none us-east->us-east healthy"})},
    {"FailbackManual", [](config::Policy& p) { Quick(p).failback = config::FailbackMode::kManual; },
     [](TraceBuilder& b) { UsEastApiFailsThenRecovers(b, 60000); },
     With({"12000 failover us-east->eu-west down", "12100 none eu-west->eu-west healthy",
           "21000 none eu-west->eu-west failback_manual"})},
    {"BlockWindowUntilAcknowledged",
     [](config::Policy& p) {
       p.services[0].min_change_interval = Time(0);
       p.services[0].failback_after = Time(10000);
     },
     [](TraceBuilder& b) {
       UsEastApiFailsThenRecovers(b, 50000);
       b.Operator(40000, "ack", "", "service=web");
     },
     With({"12000 failover us-east->eu-west down", "12100 none eu-west->eu-west healthy",
           "21000 hold eu-west->eu-west failback_wait",
           "31000 blocked eu-west->eu-west block_window", "40000 ack allowed",
           "40000 failback eu-west->us-east failback", "40100 none us-east->us-east healthy"})},
    {"MinChangeInterval", [](config::Policy& p) { p.services[0].block_after_failover = Time(0); },
     [](TraceBuilder& b) {
       UsEastApiFails(b, 75000, 20000);
       b.Probe(kOutside, "eu-west", "api", false, 20000, 75000, "HTTP 502");
     },
     With({"12000 failover us-east->eu-west down", "12100 none eu-west->eu-west healthy",
           "22000 hold eu-west->eu-west min_change_interval",
           "72000 failover eu-west->ap-south down", "72100 none ap-south->ap-south healthy"})},
    {"MaxChangesPerHour", [](config::Policy& p) { Quick(p).safety.max_changes_per_hour = 1; },
     [](TraceBuilder& b) {
       UsEastApiFails(b, 30000, 20000);
       b.Probe(kOutside, "eu-west", "api", false, 20000, 30000, "HTTP 502");
     },
     With({"12000 failover us-east->eu-west down", "12100 none eu-west->eu-west healthy",
           "22000 blocked eu-west->eu-west max_changes_per_hour"})},
    {"PauseBlocksAutomaticChanges", nullptr,
     [](TraceBuilder& b) {
       UsEastApiFails(b, 30000);
       b.Operator(5000, "pause", "", "service=web").Operator(20000, "resume", "", "service=web");
     },
     With({"5000 pause allowed", "12000 blocked us-east->us-east paused", "20000 resume allowed",
           "20000 failover us-east->eu-west down", "20100 none eu-west->eu-west healthy"})},
    {"DrainMovesAwayAndRefusesTheLastRegion", [](config::Policy& p) { Quick(p); },
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 20000)
           .Operator(15000, "drain", "us-east")
           .Operator(16000, "drain", "eu-west")
           .Operator(17000, "drain", "ap-south");
     },
     With({"15000 drain us-east allowed", "15000 failover us-east->eu-west drained",
           "15100 none eu-west->eu-west healthy", "16000 drain eu-west allowed",
           "16000 failover eu-west->ap-south drained", "16100 none ap-south->ap-south healthy",
           "17000 drain ap-south refused(at_least_one_serving)"})},
    {"ForcePinExpires", [](config::Policy& p) { Quick(p).failback_after = Time(0); },
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 40000)
           .Operator(10000, "force", "ap-south", "service=web;until=30000");
     },
     With({"10000 force ap-south allowed", "10000 forced us-east->ap-south forced",
           "10100 none ap-south->ap-south pinned", "30000 failback ap-south->us-east failback",
           "30100 none us-east->us-east healthy"})},
    {"SwitchoverToDownRegionRefusedForceNamesRule", nullptr,
     [](TraceBuilder& b) {
       b.AllHealthy(kOutside, 0, 10000);
       for (const char* r : {"us-east", "ap-south"}) {
         b.Probe(kOutside, r, "api", true, 10000, 25000)
             .Probe(kOutside, r, "auth", true, 10000, 25000);
       }
       b.Probe(kOutside, "eu-west", "api", false, 10000, 25000, "HTTP 503")
           .Probe(kOutside, "eu-west", "auth", true, 10000, 25000)
           .Operator(15000, "switchover", "eu-west", "service=web")
           .Operator(16000, "force", "eu-west", "service=web")
           .Operator(17000, "force", "eu-west", "service=web;bypass=at_least_one_serving")
           .Operator(20000, "switchover", "ap-south", "service=web");
     },
     With({"15000 switchover eu-west refused(healthy_target)",
           "16000 force eu-west refused(at_least_one_serving)", "17000 force eu-west allowed",
           "17000 forced us-east->eu-west forced", "17100 none eu-west->eu-west pinned",
           "20000 switchover ap-south refused(min_change_interval)"})},
};

class PoliciesScenario : public ::testing::TestWithParam<Scenario> {};

TEST_P(PoliciesScenario, Replays) { EXPECT_EQ(Replay(GetParam()), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(Policies, PoliciesScenario, ::testing::ValuesIn(kScenarios),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace steer::policies
