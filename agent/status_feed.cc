#include "status_feed.h"

#include "steer/base/log.h"

namespace steer::agent {
namespace {

const policies::RegionVerdict* Verdict(const policies::Decision& d, const std::string& region) {
  for (const auto& v : d.regions) {
    if (v.region == region) return &v;
  }
  return nullptr;
}

const char* RegionStatus(policies::Health h) {
  switch (h) {
    case policies::Health::kHealthy:
      return "operational";
    case policies::Health::kUnhealthy:
      return "major_outage";
    case policies::Health::kUnknown:
      break;
  }
  return "degraded_performance";
}

std::string Preferred(const config::ServiceConfig& sc) {
  return sc.regions.empty() ? "" : sc.regions.front().region;
}

}  // namespace

std::string ServiceSeries(const std::string& service) { return service; }
std::string RegionSeries(const std::string& service, const std::string& region) {
  return service + "/" + region;
}
std::string ComponentSeries(const std::string& service, const std::string& region,
                            const std::string& component) {
  return service + "/" + region + "/" + component;
}

status::DecisionFacts FactsOf(const config::ServiceConfig& sc, const policies::Decision& d) {
  status::DecisionFacts f{
      sc.name, policies::ActionName(d.action), d.cause, d.from, d.to, Preferred(sc), {}};
  for (const auto& v : d.regions) {
    f.regions.push_back({v.region, v.verdict == policies::Health::kUnhealthy,
                         v.verdict == policies::Health::kHealthy, v.down_votes, v.voters,
                         v.failing});
  }
  return f;
}

status::ServiceNow NowOf(const config::ServiceConfig& sc, const policies::Decision& d) {
  status::ServiceNow now{sc.name, "operational", 0, {}};
  const policies::RegionVerdict* serving = Verdict(d, d.to);
  if (d.to == "*" || d.cause == "all_down_keep" ||
      (serving && serving->verdict == policies::Health::kUnhealthy)) {
    now.status = "major_outage";
  } else if (!serving || serving->verdict != policies::Health::kHealthy || d.to != Preferred(sc)) {
    now.status = "degraded_performance";
  }
  for (const auto& v : d.regions) now.regions.emplace_back(v.region, RegionStatus(v.verdict));
  return now;
}

void FeedComponents(const config::ServiceConfig& sc,
                    const std::vector<policies::ComponentVerdict>& components,
                    status::UptimeStore& uptime) {
  for (const auto& c : components) {
    if (c.verdict == policies::Health::kUnknown) continue;
    auto r = uptime.Record(ComponentSeries(sc.name, c.region, c.component),
                           c.verdict == policies::Health::kHealthy);
    if (!r) base::Logger("agent")->warn("{}: status page: {}", sc.name, r.error().message);
  }
}

void FeedStatus(const config::ServiceConfig& sc, const policies::Decision& d,
                status::UptimeStore& uptime, status::IncidentBook* incidents, int64_t now_ms) {
  auto log_error = [&](const Result<void>& r) {
    if (!r) base::Logger("agent")->warn("{}: status page: {}", sc.name, r.error().message);
  };
  const policies::RegionVerdict* serving = Verdict(d, d.to);
  if (d.to == "*") {
    log_error(uptime.Record(ServiceSeries(sc.name), false));
  } else if (serving && serving->verdict != policies::Health::kUnknown) {
    log_error(
        uptime.Record(ServiceSeries(sc.name), serving->verdict == policies::Health::kHealthy));
  }
  for (const auto& v : d.regions) {
    if (v.verdict == policies::Health::kUnknown) continue;
    log_error(
        uptime.Record(RegionSeries(sc.name, v.region), v.verdict == policies::Health::kHealthy));
  }
  if (incidents != nullptr) log_error(incidents->Observe(FactsOf(sc, d), now_ms));
}

}  // namespace steer::agent
