// steerctl plan: the DNS changes the policy would make now, as a diff. Reads every provider,
// writes nothing. Exit 0: nothing to do; 3: changes pending; 1: a provider could not be read.
#include <boost/program_options.hpp>
#include <iostream>
#include <map>
#include <optional>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/provider_registry.h"
#include "steer/config/loader.h"
#include "steer/dns/service_plan.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;

struct PlanArgs {
  std::string config;
  std::map<std::string, std::string> regions;  // service -> region
};

// Fills `args`; returns an exit code when the command should stop here.
std::optional<int> ParseArgs(int argc, char** argv, PlanArgs* args) {
  po::options_description opts(
      "usage: steerctl plan -c FILE [--region SERVICE=REGION]...\n\n"
      "Prints the DNS changes that would be made (the preferred region of each service, or\n"
      "the one given), writing nothing. Exit 0: nothing to do, 3: changes pending.\n\noptions");
  opts.add_options()("help,h", "show this help")("config,c", po::value<std::string>(),
                                                 "policy file")(
      "region", po::value<std::vector<std::string>>()->composing(),
      "SERVICE=REGION: plan as if REGION served SERVICE");
  po::variables_map vm;
  if (auto done = ParseFlags("plan", argc, argv, opts, &vm)) return *done;
  if (!vm.count("config")) {
    std::cerr << "steerctl plan: -c FILE is required\n" << opts;
    return kExitUsage;
  }
  args->config = vm["config"].as<std::string>();
  if (!vm.count("region")) return std::nullopt;
  for (const auto& r : vm["region"].as<std::vector<std::string>>()) {
    auto eq = r.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == r.size()) {
      std::cerr << "steerctl plan: --region wants SERVICE=REGION, got '" << r << "'\n";
      return kExitUsage;
    }
    args->regions[r.substr(0, eq)] = r.substr(eq + 1);
  }
  return std::nullopt;
}

}  // namespace

int RunPlan(int argc, char** argv) {
  PlanArgs args;
  if (auto exit = ParseArgs(argc, argv, &args)) return *exit;
  auto policy = config::LoadPolicyFile(args.config);
  if (!policy) {
    for (const auto& d : policy.error()) std::cerr << d.ToString() << "\n";
    return kExitFailed;
  }
  for (const auto& [service, region] : args.regions) {
    if (policy->FindService(service) == nullptr) {
      std::cerr << "steerctl plan: no service '" << service << "' in the policy\n";
      return kExitUsage;
    }
  }
  ProviderCache providers(*policy);
  bool failed = false;
  bool pending = false;
  for (const auto& service : policy->services) {
    auto region = args.regions.count(service.name) ? args.regions[service.name] : "";
    for (const std::string& name : service.ProviderNames()) {  // each provider on its own
      auto provider = providers.Get(name);
      auto plan = provider ? dns::PlanChange(**provider, service, region)
                           : Result<dns::PlannedChange>(tl::unexpected(provider.error()));
      if (!plan) {
        std::cerr << service.name << " via " << name << ": " << plan.error().message << "\n";
        failed = true;
        continue;
      }
      pending = pending || plan->pending;
      std::cout << dns::FormatPlan(*plan);
    }
  }
  if (failed) return kExitFailed;
  return pending ? kExitPending : kExitOk;
}

}  // namespace steer::agent::cli
