// steerctl switchover / failover: move a service to a region, then follow the change until
// every nameserver answers it (patronictl's switchover/failover split: switchover is for a
// healthy service and respects every safety rule; failover is forced and names the rules it
// overrides).
#include <chrono>
#include <iostream>
#include <thread>

#include "cli/api_client.h"
#include "cli/command.h"
#include "steer/base/duration.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;
using json = nlohmann::json;

std::string JoinAnswers(const json& answers) {
  std::string out;
  for (const auto& a : answers) {
    if (!out.empty()) out += ", ";
    out += a.get<std::string>();
  }
  return out;
}

// Polls the service until its active region is `to` and every nameserver answers it.
int FollowPropagation(const ApiClient& client, const std::string& service, const std::string& to,
                      std::chrono::milliseconds timeout, std::chrono::milliseconds poll) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_line;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = client.Get("/api/v1/services/" + service);
    if (r && r->status == 200 && r->body.is_object()) {
      const json& s = r->body;
      const json p = s.value("propagation", json::object());
      bool ours =
          s.value("active_region", "") == to && p.is_object() && p.value("region", "") == to;
      std::string line;
      if (ours && p.contains("answers")) {
        line = std::to_string(p.value("matching", 0)) + "/" + std::to_string(p.value("total", 0)) +
               " nameservers answer " + JoinAnswers(p["answers"]);
      } else {
        line = "waiting for steerd to write " + to + " (state: " + s.value("state", "?") + ")";
      }
      if (s.contains("last_error") && s["last_error"].is_string()) {
        line += " — " + s["last_error"].get<std::string>();
      }
      if (line != last_line) std::cout << line << "\n" << std::flush;
      last_line = line;
      if (ours && p.value("done", false)) return kExitOk;
    }
    std::this_thread::sleep_for(poll);
  }
  std::cerr << "steerctl: not yet answered by every nameserver after "
            << base::FormatDuration(timeout) << " (steerd keeps trying; see steerctl status)\n";
  return kExitPending;
}

int Move(int argc, char** argv, bool failover) {
  po::options_description opts("options");
  AddClientOptions(opts, false);
  opts.add_options()("service", po::value<std::string>()->required(), "the service")(
      "to", po::value<std::string>()->required(), "target region")(
      "why", po::value<std::string>()->default_value(""), "reason, kept in the audit log")(
      "no-wait", "return once steerd accepted the change")(
      "timeout", po::value<std::string>()->default_value("60s"), "how long to follow propagation")(
      "poll", po::value<std::string>()->default_value("250ms"), "poll interval");
  if (failover) {
    opts.add_options()("force", "required: this bypasses the policy's guards")(
        "override", po::value<std::vector<std::string>>()->composing(),
        "a safety rule deliberately overridden (repeatable)");
  }
  po::positional_options_description pos;
  pos.add("service", 1);
  po::variables_map vm;
  int exit = kExitOk;
  const char* usage =
      failover ? "usage: steerctl failover SERVICE --to REGION --force [--override RULE]..."
               : "usage: steerctl switchover SERVICE --to REGION";
  if (!ParseCommandLine(argc, argv, opts, pos, usage, &vm, &exit)) return exit;
  if (failover && !vm.count("force")) {
    std::cerr
        << "steerctl failover: --force is required (a healthy move is `steerctl switchover`)\n";
    return kExitUsage;
  }
  auto timeout = base::ParseDuration(vm["timeout"].as<std::string>());
  auto poll = base::ParseDuration(vm["poll"].as<std::string>());
  if (!timeout || !poll) {
    std::cerr << "steerctl " << argv[0] << ": bad --timeout or --poll duration\n";
    return kExitUsage;
  }
  auto client = MakeClient(vm, true);
  if (!client) return kExitUsage;
  std::string service = vm["service"].as<std::string>();
  std::string to = vm["to"].as<std::string>();
  json body = {{"to", to}, {"why", vm["why"].as<std::string>()}};
  if (failover) {
    body["force"] = true;
    if (vm.count("override")) body["override"] = vm["override"].as<std::vector<std::string>>();
  }
  const char* verb = failover ? "failover" : "switchover";
  int rc = ReportOperation(verb, client->Post("/api/v1/services/" + service + "/" + verb, body));
  if (rc != kExitOk || vm.count("no-wait")) return rc;
  return FollowPropagation(*client, service, to, *timeout, *poll);
}

}  // namespace

int RunSwitchover(int argc, char** argv) { return Move(argc, argv, false); }
int RunFailover(int argc, char** argv) { return Move(argc, argv, true); }

}  // namespace steer::agent::cli
