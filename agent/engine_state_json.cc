#include "engine_state_json.h"

namespace steer::agent {
namespace {

using json = nlohmann::json;
using policies::Time;

json OptTime(const std::optional<Time>& t) { return t ? json(t->count()) : json(nullptr); }

std::optional<Time> ReadOptTime(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number_integer()) return std::nullopt;
  return Time(j[key].get<int64_t>());
}

policies::Health ParseHealth(const std::string& s) {
  if (s == policies::HealthName(policies::Health::kHealthy)) return policies::Health::kHealthy;
  if (s == policies::HealthName(policies::Health::kUnhealthy)) return policies::Health::kUnhealthy;
  return policies::Health::kUnknown;
}

}  // namespace

json ServiceStateToJson(const policies::ServiceState& s) {
  json changes = json::array();
  for (Time t : s.changes) changes.push_back(t.count());
  json tracks = json::array();
  for (const auto& t : s.tracks) {
    tracks.push_back({{"region", t.region},
                      {"verdict", policies::HealthName(t.verdict)},
                      {"since", t.since.count()}});
  }
  return {{"initialized", s.initialized},
          {"region", s.region},
          {"serving_all", s.serving_all},
          {"answers", s.answers},
          {"last_change", OptTime(s.last_change)},
          {"changes", changes},
          {"blocked_until", OptTime(s.blocked_until)},
          {"tracks", tracks}};
}

policies::ServiceState ServiceStateFromJson(const json& j) {
  policies::ServiceState s;
  if (!j.is_object()) return s;
  try {
    s.initialized = j.value("initialized", false);
    s.region = j.value("region", "");
    s.serving_all = j.value("serving_all", false);
    s.answers = j.value("answers", std::vector<std::string>{});
    s.last_change = ReadOptTime(j, "last_change");
    s.blocked_until = ReadOptTime(j, "blocked_until");
    for (const auto& c : j.value("changes", json::array()))
      s.changes.push_back(Time(c.get<int64_t>()));
    for (const auto& t : j.value("tracks", json::array())) {
      s.tracks.push_back({t.value("region", ""), ParseHealth(t.value("verdict", "")),
                          Time(t.value("since", int64_t{0}))});
    }
  } catch (const json::exception&) {
    return policies::ServiceState{};
  }
  return s;
}

}  // namespace steer::agent
