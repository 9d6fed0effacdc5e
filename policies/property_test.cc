// Property tests over random traces (seeded, reproducible): whatever the probes say, an
// automatic change only ever goes to a region the quorum calls healthy, the answer set is
// never empty, and changes never exceed the policy's rate limits.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <set>
#include <sstream>

#include "steer/policies/engine.h"
#include "steer/policies/simulator.h"
#include "testing/fixtures.h"

namespace steer::policies {
namespace {

constexpr long kProbeEvery = 10000;   // 10 s probes keep a 90-minute trace small
constexpr long kLength = 90 * 60000;  // longer than the one-hour rate window
const char* const kRegions[] = {"us-east", "eu-west", "ap-south"};
const char* const kComponents[] = {"api", "auth", "metrics"};

config::Policy RandomPolicy(std::mt19937& rng) {
  auto p = testing::ThreeRegions();
  for (auto& r : p.regions) {
    for (auto& c : r.components) c.probes[0].interval = Time(kProbeEvery);
  }
  auto pick = [&](std::initializer_list<long> v) {
    return Time(*(v.begin() + std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)));
  };
  auto& s = p.services[0];
  s.quorum.count = std::uniform_int_distribution<int>(0, 2)(rng);  // majority, 1 or 2
  s.hold_down = pick({0, 20000, 60000});
  s.min_change_interval = pick({0, 30000, 120000});
  s.block_after_failover = pick({0, 60000, 600000});
  s.failback_after = pick({0, 60000, 300000});
  s.failback = rng() % 4 == 0 ? config::FailbackMode::kManual : config::FailbackMode::kAuto;
  s.all_down = rng() % 2 ? config::AllDownMode::kServeAll : config::AllDownMode::kKeep;
  s.safety.max_changes_per_hour = std::uniform_int_distribution<int>(0, 6)(rng);
  p.agent.tick = Time(5000);
  return p;
}

// Regions flip between up and down every few minutes; each vantage point sometimes drops out
// (a partitioned prober) and sometimes sees a region wrongly (flaps).
std::string RandomTrace(std::mt19937& rng) {
  std::vector<std::string> vps = {"probe-a", "probe-b", "probe-c", "us-east"};
  std::uniform_real_distribution<double> u(0, 1);
  bool up[3] = {true, true, true};
  std::vector<bool> away(vps.size(), false);
  std::string out = "t_ms,vantage,region,component,ok\n";
  for (long t = 0; t < kLength; t += kProbeEvery) {
    for (auto& r : up) {
      if (u(rng) < 0.03) r = !r;
    }
    for (size_t v = 0; v < vps.size(); ++v) {
      if (u(rng) < 0.02) away[v] = !away[v];
      if (away[v]) continue;
      for (int r = 0; r < 3; ++r) {
        for (const char* c : kComponents) {
          bool ok = up[r] ? u(rng) > 0.05 : u(rng) < 0.1;
          out += std::to_string(t) + "," + vps[v] + "," + kRegions[r] + "," + c + "," +
                 (ok ? "1" : "0") + "\n";
        }
      }
    }
  }
  return out;
}

TEST(PoliciesProperties, RandomTracesKeepTheInvariants) {
  int changes_seen = 0;
  for (unsigned seed = 1; seed <= 60; ++seed) {
    std::mt19937 rng(seed);
    auto engine = Engine::Create(RandomPolicy(rng));
    ASSERT_TRUE(engine);
    const auto& svc = engine->policy().services[0];
    std::deque<Time> window;
    std::optional<Time> last_change;
    SimulationOptions opts;
    opts.on_tick = [&](Time now, const Decision& d) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " t=" + std::to_string(now.count()) + ": " +
                   d.sentence);
      ASSERT_FALSE(d.answers.empty());
      if (d.from == d.to) return;
      ++changes_seen;
      if (d.to != "*") {
        for (const auto& v : d.regions) {
          if (v.region == d.to) {
            EXPECT_EQ(v.verdict, Health::kHealthy);
          }
        }
      } else {
        EXPECT_EQ(svc.all_down, config::AllDownMode::kServeAll);
        for (const auto& v : d.regions) EXPECT_NE(v.verdict, Health::kHealthy);
      }
      if (last_change) {
        EXPECT_GE(now - *last_change, svc.min_change_interval);
      }
      last_change = now;
      while (!window.empty() && window.front() <= now - Time(3600000)) window.pop_front();
      window.push_back(now);
      if (svc.safety.max_changes_per_hour > 0) {
        EXPECT_LE(static_cast<int>(window.size()), svc.safety.max_changes_per_hour);
      }
    };
    auto events = Simulate(*engine, RandomTrace(rng), opts);
    ASSERT_TRUE(events) << events.error().message;
  }
  // The traces must actually exercise changes, or the checks above prove nothing.
  EXPECT_GT(changes_seen, 60);
}

// Adds random pauses and drains to a random trace (operator rows, merged by time).
std::string WithRandomOverrides(const std::string& trace, std::mt19937& rng) {
  std::vector<std::pair<long, std::string>> ops;
  for (long t = 60000; t < kLength; t += 60000 * std::uniform_int_distribution<long>(1, 8)(rng)) {
    const char* region = kRegions[rng() % 3];
    switch (rng() % 4) {
      case 0:
        ops.push_back({t, ",@operator,,pause,service=web"});
        break;
      case 1:
        ops.push_back({t, ",@operator,,resume,service=web"});
        break;
      case 2:
        ops.push_back({t, std::string(",@operator,") + region + ",drain,"});
        break;
      default:
        ops.push_back({t, std::string(",@operator,") + region + ",undrain,"});
    }
  }
  std::string out;
  std::istringstream in(trace);
  size_t next = 0;
  for (std::string line; std::getline(in, line);) {
    const long t = line.starts_with("t_ms") ? -1 : std::stol(line.substr(0, line.find(',')));
    for (; next < ops.size() && ops[next].first <= t; ++next) {
      out += std::to_string(ops[next].first) + ops[next].second + "\n";
    }
    out += line + "\n";
  }
  return out;
}

TEST(PoliciesProperties, OverridesHoldUnderRandomTraces) {
  int automatic = 0;
  int refused_while_paused = 0;
  for (unsigned seed = 100; seed < 130; ++seed) {
    std::mt19937 rng(seed);
    auto engine = Engine::Create(RandomPolicy(rng));
    ASSERT_TRUE(engine);
    auto events = Simulate(*engine, WithRandomOverrides(RandomTrace(rng), rng));
    ASSERT_TRUE(events) << events.error().message;
    bool paused = false;
    std::set<std::string> drained;
    for (const auto& e : *events) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " t=" + std::to_string(e.t.count()));
      if (e.is_request) {
        if (!e.check.allowed) continue;
        const std::string cmd = e.command.substr(0, e.command.find(' '));
        const std::string region = e.command.substr(e.command.find(' ') + 1);
        if (cmd == "pause") paused = true;
        if (cmd == "resume") paused = false;
        if (cmd == "drain") drained.insert(region);
        if (cmd == "undrain") drained.erase(region);
        continue;
      }
      const Decision& d = e.decision;
      if (d.cause == "paused") ++refused_while_paused;
      if (d.from == d.to) continue;
      ++automatic;
      EXPECT_FALSE(paused) << d.sentence;
      EXPECT_EQ(drained.count(d.to), 0u) << d.sentence;
    }
  }
  EXPECT_GT(automatic, 20);
  EXPECT_GT(refused_while_paused, 0);
}

}  // namespace
}  // namespace steer::policies
