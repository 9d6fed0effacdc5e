// steerctl status / history: read-only views of a running steerd.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/api_client.h"
#include "cli/command.h"
#include "steer/base/json_text.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;
using json = nlohmann::json;

std::string Str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "-";
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v) {
      if (!out.empty()) out += ',';
      out += e.is_string() ? e.get<std::string>() : base::JsonText(e);
    }
    return out.empty() ? "-" : out;
  }
  return base::JsonText(v);
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    width.resize(std::max(width.size(), r.size()));
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

std::string Propagation(const json& s) {
  if (!s.contains("propagation") || !s["propagation"].is_object()) return "-";
  const json& p = s["propagation"];
  std::string out =
      std::to_string(p.value("matching", 0)) + "/" + std::to_string(p.value("total", 0));
  // Several providers (`providers: [a, b]`): "4/5 (served by 1/2 providers)".
  if (s.contains("providers") && s["providers"].is_array() && s["providers"].size() > 1 &&
      s.contains("served_by") && s["served_by"].is_string()) {
    out += " (" + s["served_by"].get<std::string>() + ")";
  }
  return out;
}

// The rules that refuse an automatic change the policy wants (policies' Gate): while one
// holds a change, steerd keeps answering the current region, healthy or not.
bool HeldByRule(const std::string& cause) {
  return cause == "paused" || cause == "block_window" || cause == "min_change_interval" ||
         cause == "max_changes_per_hour";
}

// What lifts the hold, for the operator.
std::string Lift(const std::string& service, const std::string& rule, const std::string& to) {
  if (rule == "paused") {
    return "lift it with: steerctl resume " + service + " (steerctl resume if all were paused)";
  }
  if (rule == "block_window") return "lift it with: steerctl ack " + service;
  if (rule == "min_change_interval") return "it lifts by itself when the interval has passed";
  if (to.empty() || to == "*") return "it lifts as changes age out of the last hour";
  return "it lifts as changes age out of the last hour; to move now (pins the service): "
         "steerctl failover " +
         service + " --to " + to + " --force --override max_changes_per_hour";
}

// "HELD login: failover a → b held by rule max_changes_per_hour (...)" and what lifts it, for
// each service whose wanted change a safety rule refuses, then a blank line; nothing when
// none is held.
void PrintHeld(const json& services) {
  bool any = false;
  for (const auto& s : services) {
    if (s.is_object() && s.contains("held") && s["held"].is_string()) {
      // The agent's own state store refuses the decision's state: nothing is acted on.
      std::cout << "NOT ACTING " << Str(s, "name") << ": its state cannot be stored ("
                << s["held"].get<std::string>() << "); still answering " << Str(s, "active_region")
                << " " << Str(s, "answers") << "\n";
      any = true;
      continue;
    }
    if (!s.is_object() || !s.contains("decision") || !s["decision"].is_object()) continue;
    const json& d = s["decision"];
    const std::string rule = Str(d, "cause");
    if (!HeldByRule(rule)) continue;
    // The engine's reason reads "failover a → b refused: <why>".
    std::string wanted = "a change", why = Str(d, "sentence"), to;
    for (const auto& r : d.value("reasons", json::array())) {
      if (!r.is_string()) continue;
      const std::string line = r.get<std::string>();
      const size_t at = line.find(" refused: ");
      if (at == std::string::npos) continue;
      wanted = line.substr(0, at);
      why = line.substr(at + 10);
      if (const size_t arrow = wanted.rfind(' '); arrow != std::string::npos) {
        to = wanted.substr(arrow + 1);
      }
    }
    const std::string name = Str(s, "name");
    std::cout << "HELD " << name << ": " << wanted << " held by rule " << rule << " (" << why
              << "); still answering " << Str(s, "active_region") << " " << Str(s, "answers")
              << "\n"
              << "     " << Lift(name, rule, to) << "\n";
    any = true;
  }
  if (any) std::cout << "\n";
}

