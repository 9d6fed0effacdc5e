// steerctl incident open|update|resolve and steerctl maintenance schedule|cancel: the public
// status page's operator side, through steerd's API (token needed; audited there). Messages
// are checked here first (not empty, at most 4096 bytes, UTF-8) so a bad one costs no request;
// steerd checks again and checks the services and the region against its policy.
// Exit codes: 0 done, 1 refused by steerd (unknown service, no such incident, a window in the
// past) or steerd could not be asked, 2 usage.
#include <iostream>

#include "cli/api_client.h"
#include "cli/command.h"
#include "status/incident_book.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;
using json = nlohmann::json;

constexpr const char* kIncidentUsage =
    "usage: steerctl incident open --service S [--service S]... [--impact none|minor|major|"
    "critical]\n"
    "                              [--status investigating|identified|monitoring] --message TEXT "
    "[--title TEXT]\n"
    "       steerctl incident update ID --status investigating|identified|monitoring --message "
    "TEXT [--impact I]\n"
    "       steerctl incident resolve ID [--message TEXT]\n"
    "An incident on the public status page (steerd's status listener and status.export_dir),\n"
    "with a timeline of updates. Messages: 1 to 4096 bytes of UTF-8, shown as text (HTML is\n"
    "escaped). ID: the number `incident open` prints; update and resolve also apply to the\n"
    "incidents steerd opens itself. Exit: 0 done, 1 refused or steerd unreachable, 2 usage.";

constexpr const char* kMaintenanceUsage =
    "usage: steerctl maintenance schedule --service S [--service S]... --start RFC3339 --end "
    "RFC3339\n"
    "                                     [--drain REGION] --message TEXT [--title TEXT]\n"
    "       steerctl maintenance cancel ID [--why TEXT]\n"
    "A scheduled maintenance window on the public status page: scheduled, in progress from\n"
    "--start, completed at --end (e.g. --start 2026-12-01T02:00:00Z). With --drain, steerd\n"
    "drains REGION when the window starts (the drain operation: audited, and refused by the\n"
    "policy's rules as a manual drain would be) and undrains it at the end. cancel before the\n"
    "start drops the window; cancel while in progress ends it now (and undrains). Minutes in a\n"
    "window do not count in `steerctl report uptime`'s availability. Exit: 0 done, 1 refused or\n"
    "steerd unreachable, 2 usage.";

int Usage(const char* cmd, const std::string& why, const char* usage) {
  std::cerr << "steerctl " << cmd << ": " << why << "\n" << usage << "\n";
  return kExitUsage;
}

// Parses argv[1..] (argv[1] is the verb, then an optional positional ID).
bool Parse(int argc, char** argv, po::options_description& opts, const char* usage,
           const char* verbs, po::variables_map* vm, int* exit) {
  AddClientOptions(opts, false);
  opts.add_options()("verb", po::value<std::string>(), verbs)(
      "id", po::value<int64_t>(), "the incident's or window's number (positional)");
  po::positional_options_description pos;
  pos.add("verb", 1).add("id", 1);
  return ParseCommandLine(argc, argv, opts, pos, usage, vm, exit);
}

std::string Opt(const po::variables_map& vm, const char* key) {
  return vm.count(key) ? vm[key].as<std::string>() : "";
}

int Send(const char* cmd, const po::variables_map& vm, const std::string& path, const json& body) {
  auto client = MakeClient(vm, true);
  if (!client) return kExitUsage;
  return ReportOperation(cmd, client->Post(path, body));
}

// The message, checked as steerd checks it; `required` false allows none.
std::optional<std::string> Message(const po::variables_map& vm, bool required, std::string* why) {
  if (!vm.count("message") && !required) return "";
  auto ok = status::CheckMessage(Opt(vm, "message"));
  if (!ok) {
    *why = "--message: " + ok.error().message;
    return std::nullopt;
  }
  return Opt(vm, "message");
}

}  // namespace

