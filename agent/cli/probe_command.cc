// steerctl probe: runs probes once from this host and prints what each one saw.
//   steerctl probe -c FILE [--target NAME] [--json]       every configured probe
//   steerctl probe URL [--connect-to HOST:PORT] [--expect-status 200] [--json]
// Exit 0 if every probe passed, 1 if any failed, 2 on usage errors (including a policy file
// that does not load).
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "steer/base/json_text.h"
#include "steer/base/option_error.h"
#include "steer/config/loader.h"
#include "steer/probes/dns_query.h"
#include "steer/probes/prober.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;
using probes::Observation;
using probes::Target;

struct Row {
  std::string name;
  Observation obs;
};

double Ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

std::string StatusText(const Target& t, const Observation& o) {
  if (t.probe.type == config::ProbeType::kHttp && o.http_status > 0) {
    return std::to_string(o.http_status);
  }
  if (t.probe.type == config::ProbeType::kDns && o.dns_rcode >= 0) {
    return probes::RcodeName(o.dns_rcode);
  }
  if (o.cert_days_left) return std::to_string(*o.cert_days_left) + "d";
  return "-";
}

nlohmann::json ToJson(const Target& t, const Observation& o) {
  nlohmann::json j = {{"target", t.DisplayName()},
                      {"ok", o.ok},
                      {"status", StatusText(t, o)},
                      {"phases_ms",
                       {{"resolve", Ms(o.phases.resolve)},
                        {"connect", Ms(o.phases.connect)},
                        {"tls", Ms(o.phases.tls)},
                        {"first_byte", Ms(o.phases.first_byte)},
                        {"total", Ms(o.phases.total)}}},
                      {"error", probes::ErrorClassName(o.error)},
                      {"message", o.message}};
  if (o.http_status > 0) j["http_status"] = o.http_status;
  if (o.dns_rcode >= 0) j["dns_rcode"] = probes::RcodeName(o.dns_rcode);
  if (o.cert_days_left) j["cert_days_left"] = *o.cert_days_left;
  return j;
}

void PrintTable(const std::vector<Target>& targets, const std::vector<Observation>& results) {
  size_t width = 6;
  for (const auto& t : targets) width = std::max(width, t.DisplayName().size());
  std::printf("%-*s  %-6s %-8s %8s %8s %8s %8s %8s  %s\n", static_cast<int>(width), "TARGET",
              "RESULT", "STATUS", "RESOLVE", "CONNECT", "TLS", "TTFB", "TOTAL", "ERROR");
  for (size_t i = 0; i < targets.size(); ++i) {
    const Observation& o = results[i];
    std::string error = o.ok ? "" : std::string(probes::ErrorClassName(o.error)) + ": " + o.message;
    std::printf("%-*s  %-6s %-8s %8.1f %8.1f %8.1f %8.1f %8.1f  %s\n", static_cast<int>(width),
                targets[i].DisplayName().c_str(), o.ok ? "ok" : "FAIL",
                StatusText(targets[i], o).c_str(), Ms(o.phases.resolve), Ms(o.phases.connect),
                Ms(o.phases.tls), Ms(o.phases.first_byte), Ms(o.phases.total), error.c_str());
  }
  std::printf("(phases in ms)\n");
}

// "200" or "200-299".
bool ParseStatusRange(const std::string& text, config::StatusRange* out) {
  int low = 0, high = 0;
  char dash = 0;
  int n = std::sscanf(text.c_str(), "%d%c%d", &low, &dash, &high);
  if (n == 1) high = low;
  if ((n != 1 && (n != 3 || dash != '-')) || low < 100 || high > 599 || low > high) return false;
  *out = {low, high};
  return true;
}

