// A leader's incidents and maintenance windows, exported for its followers and replaced into
// theirs (coordination: etcd; agent/status_share.h).
#include "incident_book.h"

namespace steer::status {

using base::Stmt;

Result<StatusRecords> IncidentBook::ExportRecords(int64_t since_ms) {
  StatusRecords r;
  auto incidents = Since(since_ms);
  if (!incidents) return tl::unexpected(incidents.error());
  r.incidents = std::move(*incidents);
  auto windows = Maintenances(since_ms);
  if (!windows) return tl::unexpected(windows.error());
  r.maintenances = std::move(*windows);
  return r;
}

Result<void> IncidentBook::InsertIncident(const Incident& i) {
  Stmt ins(db_.stmts(),
           "INSERT INTO incidents (id, service, name, status, impact, opened_ms, updated_ms, "
           "resolved_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  ins.Bind(1, i.id).Bind(2, i.service).Bind(3, i.name).Bind(4, i.status).Bind(5, i.impact);
  ins.Bind(6, i.opened_ms).Bind(7, i.updated_ms);
  if (i.resolved_ms) {
    ins.Bind(8, *i.resolved_ms);
  } else {
    ins.BindNull(8);
  }
  if (auto w = ins.Run(); !w) return w;
  for (const IncidentUpdate& u : i.updates) {
    Stmt up(db_.stmts(),
            "INSERT INTO incident_updates (id, incident_id, at_ms, status, body) "
            "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (auto w =
            up.Bind(1, u.id).Bind(2, i.id).Bind(3, u.at_ms).Bind(4, u.status).Bind(5, u.body).Run();
        !w) {
      return w;
    }
  }
  for (const std::string& service : i.services) {
    Stmt sv(db_.stmts(),
            "INSERT OR IGNORE INTO incident_services (incident_id, service) VALUES (?1, ?2)");
    if (auto w = sv.Bind(1, i.id).Bind(2, service).Run(); !w) return w;
  }
  return {};
}

Result<void> IncidentBook::ReplaceRecords(const StatusRecords& records) {
  std::lock_guard maintenance(maintenance_mu_);
  std::lock_guard lock(mu_);
  auto db_lock = db_.lock();
  Result<void> r = db_.Transaction([&]() -> Result<void> {
    if (auto d = db_.Exec("DELETE FROM incident_updates; DELETE FROM incident_services; "
                          "DELETE FROM incidents; DELETE FROM maintenances;");
        !d) {
      return d;
    }
    for (const Incident& i : records.incidents) {
      if (auto w = InsertIncident(i); !w) return w;
    }
    for (const Maintenance& m : records.maintenances) {
      if (auto w = InsertMaintenance(m); !w) return w;
    }
    return {};
  });
  open_.clear();  // OpenFor reads the replaced rows again
  return r;
}

}  // namespace steer::status
