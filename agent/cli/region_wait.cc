#include "cli/region_wait.h"

#include <algorithm>
#include <map>

#include "cli/command.h"
#include "steer/base/duration.h"

namespace steer::agent::cli {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& s : j) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool Overlaps(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(),
                     [&](const std::string& s) { return std::count(b.begin(), b.end(), s) > 0; });
}

bool Contains(const std::vector<std::string>& all, const std::vector<std::string>& part) {
  return !part.empty() && std::all_of(part.begin(), part.end(), [&](const std::string& s) {
    return std::count(all.begin(), all.end(), s) > 0;
  });
}

// o[key] when `o` is an object that has it; null otherwise (a reference: never a temporary).
const json& Field(const json& o, const char* key) {
  static const json kNull;
  if (!o.is_object()) return kNull;
  auto it = o.find(key);
  return it == o.end() ? kNull : *it;
}

const json* FindByName(const json& list, const std::string& name) {
  if (!list.is_array()) return nullptr;
  for (const auto& e : list) {
    if (e.is_object() && e.value("name", "") == name) return &e;
  }
  return nullptr;
}

// Every nameserver answers what the service decided (the same records, in any order).
bool Propagated(const json& s, const std::vector<std::string>& decided) {
  const json p = s.value("propagation", json::object());
  if (!p.is_object() || !p.value("done", false)) return false;
  std::vector<std::string> answered = Strings(p.value("answers", json::array()));
  std::vector<std::string> want = decided;
  std::sort(answered.begin(), answered.end());
  std::sort(want.begin(), want.end());
  return answered == want;
}

std::string Nameservers(const json& s) {
  const json p = s.value("propagation", json::object());
  std::string line = std::to_string(p.value("matching", 0)) + "/" +
                     std::to_string(p.value("total", 0)) + " nameservers answer it";
  if (s.contains("last_error") && s["last_error"].is_string()) {
    line += " (" + s["last_error"].get<std::string>() + ")";
  }
  return line;
}

class Checker {
 public:
  void Add(const std::string& key, const std::string& line, bool ok) {
    check_.lines.emplace_back(key, line);
    if (!ok && check_.done) {
      check_.done = false;
      check_.waiting_for = line;
    }
  }
  RegionCheck Take() { return std::move(check_); }

 private:
  RegionCheck check_{true, {}, ""};
};

void CheckServiceDrained(const json& s, const std::string& region, Checker& c) {
  const json* sr = FindByName(Field(s, "regions"), region);
  if (sr == nullptr) return;  // the service does not use the region
  const std::string name = s.value("name", "?");
  const std::string on = s.value("active_region", "?");
  std::vector<std::string> answers = Strings(s.value("answers", json::array()));
  if (Overlaps(answers, Strings(sr->value("answers", json::array())))) {
    c.Add(name, name + ": still answers " + region + " (state " + s.value("state", "?") + ")",
          false);
    return;
  }
  const std::string moved = name + ": moved to " + on + " (" + Join(answers) + "); ";
  if (!Propagated(s, answers)) {
    c.Add(name, moved + Nameservers(s), false);
    return;
  }
  const json p = s["propagation"];
  const int64_t ttl_ms = int64_t{p.value("ttl", 0)} * 1000;
  const int64_t ago = p.value("done_ago_ms", int64_t{0});
  const std::string ttl = base::FormatDuration(milliseconds(ttl_ms));
  if (ago < ttl_ms) {
    c.Add(name, moved + "every nameserver answers it; waiting out the TTL (" + ttl + ")", false);
    return;
  }
  c.Add(name, moved + "every nameserver answers it and the TTL (" + ttl + ") has passed", true);
}

// The first region in the service's list that is healthy and not drained ("" if none).
std::string Preferred(const json& s, const json& regions) {
  for (const auto& sr : Field(s, "regions")) {
    const json* r = FindByName(regions, sr.value("name", ""));
    if (r != nullptr && r->value("healthy", json()) == true && r->value("drained", true) == false) {
      return sr.value("name", "");
    }
  }
  return "";
}