// Applies the ad-hoc flags to a target built from a URL; false on a bad flag value.
bool ApplyFlags(const po::variables_map& vm, Target& t) {
  if (vm.count("connect-to")) t.probe.connect_to = vm["connect-to"].as<std::string>();
  if (vm.count("expect-status")) {
    t.probe.expect.status.clear();
    for (const auto& s : vm["expect-status"].as<std::vector<std::string>>()) {
      config::StatusRange r;
      if (!ParseStatusRange(s, &r)) {
        std::cerr << "steerctl probe: bad --expect-status '" << s << "'\n";
        return false;
      }
      t.probe.expect.status.push_back(r);
    }
  }
  if (vm.count("ca-file")) t.probe.ca_file = vm["ca-file"].as<std::string>();
  if (vm.count("insecure")) t.probe.tls_verify = false;
  t.probe.timeout = std::chrono::milliseconds(vm["timeout-ms"].as<int>());
  return true;
}

// The targets to run, or nullopt after printing why (usage error).
std::optional<std::vector<Target>> SelectTargets(const po::variables_map& vm) {
  if (vm.count("config") == vm.count("url")) {
    std::cerr << "steerctl probe: give either -c FILE or one URL\n";
    return std::nullopt;
  }
  if (vm.count("url")) {
    auto target = probes::TargetFromUrl(vm["url"].as<std::string>());
    if (!target) {
      std::cerr << "steerctl probe: " << target.error().message << "\n";
      return std::nullopt;
    }
    if (!ApplyFlags(vm, *target)) return std::nullopt;
    return std::vector<Target>{*target};
  }
  auto policy = config::LoadPolicyFile(vm["config"].as<std::string>());
  if (!policy) {
    for (const auto& d : policy.error()) std::cerr << d.ToString() << "\n";
    return std::nullopt;
  }
  std::vector<Target> all = probes::TargetsFromRegions(policy->regions);
  if (!vm.count("target")) return all;
  std::string want = vm["target"].as<std::string>();
  std::vector<Target> picked;
  for (auto& t : all) {
    if (t.probe.name == want || t.DisplayName() == want) picked.push_back(std::move(t));
  }
  if (picked.empty()) {
    std::cerr << "steerctl probe: no probe named '" << want << "'\n";
    return std::nullopt;
  }
  return picked;
}

po::options_description Options() {
  po::options_description opts(
      "usage: steerctl probe -c FILE [--target NAME] [--json]\n"
      "       steerctl probe URL [--connect-to HOST:PORT] [--expect-status 200] [--json]\n"
      "URL: http(s)://..., tcp://host:port, tls://host:port, dns://server/name?type=A\n"
      "exit: 0 all passed, 1 a probe failed, 2 usage error\n\noptions");
  opts.add_options()("help,h", "show this help")("config,c", po::value<std::string>(),
                                                 "policy file: run each configured probe once")(
      "target", po::value<std::string>(), "only the probe with this name (or region/comp/name)")(
      "connect-to", po::value<std::string>(), "dial HOST:PORT, keep the URL's host for SNI/Host")(
      "expect-status", po::value<std::vector<std::string>>()->composing(),
      "accepted status or range (repeatable; default 200-299)")("ca-file", po::value<std::string>(),
                                                                "CA bundle for TLS verification")(
      "insecure", "do not verify TLS certificates")(
      "timeout-ms", po::value<int>()->default_value(5000), "per-probe timeout (URL form)")(
      "json", "print results as JSON");
  return opts;
}

}  // namespace

int RunProbe(int argc, char** argv) {
  po::options_description opts = Options();
  po::options_description hidden;
  hidden.add_options()("url", po::value<std::string>());
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("url", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (po::error& e) {
    std::cerr << "steerctl probe: " << steer::base::OptionErrorText(e) << "\n" << opts;
    return kExitUsage;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return kExitOk;
  }
  auto targets = SelectTargets(vm);
  if (!targets) return kExitUsage;
  std::vector<Observation> results;
  bool all_ok = true;
  for (const auto& t : *targets) {
    results.push_back(probes::ProbeOnce(t));
    all_ok = all_ok && results.back().ok;
  }
  if (vm.count("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < targets->size(); ++i) out.push_back(ToJson((*targets)[i], results[i]));
    std::cout << base::JsonText(out, 2) << "\n";
  } else {
    PrintTable(*targets, results);
  }
  return all_ok ? kExitOk : kExitFailed;
}

}  // namespace steer::agent::cli
