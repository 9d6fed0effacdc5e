// The Statuspage v2 public API shape, for status aggregators and client libraries.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "page_model.h"

namespace steer::status {

using nlohmann::json;

std::string IsoTime(int64_t ms) {
  std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string IsoDay(int64_t ms) { return IsoTime(ms).substr(0, 10); }

double UptimeRatio(const std::vector<UptimeBucket>& days) {
  int64_t good = 0, bad = 0;
  for (const auto& d : days) {
    good += d.good;
    bad += d.bad;
  }
  return good + bad == 0 ? 1.0 : static_cast<double>(good) / static_cast<double>(good + bad);
}

namespace {

const char* kPageId = "steer";

json Page(const PageModel& m) {
  return {{"id", kPageId},
          {"name", m.title},
          {"url", m.url},
          {"time_zone", "Etc/UTC"},
          {"updated_at", IsoTime(m.now_ms)}};
}

json Status(const PageModel& m) {
  return {{"indicator", m.indicator}, {"description", m.description}};
}

json Component(const PageModel& m, const ComponentView& c) {
  json j = {{"id", c.id},
            {"name", c.name},
            {"status", c.status},
            {"created_at", IsoTime(m.now_ms)},
            {"updated_at", IsoTime(c.updated_ms ? c.updated_ms : m.now_ms)},
            {"position", c.position},
            {"description", nullptr},
            {"showcase", c.group_id.empty()},
            {"start_date", nullptr},
            {"group_id", c.group_id.empty() ? json(nullptr) : json(c.group_id)},
            {"page_id", kPageId},
            {"group", !c.children.empty()},
            {"only_show_if_degraded", false}};
  if (!c.children.empty()) j["components"] = c.children;
  return j;
}

json Components(const PageModel& m) {
  json out = json::array();
  for (const auto& c : m.components) out.push_back(Component(m, c));
  return out;
}

json IncidentJson(const PageModel& m, const Incident& i) {
  json updates = json::array();
  for (const auto& u : i.updates) {
    updates.push_back({{"id", std::to_string(u.id)},
                       {"status", u.status},
                       {"body", u.body},
                       {"incident_id", std::to_string(i.id)},
                       {"created_at", IsoTime(u.at_ms)},
                       {"updated_at", IsoTime(u.at_ms)},
                       {"display_at", IsoTime(u.at_ms)},
                       {"affected_components", json::array()}});
  }
  json components = json::array();
  for (const auto& c : m.components) {
    if (i.Affects(c.id)) components.push_back(Component(m, c));
  }
  return {{"id", std::to_string(i.id)},
          {"name", i.name},
          {"status", i.status},
          {"impact", i.impact},
          {"created_at", IsoTime(i.opened_ms)},
          {"updated_at", IsoTime(i.updated_ms)},
          {"monitoring_at", nullptr},
          {"resolved_at", i.resolved_ms ? json(IsoTime(*i.resolved_ms)) : json(nullptr)},
          {"started_at", IsoTime(i.opened_ms)},
          {"shortlink", m.url},
          {"page_id", kPageId},
          {"incident_updates", updates},
          {"components", components}};
}

json Incidents(const PageModel& m, bool open_only) {
  json out = json::array();
  for (const auto& i : m.incidents) {
    if (!open_only || !i.resolved_ms) out.push_back(IncidentJson(m, i));
  }
  return out;
}

// A window as a Statuspage scheduled maintenance (impact "maintenance"); its updates are its
// lifecycle: scheduled (the operator's message), in progress, completed (or cancelled).
json MaintenanceJson(const PageModel& m, const Maintenance& w) {
  json updates = json::array();
  auto update = [&](const std::string& suffix, int64_t at, const std::string& status,
                    const std::string& body) {
    updates.insert(updates.begin(), json{{"id", std::to_string(w.id) + suffix},
                                         {"status", status},
                                         {"body", body},
                                         {"incident_id", "m" + std::to_string(w.id)},
                                         {"created_at", IsoTime(at)},
                                         {"updated_at", IsoTime(at)},
                                         {"display_at", IsoTime(at)},
                                         {"affected_components", json::array()}});
  };
  update("-s", w.created_ms, "scheduled", w.message);
  if (w.started_ms)
    update("-p", *w.started_ms, "in_progress", "Scheduled maintenance is in progress.");
  if (w.ended_ms) {
    update(
        "-c", *w.ended_ms, "completed",
        w.cancelled ? "The maintenance was ended early." : "Scheduled maintenance has completed.");
  }
  json components = json::array();
  for (const auto& c : m.components) {
    if (std::find(w.services.begin(), w.services.end(), c.id) != w.services.end()) {
      components.push_back(Component(m, c));
    }
  }
  int64_t updated = w.ended_ms ? *w.ended_ms : w.started_ms ? *w.started_ms : w.created_ms;
  return {{"id", "m" + std::to_string(w.id)},
          {"name", w.title},
          {"status", w.status},
          {"impact", "maintenance"},
          {"created_at", IsoTime(w.created_ms)},
          {"updated_at", IsoTime(updated)},
          {"monitoring_at", nullptr},
          {"resolved_at", w.ended_ms ? json(IsoTime(*w.ended_ms)) : json(nullptr)},
          {"started_at", IsoTime(w.start_ms)},
          {"scheduled_for", IsoTime(w.start_ms)},
          {"scheduled_until", IsoTime(w.end_ms)},
          {"shortlink", m.url},
          {"page_id", kPageId},
          {"incident_updates", updates},
          {"components", components}};
}

// The windows whose status is in `statuses` ("" = every one).
json Maintenances(const PageModel& m, std::initializer_list<const char*> statuses) {
  json out = json::array();
  for (const auto& w : m.maintenances) {
    bool in = statuses.size() == 0;
    for (const char* s : statuses) in = in || w.status == s;
    if (in) out.push_back(MaintenanceJson(m, w));
  }
  return out;
}

}  // namespace

std::string SummaryJson(const PageModel& m) {
  return json{{"page", Page(m)},
              {"components", Components(m)},
              {"incidents", Incidents(m, true)},
              {"scheduled_maintenances", Maintenances(m, {"scheduled", "in_progress"})},
              {"status", Status(m)}}
      .dump();
}

std::string StatusJson(const PageModel& m) {
  return json{{"page", Page(m)}, {"status", Status(m)}}.dump();
}

std::string ComponentsJson(const PageModel& m) {
  return json{{"page", Page(m)}, {"components", Components(m)}}.dump();
}

std::string IncidentsJson(const PageModel& m) {
  return json{{"page", Page(m)}, {"incidents", Incidents(m, false)}}.dump();
}

std::string UnresolvedIncidentsJson(const PageModel& m) {
  return json{{"page", Page(m)}, {"incidents", Incidents(m, true)}}.dump();
}

std::string ScheduledMaintenancesJson(const PageModel& m) {
  return json{{"page", Page(m)}, {"scheduled_maintenances", Maintenances(m, {})}}.dump();
}

std::string UpcomingMaintenancesJson(const PageModel& m) {
  return json{{"page", Page(m)}, {"scheduled_maintenances", Maintenances(m, {"scheduled"})}}.dump();
}

std::string ActiveMaintenancesJson(const PageModel& m) {
  return json{{"page", Page(m)}, {"scheduled_maintenances", Maintenances(m, {"in_progress"})}}
      .dump();
}

}  // namespace steer::status