// etcd mode: who leads, whether this agent is frozen, and each vantage point's view.
void PrintCoordination(const json& a) {
  std::cout << "coordination etcd: leader "
            << (Str(a, "leader_vantage").empty() ? "(none)" : Str(a, "leader_vantage"))
            << (a.value("leader", false) ? "  token " + Str(a, "fencing_token") : "");
  if (a.value("frozen", false)) std::cout << "  FROZEN: " << Str(a, "frozen_why");
  std::cout << "\n";
  std::vector<std::vector<std::string>> rows = {{"VANTAGE", "REPORT", "VIEW"}};
  for (const auto& v : a.value("vantages", json::array())) {
    std::string view;
    if (v.contains("regions") && v["regions"].is_object()) {
      const json& regions = v["regions"];
      for (auto it = regions.begin(); it != regions.end(); ++it) {
        view += (view.empty() ? "" : "; ") + it.key() + " " + Str(regions, it.key().c_str());
      }
    }
    std::string report = v.value("self", false)
                             ? "self"
                             : std::string(v.value("fresh", false) ? "fresh" : "STALE") + " " +
                                   std::to_string(v.value("age_ms", 0) / 1000.0).substr(0, 4) + "s";
    rows.push_back({Str(v, "vantage"), report, view});
  }
  PrintTable(rows);
}

void PrintStatus(const json& st) {
  if (st.contains("agent")) {
    const json& a = st["agent"];
    std::cout << "agent " << Str(a, "vantage") << "  leader=" << Str(a, "leader")
              << "  policy=" << Str(a, "policy") << "\n";
    if (a.value("coordination", "local") == "etcd") PrintCoordination(a);
    std::cout << "\n";
  }
  std::vector<std::vector<std::string>> rows = {
      {"SERVICE", "DNS NAME", "ACTIVE", "ANSWERS", "STATE", "NAMESERVERS"}};
  for (const auto& s : st.value("services", json::array())) {
    rows.push_back({Str(s, "name"), Str(s, "dns_name"), Str(s, "active_region"), Str(s, "answers"),
                    Str(s, "state"), Propagation(s)});
  }
  PrintTable(rows);
  std::cout << "\n";
  PrintHeld(st.value("services", json::array()));
  rows = {{"REGION", "HEALTHY", "DRAINED", "DETAIL"}};
  for (const auto& r : st.value("regions", json::array())) {
    rows.push_back({Str(r, "name"), Str(r, "healthy"), Str(r, "drained"), Str(r, "detail")});
  }
  PrintTable(rows);
}

}  // namespace

int RunStatus(int argc, char** argv) {
  po::options_description opts("options");
  AddClientOptions(opts, true);
  po::variables_map vm;
  int exit = kExitOk;
  if (!ParseCommandLine(argc, argv, opts, {}, "usage: steerctl status [--json]", &vm, &exit)) {
    return exit;
  }
  auto client = MakeClient(vm, false);
  if (!client) return kExitUsage;
  auto r = client->Get("/api/v1/status");
  if (!r || r->status != 200 || !r->body.is_object()) {
    std::cerr << "steerctl status: "
              << (r ? "HTTP " + std::to_string(r->status) : r.error().message) << "\n";
    return kExitFailed;
  }
  if (vm.count("json")) {
    std::cout << base::JsonText(r->body, 2) << "\n";
  } else {
    PrintStatus(r->body);
  }
  return kExitOk;
}

int RunHistory(int argc, char** argv) {
  po::options_description opts("options");
  AddClientOptions(opts, true);
  opts.add_options()("service", po::value<std::string>(), "only this service")(
      "limit", po::value<int>()->default_value(20), "entries to show (newest first)");
  po::positional_options_description pos;
  pos.add("service", 1);
  po::variables_map vm;
  int exit = kExitOk;
  if (!ParseCommandLine(argc, argv, opts, pos, "usage: steerctl history [SERVICE] [--limit N]", &vm,
                        &exit)) {
    return exit;
  }
  auto client = MakeClient(vm, false);
  if (!client) return kExitUsage;
  std::string path = "/api/v1/history?limit=" + std::to_string(vm["limit"].as<int>());
  if (vm.count("service")) path += "&service=" + vm["service"].as<std::string>();
  auto r = client->Get(path);
  if (!r || r->status != 200 || !r->body.is_array()) {
    std::cerr << "steerctl history: "
              << (r ? "HTTP " + std::to_string(r->status) : r.error().message) << "\n";
    return kExitFailed;
  }
  if (vm.count("json")) {
    std::cout << base::JsonText(r->body, 2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "TIME", "KIND", "WHO", "SERVICE", "WHAT", "WHY"}};
  for (const auto& e : r->body) {
    rows.push_back({Str(e, "id"), Str(e, "time"), Str(e, "kind"), Str(e, "who"), Str(e, "service"),
                    Str(e, "what"), Str(e, "why")});
  }
  PrintTable(rows);
  return kExitOk;
}

}  // namespace steer::agent::cli