void CheckServiceBack(const json& s, const json& regions, const std::string& region, Checker& c) {
  const json* sr = FindByName(Field(s, "regions"), region);
  if (sr == nullptr) return;
  const std::string name = s.value("name", "?");
  const std::string preferred = Preferred(s, regions);
  if (preferred.empty()) return;  // nothing healthy: the region line says why
  if (preferred != region) {
    c.Add(name, name + ": stays on " + preferred + " (listed before " + region + ")", true);
    return;
  }
  if (s.value("failback", "auto") == "manual") {
    c.Add(name,
          name + ": failback is manual; to return: steerctl switchover " + name + " --to " + region,
          true);
    return;
  }
  std::vector<std::string> answers = Strings(s.value("answers", json::array()));
  if (!Contains(answers, Strings(sr->value("answers", json::array())))) {
    c.Add(name,
          name + ": not back on " + region + " yet (on " + s.value("active_region", "?") +
              ", state " + s.value("state", "?") + ")",
          false);
  } else if (!Propagated(s, answers)) {
    c.Add(name, name + ": back on " + region + " (" + Join(answers) + "); " + Nameservers(s),
          false);
  } else {
    c.Add(name, name + ": back on " + region + "; every nameserver answers " + Join(answers), true);
  }
}

// With several agents only the leader writes and checks the nameservers.
void CheckLeader(const json& status, Checker& c) {
  const json& agent = Field(status, "agent");
  if (Field(agent, "leader") != false) return;
  c.Add("agent",
        "this steerd is not the leader (the leader is " + agent.value("leader_vantage", "?") +
            "): only the leader checks the nameservers; ask its API (--api)",
        false);
}

}  // namespace

RegionCheck CheckDrained(const json& status, const std::string& region) {
  Checker c;
  if (!status.is_object() || !status.contains("services")) {
    c.Add("steerd", "steerd's status lists no services", false);
    return c.Take();
  }
  CheckLeader(status, c);
  for (const auto& s : status["services"]) CheckServiceDrained(s, region, c);
  return c.Take();
}

RegionCheck CheckUndrained(const json& status, const std::string& region) {
  Checker c;
  CheckLeader(status, c);
  const json& regions = Field(status, "regions");
  const json* r = FindByName(regions, region);
  if (r == nullptr) {
    c.Add(region, "steerd's status has no region " + region, false);
    return c.Take();
  }
  if (r->value("drained", false) == true) {
    c.Add(region, region + ": still drained", false);
  } else if (r->value("healthy", json()) != true) {
    c.Add(region, region + ": not healthy: " + r->value("detail", "no verdict yet"), false);
  } else {
    c.Add(region, region + ": healthy and not drained", true);
  }
  for (const auto& s : Field(status, "services")) {
    CheckServiceBack(s, regions, region, c);
  }
  return c.Take();
}

int WaitForRegion(const ApiGet& get, const base::Clock& clock, const RegionWait& wait,
                  std::ostream& progress) {
  const char* verb = wait.kind == RegionWaitKind::kDrain ? "drain" : "undrain";
  const auto start = clock.SteadyNow();
  const auto deadline = start + wait.timeout;
  std::map<std::string, std::string> shown;
  std::string waiting_for, api_error;
  while (true) {
    auto r = get("/api/v1/status");
    if (r && r->status == 200) {
      api_error.clear();
      RegionCheck check = wait.kind == RegionWaitKind::kDrain
                              ? CheckDrained(r->body, wait.region)
                              : CheckUndrained(r->body, wait.region);
      for (const auto& [key, line] : check.lines) {
        if (shown[key] != line) progress << line << "\n" << std::flush;
        shown[key] = line;
      }
      auto took = std::chrono::duration_cast<milliseconds>(clock.SteadyNow() - start);
      if (check.done) {
        progress << verb << " " << wait.region << ": done in " << base::FormatDuration(took)
                 << "\n";
        return kExitOk;
      }
      waiting_for = check.waiting_for;
    } else {
      std::string e = !r ? r.error().message : "HTTP " + std::to_string(r->status);
      if (e != api_error) progress << "steerd: " << e << " (asking again)\n" << std::flush;
      api_error = e;
    }
    const auto now = clock.SteadyNow();
    if (now >= deadline) break;
    clock.SleepFor(std::min<std::chrono::nanoseconds>(wait.poll, deadline - now));
  }
  progress << "steerctl " << verb << ": timed out after " << base::FormatDuration(wait.timeout);
  if (!api_error.empty()) {
    progress << ": steerd did not answer: " << api_error << "\n";
    return kExitApiError;
  }
  progress << "; still waiting for " << waiting_for << " (steerd keeps working on it; see "
           << "steerctl status)\n";
  return kExitTimedOut;
}

}  // namespace steer::agent::cli
