#pragma once

// PublicPage: the handler of steerd's public, read-only status listener (base::HttpServer).
// GET or HEAD of `/` (HTML), `/api/v2/summary.json`, `status.json`, `components.json`,
// `incidents.json`, `incidents/unresolved.json` and `scheduled-maintenances.json` (also
// `/upcoming.json`: the scheduled windows, `/active.json`: those in progress) and `/history.atom`
// (the incidents as an Atom feed, atom_feed.h); everything else is 404, other methods 405. No
// token, and nothing from the operator API: names of the services (status.services) and regions
// (status.regions) the policy makes public, their status, uptime and incidents.
//
// Rendered documents are cached for `max_age` (by the injected clock) and served with an
// ETag; a request whose If-None-Match matches gets 304 without a body. Cache-Control lets
// clients and proxies keep a copy for the same time. Bodies are shared with the cache, never
// copied per request. Once the cache has expired, one request renders the next copy, outside
// the lock, while the others are served the previous one (so a render of a large page never
// holds up requests); a failed render keeps the previous copy served and is retried by the
// next request. Only the first render, before any copy exists, is waited for.
//
// Thread-safety: Handle() from any number of threads (one mutex around the cache pointer).

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "page_export.h"
#include "page_model.h"
#include "steer/base/clock.h"
#include "steer/base/http_server.h"

namespace steer::status {

// One service as the decision loop last judged it.
struct ServiceNow {
  std::string name;
  std::string status;  // Statuspage component status
  int64_t since_ms = 0;
  std::vector<std::pair<std::string, std::string>> regions;  // name, component status
};

struct PublicPageOptions {
  std::string title = "Service status";
  std::string url;
  std::vector<std::string> services;  // shown, in this order; empty = every service
  std::set<std::string> regions;      // named; empty = none
  std::chrono::milliseconds max_age{5000};
  int days = 90;
};

class PublicPage {
 public:
  using CurrentFn = std::function<std::vector<ServiceNow>()>;
  // `uptime`, `incidents` and `clock` must outlive the page.
  PublicPage(PublicPageOptions options, UptimeStore& uptime, IncidentBook& incidents,
             CurrentFn current, const base::Clock& clock);

  base::ServerResponse Handle(const base::ServerRequest& request);
  // The model as of now (uncached), for export and tests.
  Result<PageModel> Build();
  // Every document Handle() serves, as of now (uncached), under its path without the
  // leading '/' ("/" is index.html): what status.export_dir holds.
  Result<std::vector<StaticFile>> StaticFiles();

 private:
  struct Rendered {
    std::shared_ptr<const std::string> body;
    std::string content_type;
    std::string etag;
  };
  using Documents = std::vector<Rendered>;
  Result<Documents> RenderAll();
  // The documents to serve now, rendering them first when they have expired (see above);
  // null when there are none and rendering failed.
  std::shared_ptr<const Documents> Current();

  const PublicPageOptions options_;
  UptimeStore& uptime_;
  IncidentBook& incidents_;
  const CurrentFn current_;
  const base::Clock& clock_;
  std::mutex mu_;  // guards cache_, cache_until_, rendering_
  std::shared_ptr<const Documents> cache_;
  base::Clock::SteadyTime cache_until_{};
  bool rendering_ = false;  // a request is rendering the next copy
};

// The paths of StaticFiles(), in the order it returns them: what `steerctl status-page export`
// fetches from a running listener.
std::vector<std::string> StaticFilePaths();

// Components of the services in a maintenance window in progress become under_maintenance
// (Statuspage's value): the service, and its regions on the page (only the window's
// drain_region when it has one).
void ShowMaintenance(PageModel& m);

// Page indicator and description from the components' and open incidents' states.
void SetIndicator(PageModel& m);

}  // namespace steer::status
