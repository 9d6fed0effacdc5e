// Policy engine cost per tick: 1,000 services x 10 regions x 10 vantage points x 5 components
// (one probe each). Goal: < 1 ms per 100 services on one core. Two layouts: every service with
// its own 10 regions (10,000 regions, 500,000 health cells: the worst case) and 1,000 services
// sharing the same 10 regions. One in ten regions is down from 4 of the 10 vantage points, so
// the reason texts and quorum paths are exercised, not only the all-healthy fast path.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "steer/policies/engine.h"

namespace steer::policies {
namespace {

constexpr int kServices = 1000;
constexpr int kRegionsPerService = 10;
constexpr int kVantages = 10;
constexpr int kComponents = 5;

config::Policy MakePolicy(bool shared_regions) {
  config::Policy p;
  const int regions = shared_regions ? kRegionsPerService : kServices * kRegionsPerService;
  for (int r = 0; r < regions; ++r) {
    config::RegionConfig rc;
    rc.name = "r" + std::to_string(r);
    for (int c = 0; c < kComponents; ++c) {
      config::ComponentConfig cc;
      cc.name = "c" + std::to_string(c);
      config::ProbeConfig probe;
      probe.name = "p";
      cc.probes.push_back(probe);
      rc.components.push_back(cc);
    }
    p.regions.push_back(rc);
  }
  for (int s = 0; s < kServices; ++s) {
    config::ServiceConfig sc;
    sc.name = "svc" + std::to_string(s);
    for (int i = 0; i < kRegionsPerService; ++i) {
      const int r = shared_regions ? i : s * kRegionsPerService + i;
      sc.regions.push_back({"r" + std::to_string(r), {"192.0.2." + std::to_string(i + 1)}});
    }
    p.services.push_back(sc);
  }
  return p;
}

void FillView(const Engine& engine, HealthView& view, Time now) {
  std::mt19937 rng(42);
  for (int v = 0; v < kVantages; ++v) view.AddVantage({"vp" + std::to_string(v), ""});
  const auto& targets = engine.layout().targets();
  for (int v = 0; v < kVantages; ++v) {
    for (size_t t = 0; t < targets.size(); ++t) {
      const bool troubled = targets[t].region % 10 == 3 && v < 4;
      TargetHealth th;
      th.observed = true;
      th.last_observed = now - Time(rng() % 500);
      th.state = troubled ? Health::kUnhealthy : Health::kHealthy;
      th.consecutive_fail = troubled ? 3 : 0;
      th.consecutive_ok = troubled ? 0 : 5;
      if (troubled) th.last_error = "HTTP 503";
      view.Set(v, static_cast<int>(t), th);
    }
  }
}

void BM_EvaluateTick(benchmark::State& state) {
  auto engine = Engine::Create(MakePolicy(state.range(0) != 0));
  if (!engine) {
    state.SkipWithError(engine.error().message.c_str());
    return;
  }
  Time now(1'000'000);
  HealthView view(engine->layout());
  FillView(*engine, view, now);
  std::vector<ServiceState> states(kServices);
  const Overrides overrides;
  for (auto _ : state) {
    auto decisions = engine->Evaluate(view, states, overrides, now);
    for (size_t i = 0; i < decisions.size(); ++i) states[i] = std::move(decisions[i].next);
    benchmark::DoNotOptimize(states.data());
    now += Time(100);
  }
  state.counters["services"] = kServices;
  state.counters["us_per_100_services"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kServices / 100.0,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The peer: the least any evaluation must do, reading every health cell once and counting the
// fresh healthy ones. The ratio BM_EvaluateTick / BM_ScanCells is the engine's overhead.
void BM_ScanCells(benchmark::State& state) {
  auto engine = Engine::Create(MakePolicy(false));
  const Time now(1'000'000);
  HealthView view(engine->layout());
  FillView(*engine, view, now);
  const int targets = static_cast<int>(engine->layout().targets().size());
  for (auto _ : state) {
    long healthy = 0;
    for (int t = 0; t < targets; ++t) {
      for (int v = 0; v < kVantages; ++v) {
        const auto& c = view.cell(v, t);
        healthy +=
            (c.observed && now - c.last_observed <= Time(3000) && c.state == Health::kHealthy) ? 1
                                                                                               : 0;
      }
    }
    benchmark::DoNotOptimize(healthy);
  }
  state.counters["us_per_100_services"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kServices / 100.0,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(BM_ScanCells)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvaluateTick)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("shared_regions")
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace steer::policies

BENCHMARK_MAIN();