int RunIncident(int argc, char** argv) {
  po::options_description opts("options");
  opts.add_options()("service", po::value<std::vector<std::string>>()->composing(),
                     "an affected service (repeatable)")(
      "impact", po::value<std::string>(), "none | minor | major | critical (open: minor)")(
      "status", po::value<std::string>(),
      "investigating | identified | monitoring (open: investigating)")(
      "message", po::value<std::string>(), "what users should know (1..4096 bytes)")(
      "title", po::value<std::string>(), "the incident's name (default: the message's start)");
  po::variables_map vm;
  int exit = kExitOk;
  if (!Parse(argc, argv, opts, kIncidentUsage, "open | update | resolve (positional)", &vm, &exit))
    return exit;
  const std::string verb = Opt(vm, "verb");
  std::string why;
  auto message = Message(vm, verb != "resolve", &why);
  if (verb == "open") {
    if (!vm.count("service")) return Usage("incident", "open needs --service", kIncidentUsage);
    if (vm.count("id")) return Usage("incident", "open takes no ID", kIncidentUsage);
    if (!message) return Usage("incident", why, kIncidentUsage);
    json body = {{"services", vm["service"].as<std::vector<std::string>>()},
                 {"impact", vm.count("impact") ? Opt(vm, "impact") : "minor"},
                 {"status", vm.count("status") ? Opt(vm, "status") : "investigating"},
                 {"message", *message}};
    if (vm.count("title")) body["title"] = Opt(vm, "title");
    return Send("incident open", vm, "/api/v1/incidents", body);
  }
  if (verb != "update" && verb != "resolve") {
    return Usage("incident", "the verb is open, update or resolve", kIncidentUsage);
  }
  if (!vm.count("id")) return Usage("incident", verb + " needs the incident's ID", kIncidentUsage);
  if (vm.count("service") || vm.count("title")) {
    return Usage("incident", "--service and --title are for open", kIncidentUsage);
  }
  if (!message) return Usage("incident", why, kIncidentUsage);
  json body = {{"message", *message}};
  if (verb == "update") {
    if (!vm.count("status")) return Usage("incident", "update needs --status", kIncidentUsage);
    body["status"] = Opt(vm, "status");
    if (vm.count("impact")) body["impact"] = Opt(vm, "impact");
  }
  const std::string path =
      "/api/v1/incidents/" + std::to_string(vm["id"].as<int64_t>()) + "/" + verb;
  return Send(verb == "update" ? "incident update" : "incident resolve", vm, path, body);
}

int RunMaintenance(int argc, char** argv) {
  po::options_description opts("options");
  opts.add_options()("service", po::value<std::vector<std::string>>()->composing(),
                     "an affected service (repeatable)")(
      "start", po::value<std::string>(), "RFC 3339 start, e.g. 2026-12-01T02:00:00Z")(
      "end", po::value<std::string>(), "RFC 3339 end")("drain", po::value<std::string>(),
                                                       "drain this region for the window")(
      "message", po::value<std::string>(), "what users should know (1..4096 bytes)")(
      "title", po::value<std::string>(), "the window's name (default: the message's start)")(
      "why", po::value<std::string>()->default_value(""), "cancel: reason, kept in the audit log");
  po::variables_map vm;
  int exit = kExitOk;
  if (!Parse(argc, argv, opts, kMaintenanceUsage, "schedule | cancel (positional)", &vm, &exit))
    return exit;
  const std::string verb = Opt(vm, "verb");
  if (verb == "cancel") {
    if (!vm.count("id"))
      return Usage("maintenance", "cancel needs the window's ID", kMaintenanceUsage);
    return Send("maintenance cancel", vm,
                "/api/v1/maintenance/" + std::to_string(vm["id"].as<int64_t>()) + "/cancel",
                {{"message", Opt(vm, "why")}});
  }
  if (verb != "schedule") {
    return Usage("maintenance", "the verb is schedule or cancel", kMaintenanceUsage);
  }
  if (!vm.count("service") || !vm.count("start") || !vm.count("end")) {
    return Usage("maintenance", "schedule needs --service, --start and --end", kMaintenanceUsage);
  }
  auto start = status::ParseRfc3339(Opt(vm, "start"));
  if (!start) return Usage("maintenance", "--start: " + start.error().message, kMaintenanceUsage);
  auto end = status::ParseRfc3339(Opt(vm, "end"));
  if (!end) return Usage("maintenance", "--end: " + end.error().message, kMaintenanceUsage);
  if (*end <= *start)
    return Usage("maintenance", "the window ends before it starts", kMaintenanceUsage);
  std::string why;
  auto message = Message(vm, true, &why);
  if (!message) return Usage("maintenance", why, kMaintenanceUsage);
  json body = {{"services", vm["service"].as<std::vector<std::string>>()},
               {"start", Opt(vm, "start")},
               {"end", Opt(vm, "end")},
               {"message", *message}};
  if (vm.count("drain")) body["drain"] = Opt(vm, "drain");
  if (vm.count("title")) body["title"] = Opt(vm, "title");
  return Send("maintenance schedule", vm, "/api/v1/maintenance", body);
}

}  // namespace steer::agent::cli
