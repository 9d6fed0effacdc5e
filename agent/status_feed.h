#pragma once

// From the decision loop to the public status page: each decision becomes uptime samples
// (the service, and the service in each region), incident facts, and the current status of
// the service's page components. Names and counts only: never a probe URL, address or error.

#include <cstdint>

#include "status/incident_book.h"
#include "status/public_page.h"
#include "status/uptime_store.h"
#include "steer/config/policy.h"
#include "steer/policies/decision.h"

namespace steer::agent {

// The uptime series of a service ("login"), of a service in a region ("login/us-east") and of
// one component of that region ("login/us-east/auth").
std::string ServiceSeries(const std::string& service);
std::string RegionSeries(const std::string& service, const std::string& region);
std::string ComponentSeries(const std::string& service, const std::string& region,
                            const std::string& component);

status::DecisionFacts FactsOf(const config::ServiceConfig& sc, const policies::Decision& d);

// Statuspage component status: the service is operational on its preferred region,
// degraded_performance when served from another healthy region (or its served region's health
// is unknown), major_outage when the served region is down or every region is served.
status::ServiceNow NowOf(const config::ServiceConfig& sc, const policies::Decision& d);

// Records `d` as uptime samples; `incidents` (the leader's only, else null) also sees it.
// Failures are logged, never returned: the page must not stop decisions.
void FeedStatus(const config::ServiceConfig& sc, const policies::Decision& d,
                status::UptimeStore& uptime, status::IncidentBook* incidents, int64_t now_ms);

// Records the components' verdicts (policies::Engine::AssessComponents) as uptime samples;
// unknown verdicts are not samples. Failures are logged.
void FeedComponents(const config::ServiceConfig& sc,
                    const std::vector<policies::ComponentVerdict>& components,
                    status::UptimeStore& uptime);

}  // namespace steer::agent
