// steerctl dns show: what each service's provider holds and what every authoritative server
// answers, side by side. Reads only. Exit 0: every server answers what the provider holds;
// 1: a read failed or a server differs.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/provider_registry.h"
#include "steer/base/clock.h"
#include "steer/config/loader.h"
#include "steer/dns/service_plan.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;
using std::chrono::milliseconds;

std::string Records(const std::optional<dns::RRset>& rrset) {
  if (!rrset) return "(no records)";
  std::string out;
  for (const auto& r : rrset->records) out += (out.empty() ? "" : " ") + r;
  return out;
}

void PrintRow(const std::string& who, const std::optional<dns::RRset>& rrset,
              const std::string& note) {
  std::string ttl = rrset ? std::to_string(rrset->ttl) : "-";
  std::printf("  %-28s %6s  %-40s %s\n", who.c_str(), ttl.c_str(), Records(rrset).c_str(),
              note.c_str());
}

// Prints what one provider of a service holds and what each of its servers answers; true
// when the provider was read and every server agrees with it.
bool ShowProvider(const config::Policy& policy, const config::ServiceConfig& service,
                  const std::string& provider_name, ProviderCache& providers) {
  std::string name = dns::CanonicalName(service.dns_name);
  auto provider = providers.Get(provider_name);
  auto held = provider
                  ? (*provider)->Read(dns::CanonicalName(service.zone), name, service.record_type)
                  : Result<std::optional<dns::RRset>>(tl::unexpected(provider.error()));
  if (!held) {
    std::printf("  provider: %s\n", held.error().message.c_str());
    return false;
  }
  PrintRow("provider", *held, "");
  base::SystemClock clock;
  dns::LdnsQuerier querier;
  dns::PropagationChecker checker(querier, clock);
  auto servers = dns::AuthoritativeServers(service, *policy.FindProvider(provider_name), checker,
                                           milliseconds(2000));
  if (!servers) {
    std::printf("  servers: %s\n", servers.error().message.c_str());
    return false;
  }
  bool agree = true;
  for (const auto& s : checker.Snapshot(name, service.record_type, *servers, milliseconds(2000))) {
    bool same = s.last_error.empty() && s.last_answer.has_value() == held->has_value() &&
                (!s.last_answer || dns::SameRecords(*s.last_answer, **held));
    agree = agree && same;
    PrintRow(s.server.ToString(), s.last_answer,
             same ? "ok" : (s.last_error.empty() ? "DIFFERS" : s.last_error));
  }
  return agree;
}

// Prints one service, every provider of it; true when each agrees with its servers.
bool ShowService(const config::Policy& policy, const config::ServiceConfig& service,
                 ProviderCache& providers) {
  const std::vector<std::string> names = service.ProviderNames();
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  std::printf("%s: %s %s in %s (provider%s %s)\n", service.name.c_str(),
              dns::CanonicalName(service.dns_name).c_str(), service.record_type.c_str(),
              dns::CanonicalName(service.zone).c_str(), names.size() > 1 ? "s" : "", list.c_str());
  bool agree = true;
  for (const auto& n : names) {
    if (names.size() > 1) std::printf(" %s:\n", n.c_str());
    agree = ShowProvider(policy, service, n, providers) && agree;
  }
  return agree;
}

struct ShowArgs {
  std::string config;
  std::string service;  // "" = every service
};

// Fills `args` from `dns show ...`; returns an exit code when the command should stop here.
std::optional<int> ParseArgs(int argc, char** argv, ShowArgs* args) {
  po::options_description opts(
      "usage: steerctl dns show -c FILE [SERVICE]\n\n"
      "Prints each service's records at its provider and what every authoritative server\n"
      "answers. Exit 0: all agree; 1: a read failed or a server differs.\n\noptions");
  opts.add_options()("help,h", "show this help")("config,c", po::value<std::string>(),
                                                 "policy file")("service", po::value<std::string>(),
                                                                "only this service");
  po::positional_options_description pos;
  pos.add("service", 1);
  if (argc < 2 || std::string(argv[1]) != "show") {
    bool help = argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h");
    (help ? std::cout : std::cerr) << opts;
    return help ? kExitOk : kExitUsage;
  }
  po::variables_map vm;
  if (auto done = ParseFlags("dns show", argc - 1, argv + 1, opts, &vm, &pos)) return *done;
  if (!vm.count("config")) {
    std::cerr << "steerctl dns show: -c FILE is required\n" << opts;
    return kExitUsage;
  }
  args->config = vm["config"].as<std::string>();
  if (vm.count("service")) args->service = vm["service"].as<std::string>();
  return std::nullopt;
}

}  // namespace

int RunDns(int argc, char** argv) {
  ShowArgs args;
  if (auto exit = ParseArgs(argc, argv, &args)) return *exit;
  auto policy = config::LoadPolicyFile(args.config);
  if (!policy) {
    for (const auto& d : policy.error()) std::cerr << d.ToString() << "\n";
    return kExitFailed;
  }
  const std::string& only = args.service;
  if (!only.empty() && policy->FindService(only) == nullptr) {
    std::cerr << "steerctl dns show: no service '" << only << "' in the policy\n";
    return kExitUsage;
  }
  ProviderCache providers(*policy);
  bool ok = true;
  for (const auto& service : policy->services) {
    if (only.empty() || service.name == only) ok = ShowService(*policy, service, providers) && ok;
  }
  return ok ? kExitOk : kExitFailed;
}

}  // namespace steer::agent::cli
