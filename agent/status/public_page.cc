#include "public_page.h"

#include <algorithm>
#include <cstdio>

#include "atom_feed.h"

namespace steer::status {
namespace {

// The paths served, and which of RenderAll()'s documents each gets.
struct Route {
  const char* path;
  size_t doc;
};
constexpr Route kRoutes[] = {{"/", 0},
                             {"/index.html", 0},
                             {"/api/v2/summary.json", 1},
                             {"/api/v2/status.json", 2},
                             {"/api/v2/components.json", 3},
                             {"/api/v2/incidents.json", 4},
                             {"/api/v2/incidents/unresolved.json", 5},
                             {"/api/v2/scheduled-maintenances.json", 6},
                             {"/api/v2/scheduled-maintenances/upcoming.json", 7},
                             {"/api/v2/scheduled-maintenances/active.json", 8},
                             {"/history.atom", 9}};

std::string Etag(const std::string& body) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

base::ServerResponse Plain(int status, const std::string& message) {
  base::ServerResponse r;
  r.status = status;
  r.body = "{\"error\":\"" + message + "\"}";
  return r;
}

bool IfNoneMatch(const std::string& header, const std::string& etag) {
  return header == "*" || header.find(etag) != std::string::npos;
}

}  // namespace

void ShowMaintenance(PageModel& m) {
  for (const Maintenance& w : m.maintenances) {
    if (w.status != "in_progress") continue;
    for (ComponentView& c : m.components) {
      const std::string& service = c.group_id.empty() ? c.id : c.group_id;
      if (std::find(w.services.begin(), w.services.end(), service) == w.services.end()) continue;
      // A region component: only the window's drained region, or every region without one.
      if (!c.group_id.empty() && !w.drain_region.empty() &&
          c.id != service + "/" + w.drain_region) {
        continue;
      }
      c.status = "under_maintenance";
    }
  }
}

void SetIndicator(PageModel& m) {
  int services = 0, major = 0, partial = 0, degraded = 0;
  for (const auto& c : m.components) {
    if (!c.group_id.empty()) continue;
    ++services;
    major += c.status == "major_outage";
    partial += c.status == "partial_outage";
    degraded += c.status == "degraded_performance";
  }
  for (const auto& i : m.incidents) {
    if (i.resolved_ms) continue;
    if (i.impact == "major" || i.impact == "critical") ++partial;
    if (i.impact == "minor") ++degraded;
  }
  if (services > 0 && major == services) {
    m.indicator = "critical";
    m.description = "Major Service Outage";
  } else if (major + partial > 0) {
    m.indicator = "major";
    m.description = "Partial System Outage";
  } else if (degraded > 0) {
    m.indicator = "minor";
    m.description = "Minor Service Outage";
  } else {
    m.indicator = "none";
    m.description = "All Systems Operational";
  }
}

PublicPage::PublicPage(PublicPageOptions options, UptimeStore& uptime, IncidentBook& incidents,
                       CurrentFn current, const base::Clock& clock)
    : options_(std::move(options)),
      uptime_(uptime),
      incidents_(incidents),
      current_(std::move(current)),
      clock_(clock) {}

Result<PageModel> PublicPage::Build() {
  PageModel m;
  m.title = options_.title;
  m.url = options_.url;
  m.now_ms = EpochMs(clock_.WallNow());
  std::vector<ServiceNow> now = current_();
  std::set<std::string> shown;
  auto show = [&](const ServiceNow& s) {
    ComponentView c{s.name, s.name, s.status, "", {}, {}, 0, s.since_ms};
    auto days = uptime_.Daily(s.name, m.now_ms, options_.days);
    if (!days) return Result<void>(tl::unexpected(days.error()));
    c.days = std::move(*days);
    std::vector<ComponentView> regions;
    for (const auto& [region, status] : s.regions) {
      if (!options_.regions.count(region)) continue;
      std::string id = s.name + "/" + region;
      c.children.push_back(id);
      regions.push_back({id, s.name + " in " + region, status, s.name, {}, {}, 0, s.since_ms});
    }
    shown.insert(s.name);
    m.components.push_back(std::move(c));
    for (auto& r : regions) m.components.push_back(std::move(r));
    return Result<void>();
  };
  if (options_.services.empty()) {
    for (const auto& s : now) {
      if (auto r = show(s); !r) return tl::unexpected(r.error());
    }
  } else {
    for (const auto& name : options_.services) {
      auto it = std::find_if(now.begin(), now.end(), [&](const auto& s) { return s.name == name; });
      if (it == now.end()) continue;
      if (auto r = show(*it); !r) return tl::unexpected(r.error());
    }
  }
  for (size_t i = 0; i < m.components.size(); ++i)
    m.components[i].position = static_cast<int>(i) + 1;
  auto incidents = incidents_.Since(m.now_ms - int64_t{options_.days} * kDayMs);
  if (!incidents) return tl::unexpected(incidents.error());
  auto affects_shown = [&](const auto& services) {
    return std::any_of(services.begin(), services.end(),
                       [&](const std::string& s) { return shown.count(s) > 0; });
  };
  for (auto& i : *incidents) {
    if (i.operator_made() ? affects_shown(i.services) : shown.count(i.service) > 0) {
      m.incidents.push_back(std::move(i));
    }
  }
  auto windows = incidents_.Maintenances(m.now_ms - int64_t{options_.days} * kDayMs);
  if (!windows) return tl::unexpected(windows.error());
  for (auto& w : *windows) {
    if (affects_shown(w.services)) m.maintenances.push_back(std::move(w));
  }
  ShowMaintenance(m);
  SetIndicator(m);
  return m;
}

Result<PublicPage::Documents> PublicPage::RenderAll() {
  auto m = Build();
  if (!m) return tl::unexpected(m.error());
  Documents out;
  const std::string json_type = "application/json";
  for (auto [body, type] :
       {std::pair{PageHtml(*m), std::string("text/html; charset=utf-8")},
        std::pair{SummaryJson(*m), json_type}, std::pair{StatusJson(*m), json_type},
        std::pair{ComponentsJson(*m), json_type}, std::pair{IncidentsJson(*m), json_type},
        std::pair{UnresolvedIncidentsJson(*m), json_type},
        std::pair{ScheduledMaintenancesJson(*m), json_type},
        std::pair{UpcomingMaintenancesJson(*m), json_type},
        std::pair{ActiveMaintenancesJson(*m), json_type},
        std::pair{AtomFeed(*m), std::string("application/atom+xml; charset=utf-8")}}) {
    std::string etag = Etag(body);
    out.push_back({std::make_shared<const std::string>(std::move(body)), type, std::move(etag)});
  }
  return out;
}

std::vector<std::string> StaticFilePaths() {
  std::vector<std::string> out;
  for (const Route& r : kRoutes) {
    std::string path = r.path;
    if (path != "/") out.push_back(path.substr(1));  // "/" is the same document as index.html
  }
  return out;
}

Result<std::vector<StaticFile>> PublicPage::StaticFiles() {
  auto rendered = RenderAll();
  if (!rendered) return tl::unexpected(rendered.error());
  std::vector<StaticFile> out;
  for (const Route& r : kRoutes) {
    std::string path = r.path;
    if (path != "/") out.push_back({path.substr(1), *(*rendered)[r.doc].body});
  }
  return out;
}

base::ServerResponse PublicPage::Handle(const base::ServerRequest& req) {
  if (req.method != "GET" && req.method != "HEAD") {
    return Plain(405, "method_not_allowed").With("Allow", "GET, HEAD");
  }
  const Route* route = nullptr;
  for (const Route& r : kRoutes) {
    if (req.path == r.path) route = &r;
  }
  if (route == nullptr) return Plain(404, "not_found");
  std::shared_ptr<const Documents> docs = Current();
  if (!docs) return Plain(503, "unavailable");
  const Rendered& doc = (*docs)[route->doc];
  base::ServerResponse r;
  r.content_type = doc.content_type;
  r.With("ETag", doc.etag)
      .With("Cache-Control", "public, max-age=" + std::to_string(options_.max_age.count() / 1000))
      .With("Access-Control-Allow-Origin", "*")
      .With("Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .With("Referrer-Policy", "no-referrer");
  if (IfNoneMatch(req.Header("if-none-match"), doc.etag)) {
    r.status = 304;
    return r;
  }
  r.shared_body = doc.body;
  return r;
}

std::shared_ptr<const PublicPage::Documents> PublicPage::Current() {
  std::shared_ptr<const Documents> docs;
  {
    std::lock_guard lock(mu_);
    docs = cache_;
    // Fresh, or another request is rendering the next copy: serve this one.
    if (docs && (clock_.SteadyNow() < cache_until_ || rendering_)) return docs;
    // Expired: this request renders. Before the first copy exists, every request renders.
    if (docs) rendering_ = true;
  }
  auto rendered = RenderAll();  // outside the lock: the others keep being served
  std::lock_guard lock(mu_);
  if (docs) rendering_ = false;
  if (!rendered) return cache_;  // the previous copy (null if none), retried next request
  cache_ = std::make_shared<const Documents>(std::move(*rendered));
  cache_until_ = clock_.SteadyNow() + options_.max_age;
  return cache_;
}

}  // namespace steer::status
