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

#include <atomic>
#include <cstdint>
#include <functional>
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
  std::string service;  // "" for an operator's incident: see `services`
  std::string name;
  std::string status;  // as the latest update
  std::string impact;  // none | minor | major | critical
  int64_t opened_ms = 0;
  int64_t updated_ms = 0;
  std::optional<int64_t> resolved_ms;
  std::vector<IncidentUpdate> updates;  // newest first
  std::vector<std::string> services;    // an operator's incident: the services it names

  bool operator_made() const { return service.empty(); }
  // Whether the incident is about `name` (its service, or one of an operator's services).
  bool Affects(const std::string& svc) const;
};

// One region of a service as the decision judged it.
struct RegionFacts {
  std::string name;
  bool down = false;
  bool healthy = false;  // false when down or unknown
  int down_votes = 0;
  int voters = 0;
  std::vector<std::string> failing{};  // down: the components seen failing
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
  int64_t resolve_after_ms = 5 * 60'000;     // status.resolve_after
  std::set<std::string> public_regions;      // status.regions
  int64_t retention_ms = 90 * 86'400'000LL;  // status.retention: Observe() prunes hourly
};

// Operator incidents and maintenance windows (`steerctl incident`, `steerctl maintenance`).
inline constexpr size_t kMaxMessageBytes = 4096;  // an update's or a window's message
inline constexpr size_t kMaxTitleBytes = 200;

struct OperatorIncident {
  std::vector<std::string> services;     // checked against the policy by the caller
  std::string title;                     // "" = the message's first 80 bytes
  std::string impact = "minor";          // none | minor | major | critical
  std::string status = "investigating";  // investigating | identified | monitoring
  std::string message;
};

// A scheduled maintenance window. Lifecycle (Statuspage's statuses): scheduled, in_progress
// from start_ms, completed at end_ms; cancelled before it starts it is dropped from every list,
// cancelled while in progress it completes at once.
struct Maintenance {
  int64_t id = 0;
  std::string title;
  std::vector<std::string> services;
  std::string message;
  std::string drain_region;  // "" = none; never shown on the public page
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string status;  // scheduled | in_progress | completed | cancelled (before it started)
  int64_t created_ms = 0;
  std::optional<int64_t> started_ms;
  std::optional<int64_t> ended_ms;  // completed (at its end or when cancelled)
  bool cancelled = false;
  bool drained = false;  // its drain was accepted and is not undone yet
  std::string note;      // what happened to its drain and undrain, for the audit and operators
};

struct MaintenanceRequest {
  std::vector<std::string> services;  // checked against the policy by the caller
  std::string title;                  // "" = the message's first 80 bytes
  std::string message;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string drain_region;  // checked against the policy by the caller
};

// What a window does to its region: the daemon's drain and undrain operations (audited, the
// policy engine decides as for an operator's drain). An error is a refusal: kept in `note`.
struct MaintenanceActions {
  std::function<Result<void>(const Maintenance&)> drain;
  std::function<Result<void>(const Maintenance&)> undrain;
};

// Checks of operator input, each a clear error: the message is not empty and at most
// kMaxMessageBytes, valid UTF-8; impact and status from their value sets.
Result<void> CheckMessage(const std::string& message);
Result<void> CheckIncident(const OperatorIncident& i);
// "2026-12-01T02:00:00Z", "2026-12-01T03:00:00+01:00" (fractions of a second allowed) -> ms
// since the epoch; anything else is an error naming the expected form.
Result<int64_t> ParseRfc3339(const std::string& text);
// The window ends after it starts and not in the past (`now_ms`, a minute's grace).
Result<void> CheckMaintenance(const MaintenanceRequest& m, int64_t now_ms);

// Every incident and maintenance window a page shows: what a leader shares with its followers
// (coordination: etcd; records_json.h).
struct StatusRecords {
  std::vector<Incident> incidents;        // newest first
  std::vector<Maintenance> maintenances;  // by start
};

class IncidentBook {
 public:
  // `db` must outlive the book.
  IncidentBook(StatusDb& db, IncidentOptions options);

