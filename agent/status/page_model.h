#pragma once

// The public status page as data: what the HTML page (page_html.cc) and the Statuspage v2
// JSON (page_json.cc) are rendered from. Built by PublicPage (public_page.h) from the uptime
// history, the incidents and the services' current status. Plain values; names only, never
// probe URLs or addresses.

#include <cstdint>
#include <string>
#include <vector>

#include "incident_book.h"
#include "steer/base/html.h"
#include "uptime_store.h"

namespace steer::status {

// Statuspage v2 component status: operational | degraded_performance | partial_outage |
// major_outage | under_maintenance.
struct ComponentView {
  std::string id;
  std::string name;
  std::string status = "operational";
  std::string group_id;               // "" = top level
  std::vector<std::string> children;  // ids, for a service with public regions
  std::vector<UptimeBucket> days;     // 90 UTC days, oldest first (services only)
  int position = 0;
  int64_t updated_ms = 0;
};

struct PageModel {
  std::string title;
  std::string url;
  int64_t now_ms = 0;
  std::string indicator = "none";  // none | minor | major | critical
  std::string description = "All Systems Operational";
  std::vector<ComponentView> components;  // services, each followed by its regions
  std::vector<Incident> incidents;        // newest first, open and resolved
  std::vector<Maintenance> maintenances;  // by start: scheduled, in progress and completed
};

// 2026-01-31T10:00:00.000Z
std::string IsoTime(int64_t ms);
// 2026-01-31
std::string IsoDay(int64_t ms);

// Share of good samples over `days`, 0..1; 1 without data.
double UptimeRatio(const std::vector<UptimeBucket>& days);

// Statuspage v2 documents (/api/v2/...).
std::string SummaryJson(const PageModel& m);
std::string StatusJson(const PageModel& m);
std::string ComponentsJson(const PageModel& m);
std::string IncidentsJson(const PageModel& m);
std::string UnresolvedIncidentsJson(const PageModel& m);
// Every window; upcoming: the scheduled ones; active: the ones in progress.
std::string ScheduledMaintenancesJson(const PageModel& m);
std::string UpcomingMaintenancesJson(const PageModel& m);
std::string ActiveMaintenancesJson(const PageModel& m);

// The HTML page: self-contained (no external assets, no script), light and dark.
std::string PageHtml(const PageModel& m);
using base::HtmlEscape;  // steer/base/html.h

}  // namespace steer::status
