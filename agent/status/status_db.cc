#include "status_db.h"

namespace steer::status {
namespace {

// uptime: one row per series and minute (span_s 60), down-sampled to one per hour (span_s
// 3600); good and bad count quorum-judged samples, bad_minutes the minutes with any bad one.
// Keyed by series, then time: a page's 90 days and an hour's compaction are range scans.
// incidents.service is '' for an operator's incident, whose services are in incident_services;
// maintenances.services is the window's services joined by '\n'.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS uptime_series (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS uptime (
  series_id INTEGER NOT NULL, span_s INTEGER NOT NULL, start_ms INTEGER NOT NULL,
  good INTEGER NOT NULL, bad INTEGER NOT NULL, bad_minutes INTEGER NOT NULL,
  PRIMARY KEY (series_id, start_ms, span_s)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT, service TEXT NOT NULL, name TEXT NOT NULL,
  status TEXT NOT NULL, impact TEXT NOT NULL, opened_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL, resolved_ms INTEGER);
CREATE INDEX IF NOT EXISTS incidents_open ON incidents (service, resolved_ms);
CREATE TABLE IF NOT EXISTS incident_updates (
  id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id INTEGER NOT NULL, at_ms INTEGER NOT NULL,
  status TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incident_updates_by_incident ON incident_updates (incident_id, id);
CREATE TABLE IF NOT EXISTS incident_services (
  incident_id INTEGER NOT NULL, service TEXT NOT NULL, UNIQUE (incident_id, service));
CREATE TABLE IF NOT EXISTS maintenances (
  id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, services TEXT NOT NULL,
  message TEXT NOT NULL, drain_region TEXT NOT NULL, start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL, status TEXT NOT NULL, created_ms INTEGER NOT NULL,
  started_ms INTEGER, ended_ms INTEGER, cancelled INTEGER NOT NULL, drained INTEGER NOT NULL,
  note TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS maintenances_by_end ON maintenances (end_ms);
)sql";

}  // namespace

Result<std::unique_ptr<StatusDb>> StatusDb::Open(const std::string& dir) {
  std::string path = dir + "/state.db";
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return MakeError(ErrorCode::kIo, "status store: cannot open " + path + ": " + msg);
  }
  std::unique_ptr<StatusDb> store(new StatusDb(db));
  sqlite3_busy_timeout(db, 5000);
  for (const char* sql : {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", kSchema}) {
    if (auto r = store->Exec(sql); !r) {
      return MakeError(ErrorCode::kIo, r.error().message + " (" + path + ")");
    }
  }
  return store;
}

StatusDb::StatusDb(sqlite3* db)
    : db_(db), stmts_(std::make_unique<base::StmtCache>(db, ErrorCode::kIo, "status store")) {}

StatusDb::~StatusDb() {
  stmts_.reset();  // a connection with unfinalised statements does not close
  sqlite3_close(db_);
}

Result<void> StatusDb::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return MakeError(ErrorCode::kIo, "status store: " + msg);
  }
  return {};
}

}  // namespace steer::status
