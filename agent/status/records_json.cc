#include "records_json.h"

#include <nlohmann/json.hpp>

#include "steer/base/json_text.h"

namespace steer::status {
namespace {

using nlohmann::json;

void PutOptional(json& j, const char* key, const std::optional<int64_t>& v) {
  j[key] = v ? json(*v) : json(nullptr);
}

std::optional<int64_t> GetOptional(const json& j, const char* key) {
  const json& v = j.at(key);
  return v.is_null() ? std::nullopt : std::optional<int64_t>(v.get<int64_t>());
}

json IncidentJson(const Incident& i) {
  json j{{"id", i.id},
         {"service", i.service},
         {"name", i.name},
         {"status", i.status},
         {"impact", i.impact},
         {"opened_ms", i.opened_ms},
         {"updated_ms", i.updated_ms},
         {"services", i.services},
         {"updates", json::array()}};
  PutOptional(j, "resolved_ms", i.resolved_ms);
  for (const auto& u : i.updates) {
    j["updates"].push_back(
        {{"id", u.id}, {"at_ms", u.at_ms}, {"status", u.status}, {"body", u.body}});
  }
  return j;
}

json MaintenanceJson(const Maintenance& m) {
  json j{{"id", m.id},
         {"title", m.title},
         {"services", m.services},
         {"message", m.message},
         {"drain_region", m.drain_region},
         {"start_ms", m.start_ms},
         {"end_ms", m.end_ms},
         {"status", m.status},
         {"created_ms", m.created_ms},
         {"cancelled", m.cancelled},
         {"drained", m.drained},
         {"note", m.note}};
  PutOptional(j, "started_ms", m.started_ms);
  PutOptional(j, "ended_ms", m.ended_ms);
  return j;
}

Incident IncidentFrom(const json& j) {
  Incident i;
  i.id = j.at("id").get<int64_t>();
  i.service = j.at("service").get<std::string>();
  i.name = j.at("name").get<std::string>();
  i.status = j.at("status").get<std::string>();
  i.impact = j.at("impact").get<std::string>();
  i.opened_ms = j.at("opened_ms").get<int64_t>();
  i.updated_ms = j.at("updated_ms").get<int64_t>();
  i.resolved_ms = GetOptional(j, "resolved_ms");
  i.services = j.at("services").get<std::vector<std::string>>();
  for (const json& u : j.at("updates")) {
    i.updates.push_back({u.at("id").get<int64_t>(), u.at("at_ms").get<int64_t>(),
                         u.at("status").get<std::string>(), u.at("body").get<std::string>()});
  }
  return i;
}

Maintenance MaintenanceFrom(const json& j) {
  Maintenance m;
  m.id = j.at("id").get<int64_t>();
  m.title = j.at("title").get<std::string>();
  m.services = j.at("services").get<std::vector<std::string>>();
  m.message = j.at("message").get<std::string>();
  m.drain_region = j.at("drain_region").get<std::string>();
  m.start_ms = j.at("start_ms").get<int64_t>();
  m.end_ms = j.at("end_ms").get<int64_t>();
  m.status = j.at("status").get<std::string>();
  m.created_ms = j.at("created_ms").get<int64_t>();
  m.started_ms = GetOptional(j, "started_ms");
  m.ended_ms = GetOptional(j, "ended_ms");
  m.cancelled = j.at("cancelled").get<bool>();
  m.drained = j.at("drained").get<bool>();
  m.note = j.at("note").get<std::string>();
  return m;
}

}  // namespace

RecordsJson RecordsToJson(const StatusRecords& records, size_t max_bytes) {
  json windows = json::array();
  for (const auto& m : records.maintenances) windows.push_back(MaintenanceJson(m));
  std::vector<json> incidents;
  for (const auto& i : records.incidents) incidents.push_back(IncidentJson(i));
  RecordsJson out;
  for (;;) {
    out.json = base::JsonText(json{{"incidents", incidents}, {"maintenances", windows}});
    if (out.json.size() <= max_bytes) return out;
    // The oldest resolved incident goes first (the list is newest first).
    auto oldest = std::find_if(incidents.rbegin(), incidents.rend(),
                               [](const json& i) { return !i["resolved_ms"].is_null(); });
    if (oldest == incidents.rend()) return out;  // only open incidents and windows: kept whole
    incidents.erase(std::next(oldest).base());
    ++out.dropped;
  }
}

Result<StatusRecords> RecordsFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return MakeError(ErrorCode::kInvalidArgument, "status records: not JSON");
  try {
    StatusRecords r;
    for (const json& i : j.at("incidents")) r.incidents.push_back(IncidentFrom(i));
    for (const json& m : j.at("maintenances")) r.maintenances.push_back(MaintenanceFrom(m));
    return r;
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("status records: ") + e.what());
  }
}

std::string MinuteToJson(const std::map<std::string, UptimeBucket>& rows) {
  json series = json::object();
  for (const auto& [name, b] : rows) series[name] = {b.good, b.bad, b.bad_minutes};
  return base::JsonText(json{{"series", series}});
}

Result<std::map<std::string, UptimeBucket>> MinuteFromJson(const std::string& text,
                                                           int64_t minute_ms) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return MakeError(ErrorCode::kInvalidArgument, "uptime minute: not JSON");
  try {
    const json& series = j.at("series");
    if (!series.is_object())
      return MakeError(ErrorCode::kInvalidArgument, "uptime minute: no series");
    std::map<std::string, UptimeBucket> rows;
    for (const auto& [name, v] : series.items()) {
      if (!v.is_array() || v.size() != 3) {
        return MakeError(ErrorCode::kInvalidArgument, "uptime minute: bad row for " + name);
      }
      rows[name] = {minute_ms, kMinuteMs, v[0].get<int64_t>(), v[1].get<int64_t>(),
                    v[2].get<int64_t>()};
    }
    return rows;
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("uptime minute: ") + e.what());
  }
}

}  // namespace steer::status
