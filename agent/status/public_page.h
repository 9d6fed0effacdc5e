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
// clients and proxies keep a copy for the same time.
//
// Thread-safety: Handle() from any number of threads (one mutex around the cache).

#include <chrono>
#include <functional>
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
    std::string body;
    std::string content_type;
    std::string etag;
  };
  Result<std::vector<Rendered>> RenderAll();

  const PublicPageOptions options_;
  UptimeStore& uptime_;
  IncidentBook& incidents_;
  const CurrentFn current_;
  const base::Clock& clock_;
  std::mutex mu_;  // guards cache_, cache_until_
  std::vector<Rendered> cache_;
  base::Clock::SteadyTime cache_until_{};
};

// The paths of StaticFiles(), in the order it returns them: what `steerctl status-page export`
// fetches from a running listener.
std::vector<std::string> StaticFilePaths();

// Page indicator and description from the components' and open incidents' states.
void SetIndicator(PageModel& m);

}  // namespace steer::status