  // Feeds one decision made at `now_ms`; opens, updates or resolves the service's incident.
  Result<void> Observe(const DecisionFacts& facts, int64_t now_ms);
  // Every nameserver answers `region` for `service` (the DNS change a decision asked for is
  // verified): the service's open automatic incident, if any, gets an update saying so and how
  // long after its newest update (the decision's) that was. Said once per region in a row.
  Result<void> NoteVerified(const std::string& service, const std::string& region, int nameservers,
                            int64_t now_ms);
  // The open incident of each service, newest first.
  Result<std::vector<Incident>> Open();
  // Incidents opened at or after `since_ms` (open and resolved), newest first.
  Result<std::vector<Incident>> Since(int64_t since_ms);
  // Deletes resolved incidents resolved before `before_ms` (status.retention), and
  // maintenance windows that ended before it.
  Result<void> Prune(int64_t before_ms);

  // An operator's incident (operator_incidents.cc); its id. Checked first: nothing is stored
  // on bad input.
  Result<int64_t> OpenIncident(const OperatorIncident& i, int64_t now_ms);
  // A timeline entry on an open incident (an operator's or an automatic one); `impact` ""
  // keeps it. kNotFound for no such open incident.
  Result<void> UpdateIncident(int64_t id, const std::string& status, const std::string& impact,
                              const std::string& message, int64_t now_ms);
  Result<void> ResolveIncident(int64_t id, const std::string& message, int64_t now_ms);

  // Maintenance windows (maintenance_book.cc).
  Result<int64_t> ScheduleMaintenance(const MaintenanceRequest& m, int64_t now_ms);
  // Cancels a scheduled or in-progress window; undrains its region if it drained it.
  Result<Maintenance> CancelMaintenance(int64_t id, int64_t now_ms,
                                        const MaintenanceActions& actions);
  // Starts the windows due at `now_ms` (draining their region) and completes the ones that
  // ended (undraining it). A window whose end passed before it was started (steerd was down)
  // completes without draining. Returns the windows it changed.
  Result<std::vector<Maintenance>> AdvanceMaintenance(int64_t now_ms,
                                                      const MaintenanceActions& actions);
  // Windows not cancelled before they started that end at or after `since_ms`, by start.
  Result<std::vector<Maintenance>> Maintenances(int64_t since_ms);

  // Shared records (shared_records.cc). Grows with every change the book makes itself (not
  // with ReplaceRecords): the leader publishes its records when it moves.
  uint64_t version() const { return version_.load(); }
  // The incidents opened and the windows ending at or after `since_ms`, with their timelines.
  Result<StatusRecords> ExportRecords(int64_t since_ms);
  // Replaces every incident and window with `records` (a follower's copy of the leader's),
  // ids kept, in one transaction: on failure nothing changes.
  Result<void> ReplaceRecords(const StatusRecords& records);

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
  // Caller holds the database lock.
  Result<std::optional<Maintenance>> LoadMaintenance(int64_t id);
  Result<std::vector<Maintenance>> QueryMaintenances(const char* sql, int64_t arg);
  Result<void> SaveMaintenance(const Maintenance& m);
  // Rows as they are, ids kept (ReplaceRecords). Caller holds the database lock.
  Result<void> InsertIncident(const Incident& i);
  Result<void> InsertMaintenance(const Maintenance& m);

  StatusDb& db_;
  const IncidentOptions options_;
  std::mutex mu_;                                 // guards the maps; taken before the database lock
  std::map<std::string, int64_t> down_since_;     // "service/region"
  std::map<std::string, int64_t> healthy_since_;  // service
  std::map<std::string, std::optional<Incident>> open_;  // OpenFor's cache, by service
  std::optional<int64_t> last_prune_ms_;
  std::mutex maintenance_mu_;  // one window change at a time (drains run outside the db lock)
  // Grows when it goes out of scope, after the write it guards (a leader that read the version
  // before the write ends publishes again).
  struct VersionBump {
    std::atomic<uint64_t>& v;
    ~VersionBump() { v.fetch_add(1); }
  };
  std::atomic<uint64_t> version_{1};
};

}  // namespace steer::status
