// steerctl drain/undrain/pause/resume/ack/reload: operations without propagation to follow.
#include <iostream>

#include "cli/api_client.h"
#include "cli/command.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;
using json = nlohmann::json;

enum class Target { kRegion, kOptionalService, kService, kNone };

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
  if ((spec.target == Target::kRegion || spec.target == Target::kService) && !named) {
    std::cerr << spec.usage << "\n";
    return kExitUsage;
  }
  auto client = MakeClient(vm, true);
  if (!client) return kExitUsage;
  std::string path = "/api/v1/";
  if (named) {
    path += std::string(spec.target == Target::kRegion ? "regions/" : "services/") +
            vm["name"].as<std::string>() + "/";
  }
  path += spec.verb;
  json body = {{"why", vm["why"].as<std::string>()}};
  if (vm.count("for")) body["for"] = vm["for"].as<std::string>();
  return ReportOperation(spec.verb, client->Post(path, body));
}

}  // namespace

int RunDrain(int argc, char** argv) {
  return RunOp(argc, argv,
               {"drain", Target::kRegion, true, "usage: steerctl drain REGION [--for DURATION]"});
}
int RunUndrain(int argc, char** argv) {
  return RunOp(argc, argv, {"undrain", Target::kRegion, false, "usage: steerctl undrain REGION"});
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
