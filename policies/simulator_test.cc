// Trace parsing errors, reason sentences and operator checks outside a replay.
#include "steer/policies/simulator.h"

#include <gtest/gtest.h>

#include "steer/policies/engine.h"
#include "testing/fixtures.h"

namespace steer::policies {
namespace {

using testing::kOutside;
using testing::ThreeRegions;
using testing::TraceBuilder;

Engine MakeEngine() { return *Engine::Create(ThreeRegions()); }

TEST(PoliciesTrace, NameTheLine) {
  const Engine engine = MakeEngine();
  struct Case {
    const char* trace;
    const char* error;
  };
  const Case cases[] = {
      {"", "trace line 1: no header line"},
      {"t_ms,vantage,region,ok\n", "trace line 1: header lacks column 'component'"},
      {"t_ms,vantage,region,component,ok\n0,a,mars,api,1\n", "trace line 2: unknown region 'mars'"},
      {"t_ms,vantage,region,component,ok\n0,a,us-east,db,1\n",
       "trace line 2: region us-east has no component 'db'"},
      {"t_ms,vantage,region,component,ok\n# note\n5,a,us-east,api,1\n4,a,us-east,api,1\n",
       "trace line 4: time 4 is before line 3's 5"},
      {"t_ms,vantage,region,component,ok\n0,a,us-east,api\n", "trace line 2: expected at least 5"},
      {"t_ms,vantage,region,component,ok\nx,a,us-east,api,1\n", "trace line 2: t_ms 'x'"},
      {"t_ms,vantage,region,component,ok\n0,a,us-east,api,maybe\n", "trace line 2: ok 'maybe'"},
      {"t_ms,vantage,region,component,ok\n0,@operator,,explode,\n",
       "trace line 2: unknown operator command 'explode'"},
      {"t_ms,vantage,region,component,ok\n0,@operator,us-east,force,service=web;bypass=all\n",
       "trace line 2: unknown rule 'all'"},
      {"t_ms,vantage,region,component,ok\n0,@operator,,ack,service=nope\n",
       "trace line 2: unknown service 'nope'"},
  };
  for (const auto& c : cases) {
    auto result = Simulate(engine, c.trace);
    ASSERT_FALSE(result) << c.trace;
    EXPECT_EQ(result.error().message.rfind(c.error, 0), 0u) << result.error().message;
  }
}

TEST(PoliciesTrace, ExtraColumnsAnyOrderAndErrorText) {
  const Engine engine = MakeEngine();
  std::string trace = "region,ok,component,t_ms,vantage,error,note\n";
  for (long t = 0; t < 12000; t += 1000) {
    for (const char* r : {"us-east", "eu-west", "ap-south"}) {
      for (const char* c : {"api", "auth"}) {
        for (const char* v : {"probe-a", "probe-b", "probe-c"}) {
          bool ok = !(std::string(r) == "us-east" && std::string(c) == "auth" && t >= 5000);
          trace += std::string(r) + "," + (ok ? "1" : "0") + "," + c + "," + std::to_string(t) +
                   "," + v + "," + (ok ? "" : "HTTP 503") + ",ignored\n";
        }
      }
    }
  }
  auto events = Simulate(engine, trace);
  ASSERT_TRUE(events) << events.error().message;
  const Decision* failover = nullptr;
  for (const auto& e : *events) {
    if (e.decision.action == Action::kFailover) failover = &e.decision;
  }
  ASSERT_NE(failover, nullptr);
  EXPECT_EQ(failover->sentence,
            "us-east down: 3/3 vantage points saw auth fail 3\xC3\x97 (HTTP 503); eu-west healthy "
            "3/3; failover us-east \xE2\x86\x92 eu-west");
  EXPECT_EQ(failover->answers, std::vector<std::string>{"192.0.2.2"});
}

// Found by fuzz.trace_csv: a row near the largest long long made the next tick overflow to a
// negative time, and the replay then stepped towards the end for ever.
TEST(PoliciesTrace, TimesAndStepsAtTheirLimitsEndOrAreRefused) {
  const Engine engine = MakeEngine();
  const std::string header = "t_ms,vantage,region,component,ok\n";
  const std::string max = std::to_string(kMaxTraceTimeMs);
  for (const std::string& t :
       {std::to_string(kMaxTraceTimeMs + 1), std::string("9223372036854775807")}) {
    auto refused = Simulate(engine, header + t + ",a,us-east,api,1\n");
    ASSERT_FALSE(refused) << t;
    EXPECT_EQ(refused.error().message,
              "trace line 2: t_ms '" + t + "' is not an integer from 0 to " + max);
  }
  // One row at the last time: one tick. A step as large as a Time holds: still one tick each.
  auto last = Simulate(engine, header + max + ",a,us-east,api,1\n");
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_FALSE(last->empty());
  SimulationOptions huge;
  huge.step = Time::max();
  int ticks = 0;
  huge.on_tick = [&](Time, const Decision& d) { ticks += d.service == "web" ? 1 : 0; };
  auto two = Simulate(engine, header + "0,a,us-east,api,1\n" + max + ",a,us-east,api,1\n", huge);
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ(ticks, 2);
  // Too many ticks for the step: refused up front, naming the span and the step.
  auto span = Simulate(engine, header + "0,a,us-east,api,1\n" + max + ",a,us-east,api,1\n");
  ASSERT_FALSE(span);
  EXPECT_EQ(span.error().message.rfind("trace spans " + max + " ms: at a step of ", 0), 0u)
      << span.error().message;
  SimulationOptions coarse;
  coarse.step = Time(kMaxTraceTimeMs / 1000);
  EXPECT_TRUE(
      Simulate(engine, header + "0,a,us-east,api,1\n" + max + ",a,us-east,api,1\n", coarse));
}

TEST(PoliciesSentence, ShowsTheRegionsOwnView) {
  const Engine engine = MakeEngine();
  TraceBuilder b;
  b.AllHealthy(kOutside, 0, 5000).AllHealthy({"us-east"}, 0, 9000);
  b.Probe(kOutside, "us-east", "api", false, 5000, 9000, "connect timeout");
  for (const char* r : {"eu-west", "ap-south"}) b.Probe(kOutside, r, "api", true, 5000, 9000);
  for (const char* r : {"us-east", "eu-west", "ap-south"}) {
    b.Probe(kOutside, r, "auth", true, 5000, 9000);
  }
  auto events = Simulate(engine, b.Build());
  ASSERT_TRUE(events);
  const Decision* failover = nullptr;
  for (const auto& e : *events) {
    if (e.decision.action == Action::kFailover) failover = &e.decision;
  }
  ASSERT_NE(failover, nullptr);
  // The region's own agent does not vote on us-east but does on eu-west (4 voters).
  EXPECT_EQ(failover->sentence,
            "us-east down: 3/3 vantage points saw api fail 3\xC3\x97 (connect timeout); its own "
            "vantage points: 1 healthy, 0 down; eu-west healthy 4/4; failover us-east \xE2\x86\x92 "
            "eu-west");
}

class PoliciesCheck : public ::testing::Test {
 protected:
  PoliciesCheck() : engine_(MakeEngine()), view_(engine_.layout()) {
    for (const auto& name : kOutside) view_.AddVantage({name, ""});
    for (int v = 0; v < 3; ++v) {
      for (size_t t = 0; t < engine_.layout().targets().size(); ++t) {
        view_.Set(v, static_cast<int>(t), {Health::kHealthy, true, Time(1000), 5, 0, ""});
      }
    }
  }
  void SetDown(const std::string& region) {
    const int r = engine_.layout().FindRegion(region);
    for (int v = 0; v < 3; ++v) {
      view_.Set(v, engine_.layout().FindTarget(r, 0, "api-check"),
                {Health::kUnhealthy, true, Time(1000), 0, 3, "HTTP 503"});
    }
  }
  RequestCheck Ask(RequestKind kind, const std::string& region, std::vector<Rule> bypass = {}) {
    return engine_.Check({kind, "web", region, std::move(bypass)}, view_, states_, overrides_,
                         Time(2000));
  }
  Engine engine_;
  HealthView view_;
  std::vector<ServiceState> states_;
  Overrides overrides_;
};

TEST_F(PoliciesCheck, SwitchoverOnlyToAHealthyRegion) {
  SetDown("eu-west");
  auto refused = Ask(RequestKind::kSwitchover, "eu-west");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.refused_by, Rule::kHealthyTarget);
  EXPECT_TRUE(Ask(RequestKind::kSwitchover, "ap-south").allowed);
  EXPECT_FALSE(Ask(RequestKind::kSwitchover, "ap-south", {Rule::kMinChangeInterval}).allowed);
  EXPECT_EQ(Ask(RequestKind::kSwitchover, "mars").refused_by, Rule::kKnownTarget);
}

TEST_F(PoliciesCheck, ForceNamesEachRuleItBypasses) {
  SetDown("eu-west");
  states_.resize(1);
  states_[0].initialized = true;
  states_[0].region = "us-east";
  states_[0].last_change = Time(1500);
  states_[0].changes = {Time(500), Time(1000), Time(1200), Time(1300), Time(1400), Time(1500)};
  EXPECT_EQ(Ask(RequestKind::kForce, "eu-west").refused_by, Rule::kAtLeastOneServing);
  EXPECT_EQ(Ask(RequestKind::kForce, "eu-west", {Rule::kAtLeastOneServing}).refused_by,
            Rule::kMinChangeInterval);
  EXPECT_EQ(
      Ask(RequestKind::kForce, "eu-west", {Rule::kAtLeastOneServing, Rule::kMinChangeInterval})
          .refused_by,
      Rule::kMaxChangesPerHour);
  auto ok = Ask(RequestKind::kForce, "eu-west",
                {Rule::kAtLeastOneServing, Rule::kMinChangeInterval, Rule::kMaxChangesPerHour});
  EXPECT_TRUE(ok.allowed) << ok.reason;
  overrides_.drains.push_back({"ap-south", std::nullopt});
  EXPECT_EQ(Ask(RequestKind::kForce, "ap-south").refused_by, Rule::kNotDrained);
}

TEST_F(PoliciesCheck, DrainKeepsOneHealthyRegionAndExpires) {
  SetDown("eu-west");
  overrides_.drains.push_back({"ap-south", Time(3000)});
  auto refused = Ask(RequestKind::kDrain, "us-east");
  EXPECT_EQ(refused.refused_by, Rule::kAtLeastOneServing);
  EXPECT_TRUE(Ask(RequestKind::kDrain, "us-east", {Rule::kAtLeastOneServing}).allowed);
  EXPECT_TRUE(
      engine_
          .Check({RequestKind::kDrain, "", "us-east", {}}, view_, states_, overrides_, Time(3000))
          .allowed)
      << "the ap-south drain expired at 3000";
}

}  // namespace
}  // namespace steer::policies

