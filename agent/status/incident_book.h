#pragma once

// Incidents for the public status page, opened and resolved from the agent's decisions.
//
// Per service at most one incident is open. Trouble — an automatic failover away from a
// down region, every region down (hold or fail-open), or a region judged down for longer
// than `region_down_after` — opens one, or adds an update to the open one when the story
// changed (so a flapping service gets one incident with a timeline, not twenty). When the
// service is back on its preferred region and every region is healthy, the incident moves
// to "monitoring", and is resolved once that has lasted `resolve_after`; trouble before
// then continues the same incident. Updates are written in plain words from the decision's
// facts, never from probe errors, so no probe URL or address reaches the page; regions not
// listed in status.regions are not named.
//
// Stored in the status tables of the state database (StatusDb); the open incident of each
// service is also cached in memory (this book is the only writer), so a decision tick reads
// nothing from the database. The "healthy since" and "down since" clocks are kept in memory:
// after a restart they start again.
//
// Thread-safety: every method may be called from any thread (one mutex).

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "status_db.h"

namespace steer::status {

struct IncidentUpdate {
  int64_t id = 0;
  int64_t at_ms = 0;
  std::string status;  // investigating | identified | monitoring | resolved
  std::string body;
};

struct Incident {
  int64_t id = 0;
  std::string service;
  std::string name;
  std::string status;  // as the latest update
  std::string impact;  // none | minor | major | critical
  int64_t opened_ms = 0;
  int64_t updated_ms = 0;
  std::optional<int64_t> resolved_ms;
  std::vector<IncidentUpdate> updates;  // newest first
};

// One region of a service as the decision judged it.
struct RegionFacts {
  std::string name;
  bool down = false;
  bool healthy = false;  // false when down or unknown
  int down_votes = 0;
  int voters = 0;
};

// What the incident book needs from one decision (policies::Decision, flattened).
struct DecisionFacts {
  std::string service;
  std::string action;  // policies::ActionName: none, hold, failover, serve_all, ...
  std::string cause;   // down, drained, all_down_keep, all_down_serve_all, ...
  std::string from;    // "*" = every region
  std::string to;
  std::string preferred;             // the service's first region
  std::vector<RegionFacts> regions;  // policy order
};

struct IncidentOptions {
  int64_t region_down_after_ms = 5 * 60'000;
  int64_t resolve_after_ms = 5 * 60'000;
  std::set<std::string> public_regions;      // status.regions
  int64_t retention_ms = 90 * 86'400'000LL;  // status.retention: Observe() prunes hourly
};

class IncidentBook {
 public:
  // `db` must outlive the book.
  IncidentBook(StatusDb& db, IncidentOptions options);

  // Feeds one decision made at `now_ms`; opens, updates or resolves the service's incident.
  Result<void> Observe(const DecisionFacts& facts, int64_t now_ms);
  // The open incident of each service, newest first.
  Result<std::vector<Incident>> Open();
  // Incidents opened at or after `since_ms` (open and resolved), newest first.
  Result<std::vector<Incident>> Since(int64_t since_ms);
  // Deletes resolved incidents resolved before `before_ms` (status.retention).
  Result<void> Prune(int64_t before_ms);

 private:
  struct Story {
    std::string status;
    std::string impact;
    std::string body;
  };
  std::optional<Story> Trouble(const DecisionFacts& f, int64_t now_ms);
  std::string Name(const std::string& region, const DecisionFacts& f) const;
  // Caller holds mu_ and the database lock.
  Result<std::optional<Incident>> OpenFor(const std::string& service);
  Result<std::optional<Incident>> LoadOpen(const std::string& service);
  Result<void> Start(const DecisionFacts& f, const Story& s, int64_t now_ms);
  Result<void> AddUpdate(const Incident& i, const Story& s, int64_t now_ms, bool resolve);
  Result<std::vector<Incident>> Query(const char* sql, int64_t arg);

  StatusDb& db_;
  const IncidentOptions options_;
  std::mutex mu_;                                 // guards the maps; taken before the database lock
  std::map<std::string, int64_t> down_since_;     // "service/region"
  std::map<std::string, int64_t> healthy_since_;  // service
  std::map<std::string, std::optional<Incident>> open_;  // OpenFor's cache, by service
  std::optional<int64_t> last_prune_ms_;
};

}  // namespace steer::status
