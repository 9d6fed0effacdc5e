// steerctl simulate: replays a trace of probe observations through the policy engine on a
// virtual clock and prints every decision change, so an SRE can test a policy before deploying
// it. The replay itself is steer::policies::Simulate (pure); this file only reads files and
// prints.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command.h"
#include "cli/flags.h"
#include "steer/base/json_text.h"
#include "steer/config/loader.h"
#include "steer/policies/engine.h"
#include "steer/policies/simulator.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;
using policies::SimulationEvent;

nlohmann::ordered_json ToJson(const SimulationEvent& e) {
  if (e.is_request) {
    return {{"t_ms", e.t.count()},
            {"service", e.service},
            {"action", e.check.allowed ? "request_allowed" : "request_refused"},
            {"from", ""},
            {"to", ""},
            {"command", e.command},
            {"rule", e.check.refused_by ? policies::RuleName(*e.check.refused_by) : ""},
            {"reason", e.check.reason}};
  }
  const auto& d = e.decision;
  return {
      {"t_ms", e.t.count()},  {"service", e.service}, {"action", policies::ActionName(d.action)},
      {"from", d.from},       {"to", d.to},           {"cause", d.cause},
      {"answers", d.answers}, {"reason", d.sentence}};
}

std::string ToText(const SimulationEvent& e) {
  std::ostringstream out;
  out << "t=" << e.t.count() << "ms " << e.service << " ";
  if (e.is_request) {
    out << e.command << ": " << e.check.reason;
  } else {
    const auto& d = e.decision;
    out << policies::ActionName(d.action) << " " << d.from << " -> " << d.to << " (" << d.cause
        << "): " << d.sentence;
  }
  return out.str();
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int Replay(const std::string& config, const std::string& trace_path, long step_ms, bool json) {
  auto policy = config::LoadPolicyFile(config);
  if (!policy) {
    for (const auto& d : policy.error()) std::cerr << d.ToString() << "\n";
    return kExitFailed;
  }
  auto engine = policies::Engine::Create(std::move(*policy));
  if (!engine) {
    std::cerr << "steerctl simulate: " << config << ": " << engine.error().message << "\n";
    return kExitFailed;
  }
  auto trace = ReadFile(trace_path);
  if (!trace) {
    std::cerr << "steerctl simulate: cannot read " << trace_path << "\n";
    return kExitFailed;
  }
  policies::SimulationOptions opts;
  opts.step = policies::Time(step_ms);
  auto events = policies::Simulate(*engine, *trace, opts);
  if (!events) {
    std::cerr << "steerctl simulate: " << trace_path << ": " << events.error().message << "\n";
    return kExitFailed;
  }
  for (const auto& e : *events) {
    std::cout << (json ? base::JsonText(ToJson(e)) : ToText(e)) << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunSimulate(int argc, char** argv) {
  po::options_description opts(
      "usage: steerctl simulate -c FILE --trace TRACE.csv [--json] [--step MS]\n\n"
      "Replays probe observations (CSV: t_ms,vantage,region,component,ok) through the policy\n"
      "on a virtual clock and prints each decision change. See docs/policies.md.\n\noptions");
  opts.add_options()("help,h", "show this help")("config,c", po::value<std::string>(),
                                                 "policy file")(
      "trace,t", po::value<std::string>(), "trace CSV file")("json", "one JSON object per line")(
      "step", po::value<long>()->default_value(0),
      "evaluation period in ms between rows (0: the policy's agent.tick)");
  po::variables_map vm;
  if (auto done = ParseFlags("simulate", argc, argv, opts, &vm)) return *done;
  if (!vm.count("config") || !vm.count("trace") || vm["step"].as<long>() < 0) {
    std::cerr << "steerctl simulate: give -c FILE and --trace TRACE.csv (--step >= 0)\n" << opts;
    return kExitUsage;
  }
  return Replay(vm["config"].as<std::string>(), vm["trace"].as<std::string>(),
                vm["step"].as<long>(), vm.count("json") > 0);
}

}  // namespace steer::agent::cli