namespace steer::policies {
namespace {

// Two services share every region but not their quorum: each gets its own verdict, and
// Evaluate (which assesses shared regions once) agrees with Decide service by service.
TEST(PoliciesEngine, SharedRegionsKeepTheirOwnQuorum) {
  auto policy = ThreeRegions();
  auto strict = policy.services[0];
  strict.name = "web-strict";
  strict.quorum.count = 3;
  policy.services.push_back(strict);
  auto engine = Engine::Create(policy);
  ASSERT_TRUE(engine);
  TraceBuilder b;
  b.AllHealthy(kOutside, 0, 10000)
      .Probe({"probe-a", "probe-b"}, "us-east", "api", false, 10000, 15000, "HTTP 503")
      .Probe({"probe-c"}, "us-east", "api", true, 10000, 15000);
  for (const char* r : {"us-east", "eu-west", "ap-south"}) {
    b.Probe(kOutside, r, "auth", true, 10000, 15000);
  }
  for (const char* r : {"eu-west", "ap-south"}) b.Probe(kOutside, r, "api", true, 10000, 15000);
  auto events = Simulate(*engine, b.Build());
  ASSERT_TRUE(events);
  const std::vector<std::string> start = {"0 none us-east->us-east healthy"};
  auto web = start;
  web.insert(web.end(),
             {"12000 failover us-east->eu-west down", "12100 none eu-west->eu-west healthy"});
  auto strict_run = start;
  strict_run.push_back("12000 hold us-east->us-east unknown");
  EXPECT_EQ(testing::Outline(*events, "web"), web);
  EXPECT_EQ(testing::Outline(*events, "web-strict"), strict_run);

  HealthView view(engine->layout());
  for (int v = 0; v < 3; ++v) view.AddVantage({kOutside[static_cast<size_t>(v)], ""});
  for (size_t t = 0; t < engine->layout().targets().size(); ++t) {
    for (int v = 0; v < 3; ++v) {
      const bool down = t == 0 && v < 2;  // us-east api, from probe-a and probe-b
      view.Set(v, static_cast<int>(t),
               {down ? Health::kUnhealthy : Health::kHealthy, true, Time(1000), 0, 3, ""});
    }
  }
  const std::vector<ServiceState> states(2);
  auto all = engine->Evaluate(view, states, {}, Time(1500));
  for (int s = 0; s < 2; ++s) {
    auto one = engine->Decide(s, view, states[static_cast<size_t>(s)], {}, Time(1500));
    EXPECT_EQ(all[static_cast<size_t>(s)].sentence, one.sentence);
    EXPECT_EQ(all[static_cast<size_t>(s)].action, one.action);
  }
  EXPECT_EQ(all[0].action, Action::kFailover);
  EXPECT_EQ(all[1].action, Action::kHold);
}

// A better region that has just turned healthy again (it flaps) does not hold up the failback
// to a region that has qualified; that failback names it, and it gets its own failback once
// it has qualified too, after min_change_interval.
TEST(PoliciesEngine, FailbackGoesToTheBestQualifiedRegion) {
  auto policy = ThreeRegions();
  policy.services[0].failback_after = Time(30000);
  auto engine = Engine::Create(policy);
  ASSERT_TRUE(engine);
  HealthView view(engine->layout());
  for (const auto& name : kOutside) view.AddVantage({name, ""});
  auto all_healthy_at = [&](Time t) {
    for (int v = 0; v < 3; ++v) {
      for (size_t i = 0; i < engine->layout().targets().size(); ++i) {
        view.Set(v, static_cast<int>(i), {Health::kHealthy, true, t, 5, 0, ""});
      }
    }
  };
  const Time now(100000);
  ServiceState st;
  st.initialized = true;
  st.region = "ap-south";
  st.tracks = {{"us-east", Health::kHealthy, now - Time(1000)},
               {"eu-west", Health::kHealthy, now - Time(40000)},
               {"ap-south", Health::kHealthy, Time(0)}};
  all_healthy_at(now);
  auto d = engine->Decide(0, view, st, {}, now);
  EXPECT_EQ(d.action, Action::kFailback);
  EXPECT_EQ(d.cause, "failback");
  EXPECT_EQ(d.to, "eu-west");
  EXPECT_EQ(d.sentence,
            "ap-south healthy 3/3; us-east healthy for 1s of failback_after 30s; eu-west healthy "
            "3/3; failback ap-south \xE2\x86\x92 eu-west");

  all_healthy_at(now + Time(29000));  // us-east has qualified; the last change was 29 s ago
  auto held = engine->Decide(0, view, d.next, {}, now + Time(29000));
  EXPECT_EQ(held.action, Action::kHold);
  EXPECT_EQ(held.cause, "min_change_interval");
  EXPECT_EQ(held.to, "eu-west");

  all_healthy_at(now + Time(60000));
  auto back = engine->Decide(0, view, held.next, {}, now + Time(60000));
  EXPECT_EQ(back.action, Action::kFailback);
  EXPECT_EQ(back.from, "eu-west");
  EXPECT_EQ(back.to, "us-east");
}

}  // namespace
}  // namespace steer::policies
