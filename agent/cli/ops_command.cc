// steerctl drain/undrain/pause/resume/ack/reload: operations without propagation to follow,
// except drain/undrain --wait, which follow the region out of (back into) service.
#include <iostream>

#include "cli/api_client.h"
#include "cli/command.h"
#include "cli/region_wait.h"
#include "steer/base/duration.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;
using json = nlohmann::json;

enum class Target { kOptionalService, kService, kNone };

struct OpSpec {
  const char* verb;
  Target target;
  bool timed;  // accepts --for
  const char* usage;
};

int RunOp(int argc, char** argv, const OpSpec& spec) {
  po::options_description opts("options");
  AddClientOptions(opts, false);
  opts.add_options()("why", po::value<std::string>()->default_value(""),
                     "reason, kept in the audit log");
  if (spec.target != Target::kNone) {
    opts.add_options()("name", po::value<std::string>(), "target");
  }
  if (spec.timed) {
    opts.add_options()("for", po::value<std::string>(), "expire after this long (e.g. 30m)");
  }
  po::positional_options_description pos;
  if (spec.target != Target::kNone) pos.add("name", 1);
  po::variables_map vm;
  int exit = kExitOk;
  if (!ParseCommandLine(argc, argv, opts, pos, spec.usage, &vm, &exit)) return exit;
  bool named = vm.count("name") > 0;
  if (spec.target == Target::kService && !named) {
    std::cerr << spec.usage << "\n";
    return kExitUsage;
  }
  auto client = MakeClient(vm, true);
  if (!client) return kExitUsage;
  std::string path = "/api/v1/";
  if (named) {
    path += "services/" + vm["name"].as<std::string>() + "/";
  }
  path += spec.verb;
  json body = {{"why", vm["why"].as<std::string>()}};
  if (vm.count("for")) body["for"] = vm["for"].as<std::string>();
  return ReportOperation(spec.verb, client->Post(path, body));
}

// Printed with the usage (by --help and after a bad flag).
constexpr const char* kRegionHelp =
    "\n\n--wait: drain returns once every service that uses REGION answers another region on\n"
    "every nameserver steerd checks and the records' TTL has passed since the last one did;\n"
    "undrain once REGION is healthy and every service whose policy brings it back (failback:\n"
    "auto, REGION first among healthy regions) answers it on every nameserver. Progress on\n"
    "stderr. Exit codes: 0 done, 1 refused (the rule and its override are named), 2 usage,\n"
    "3 timed out (what it still waits for is printed), 4 steerd's API could not be asked.\n";

// drain/undrain: 1 when refused (naming the override), 4 when the API could not be asked.
int RegionOpExit(const char* verb, const std::string& region, const Result<ApiResponse>& r) {
  int rc = ReportOperation(verb, r);
  if (rc == kExitOk) return rc;
  if (!r || r->status == 401 || r->status >= 500) return kExitApiError;
  std::string rule = r->body.is_object() ? r->body.value("refused_by", "") : "";
  if (!rule.empty() && rule != "policy") {
    std::cerr << "  to " << verb << " anyway: steerctl " << verb << " " << region << " --override "
              << rule << "\n";
  }
  return rc;
}

po::options_description RegionOptions(bool drain) {
  po::options_description opts("options");
  AddClientOptions(opts, false);
  opts.add_options()("name", po::value<std::string>()->required(), "the region")(
      "why", po::value<std::string>()->default_value(""), "reason, kept in the audit log")(
      "wait", "return once the region is out of service (undrain: back in it); see above")(
      "timeout", po::value<std::string>()->default_value("5m"), "how long --wait waits")(
      "poll", po::value<std::string>()->default_value("500ms"), "--wait's poll interval");
  if (drain) {
    opts.add_options()("for", po::value<std::string>(), "expire after this long (e.g. 30m)")(
        "override", po::value<std::vector<std::string>>()->composing(),
        "a safety rule deliberately overridden (repeatable)");
  }
  return opts;
}

int RunRegionOp(int argc, char** argv, RegionWaitKind kind, const std::string& usage) {
  const bool drain = kind == RegionWaitKind::kDrain;
  po::options_description opts = RegionOptions(drain);
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  int exit = kExitOk;
  if (!ParseCommandLine(argc, argv, opts, pos, usage.c_str(), &vm, &exit)) return exit;
  auto timeout = base::ParseDuration(vm["timeout"].as<std::string>());
  auto poll = base::ParseDuration(vm["poll"].as<std::string>());
  if (!timeout || !poll) {
    std::cerr << "steerctl " << argv[0] << ": bad --timeout or --poll duration\n";
    return kExitUsage;
  }
  auto client = MakeClient(vm, true);
  if (!client) return kExitUsage;
  const std::string region = vm["name"].as<std::string>();
  json body = {{"why", vm["why"].as<std::string>()}};
  if (vm.count("for")) body["for"] = vm["for"].as<std::string>();
  if (vm.count("override")) body["override"] = vm["override"].as<std::vector<std::string>>();
  const char* verb = drain ? "drain" : "undrain";
  int rc = RegionOpExit(verb, region, client->Post("/api/v1/regions/" + region + "/" + verb, body));
  if (rc != kExitOk || !vm.count("wait")) return rc;
  base::SystemClock clock;
  return WaitForRegion([&](const std::string& path) { return client->Get(path); }, clock,
                       {kind, region, *timeout, *poll}, std::cerr);
}

}  // namespace

int RunDrain(int argc, char** argv) {
  return RunRegionOp(argc, argv, RegionWaitKind::kDrain,
                     std::string("usage: steerctl drain REGION [--for DURATION] [--override "
                                 "RULE]... [--wait [--timeout DURATION]]") +
                         kRegionHelp);
}
int RunUndrain(int argc, char** argv) {
  return RunRegionOp(
      argc, argv, RegionWaitKind::kUndrain,
      std::string("usage: steerctl undrain REGION [--wait [--timeout DURATION]]") + kRegionHelp);
}
int RunPause(int argc, char** argv) {
  return RunOp(argc, argv,
               {"pause", Target::kOptionalService, true,
                "usage: steerctl pause [SERVICE] [--for DURATION]  (no SERVICE: every service)"});
}
int RunResume(int argc, char** argv) {
  return RunOp(argc, argv,
               {"resume", Target::kOptionalService, false, "usage: steerctl resume [SERVICE]"});
}
int RunAck(int argc, char** argv) {
  return RunOp(argc, argv, {"ack", Target::kService, false, "usage: steerctl ack SERVICE"});
}
int RunReload(int argc, char** argv) {
  return RunOp(argc, argv, {"reload", Target::kNone, false, "usage: steerctl reload"});
}

}  // namespace steer::agent::cli
