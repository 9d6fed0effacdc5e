// Scheduled maintenance windows (`steerctl maintenance schedule|cancel`) and their lifecycle.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "incident_book.h"

namespace steer::status {

using base::Stmt;

namespace {

constexpr int64_t kGraceMs = 60'000;  // clock skew between steerctl and steerd

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "\n") + s;
  return out;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string TitleOf(const MaintenanceRequest& m) {
  if (!m.title.empty()) return m.title;
  if (m.message.size() <= 80) return m.message;
  size_t cut = 77;
  while (cut > 0 && (static_cast<unsigned char>(m.message[cut]) >> 6) == 0x2) --cut;
  return m.message.substr(0, cut) + "...";
}

#define STEER_MAINTENANCE_COLUMNS                                                             \
  "SELECT id, title, services, message, drain_region, start_ms, end_ms, status, created_ms, " \
  "started_ms, ended_ms, cancelled, drained, note FROM maintenances "
constexpr const char* kById = STEER_MAINTENANCE_COLUMNS "WHERE id = ?1";
constexpr const char* kSince =
    STEER_MAINTENANCE_COLUMNS "WHERE end_ms >= ?1 AND status != 'cancelled' ORDER BY start_ms, id";
constexpr const char* kOpen = STEER_MAINTENANCE_COLUMNS
    "WHERE status IN ('scheduled', 'in_progress') AND ?1 = ?1 ORDER BY start_ms, id";
#undef STEER_MAINTENANCE_COLUMNS

Maintenance Row(const Stmt& s) {
  Maintenance m;
  m.id = s.Int(0);
  m.title = s.Text(1);
  m.services = Split(s.Text(2));
  m.message = s.Text(3);
  m.drain_region = s.Text(4);
  m.start_ms = s.Int(5);
  m.end_ms = s.Int(6);
  m.status = s.Text(7);
  m.created_ms = s.Int(8);
  if (!s.IsNull(9)) m.started_ms = s.Int(9);
  if (!s.IsNull(10)) m.ended_ms = s.Int(10);
  m.cancelled = s.Int(11) != 0;
  m.drained = s.Int(12) != 0;
  m.note = s.Text(13);
  return m;
}

void Note(Maintenance& m, const std::string& line) {
  m.note += (m.note.empty() ? "" : "; ") + line;
}

// Undoes the window's drain, if it drained; the outcome goes into the note.
void Undrain(Maintenance& m, const MaintenanceActions& actions) {
  if (!m.drained) return;
  auto r = actions.undrain ? actions.undrain(m) : Result<void>();
  m.drained = false;
  Note(m, r ? "undrained " + m.drain_region
            : "undrain of " + m.drain_region + " failed: " + r.error().message);
}

}  // namespace

Result<int64_t> ParseRfc3339(const std::string& text) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "'" + text + "' is not an RFC 3339 time (e.g. 2026-12-01T02:00:00Z)");
  };
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return bad();
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return bad();
  }
  size_t i = 19;
  int64_t ms = 0;
  if (i < text.size() && text[i] == '.') {
    int64_t scale = 100;
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      ms += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  int64_t offset_s = 0;
  const std::string zone = text.substr(std::min(i, text.size()));
  int oh = 0, om = 0;
  char tail = 0;
  if (zone == "Z") {
    offset_s = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
             std::sscanf(zone.c_str() + 1, "%2d:%2d%c", &oh, &om, &tail) == 2 && oh < 24 &&
             om < 60) {
    offset_s = (zone[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  } else {
    return bad();
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const int mday = tm.tm_mday;
  const std::time_t t = timegm(&tm);
  if (tm.tm_mday != mday || tm.tm_year < 70) return bad();  // 2026-02-31, before 1970
  return (static_cast<int64_t>(t) - offset_s) * 1000 + ms;
}

Result<void> CheckMaintenance(const MaintenanceRequest& m, int64_t now_ms) {
  if (m.services.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a maintenance window names at least one service");
  }
  if (m.end_ms <= m.start_ms) {
    return MakeError(ErrorCode::kInvalidArgument, "the window ends before it starts");
  }
  if (m.start_ms < now_ms - kGraceMs) {
    return MakeError(ErrorCode::kInvalidArgument, "the window starts in the past");
  }
  if (m.title.size() > kMaxTitleBytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the title is longer than " + std::to_string(kMaxTitleBytes) + " bytes");
  }
  return CheckMessage(m.message);
}

Result<int64_t> IncidentBook::ScheduleMaintenance(const MaintenanceRequest& m, int64_t now_ms) {
  VersionBump bump{version_};  // when the write is done: a leader publishes it
  if (auto ok = CheckMaintenance(m, now_ms); !ok) return tl::unexpected(ok.error());
  auto db_lock = db_.lock();
  Stmt ins(db_.stmts(),
           "INSERT INTO maintenances (title, services, message, drain_region, start_ms, end_ms, "
           "status, created_ms, cancelled, drained, note) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'scheduled', ?7, 0, 0, '')");
  if (auto w = ins.Bind(1, TitleOf(m))
                   .Bind(2, Join(m.services))
                   .Bind(3, m.message)
                   .Bind(4, m.drain_region)
                   .Bind(5, m.start_ms)
                   .Bind(6, m.end_ms)
                   .Bind(7, now_ms)
                   .Run();
      !w) {
    return tl::unexpected(w.error());
  }
  return sqlite3_last_insert_rowid(db_.stmts().db());
}

Result<void> IncidentBook::InsertMaintenance(const Maintenance& m) {
  Stmt ins(db_.stmts(),
           "INSERT INTO maintenances (id, title, services, message, drain_region, start_ms, "
           "end_ms, status, created_ms, cancelled, drained, note, started_ms, ended_ms) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  ins.Bind(1, m.id).Bind(2, m.title).Bind(3, Join(m.services)).Bind(4, m.message);
  ins.Bind(5, m.drain_region).Bind(6, m.start_ms).Bind(7, m.end_ms).Bind(8, m.status);
  ins.Bind(9, m.created_ms).Bind(10, int64_t{m.cancelled}).Bind(11, int64_t{m.drained});
  ins.Bind(12, m.note);
  for (const auto& [index, value] : {std::pair{13, m.started_ms}, std::pair{14, m.ended_ms}}) {
    if (value) {
      ins.Bind(index, *value);
    } else {
      ins.BindNull(index);
    }
  }
  return ins.Run();
}

Result<std::optional<Maintenance>> IncidentBook::LoadMaintenance(int64_t id) {
  auto rows = QueryMaintenances(kById, id);
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::optional<Maintenance>();
  return std::optional<Maintenance>(std::move(rows->front()));
}

Result<std::vector<Maintenance>> IncidentBook::QueryMaintenances(const char* sql, int64_t arg) {
  Stmt s(db_.stmts(), sql);
  if (!s.ok()) return s.Fail();
  s.Bind(1, arg);
  std::vector<Maintenance> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(Row(s));
  if (rc != SQLITE_DONE) return s.Fail();
  return out;
}

Result<void> IncidentBook::SaveMaintenance(const Maintenance& m) {
  VersionBump bump{version_};  // when the write is done: a leader publishes it
  Stmt s(db_.stmts(),
         "UPDATE maintenances SET status = ?2, started_ms = ?3, ended_ms = ?4, cancelled = ?5, "
         "drained = ?6, note = ?7, end_ms = ?8 WHERE id = ?1");
  s.Bind(1, m.id).Bind(2, m.status);
  if (m.started_ms) {
    s.Bind(3, *m.started_ms);
  } else {
    s.BindNull(3);
  }
  if (m.ended_ms) {
    s.Bind(4, *m.ended_ms);
  } else {
    s.BindNull(4);
  }
  return s.Bind(5, int64_t{m.cancelled})
      .Bind(6, int64_t{m.drained})
      .Bind(7, m.note)
      .Bind(8, m.end_ms)
      .Run();
}

Result<Maintenance> IncidentBook::CancelMaintenance(int64_t id, int64_t now_ms,
                                                    const MaintenanceActions& actions) {
  std::lock_guard lock(maintenance_mu_);
  std::optional<Maintenance> m;
  {
    auto db_lock = db_.lock();
    auto loaded = LoadMaintenance(id);
    if (!loaded) return tl::unexpected(loaded.error());
    m = std::move(*loaded);
  }
  if (!m || (m->status != "scheduled" && m->status != "in_progress")) {
    return MakeError(ErrorCode::kNotFound,
                     "no scheduled or in-progress maintenance #" + std::to_string(id));
  }
  m->cancelled = true;
  if (m->status == "scheduled") {
    m->status = "cancelled";
  } else {
    Undrain(*m, actions);  // outside the database lock: the drain operation writes state
    m->status = "completed";
    m->ended_ms = now_ms;
    m->end_ms = std::min(m->end_ms, now_ms);
  }
  Note(*m, "cancelled");
  auto db_lock = db_.lock();
  if (auto w = SaveMaintenance(*m); !w) return tl::unexpected(w.error());
  return *m;
}

Result<std::vector<Maintenance>> IncidentBook::AdvanceMaintenance(
    int64_t now_ms, const MaintenanceActions& actions) {
  std::lock_guard lock(maintenance_mu_);
  std::vector<Maintenance> open;
  {
    auto db_lock = db_.lock();
    auto rows = QueryMaintenances(kOpen, 0);
    if (!rows) return tl::unexpected(rows.error());
    open = std::move(*rows);
  }
  std::vector<Maintenance> changed;
  for (Maintenance& m : open) {
    const std::string was = m.status;
    if (m.status == "scheduled" && m.start_ms <= now_ms) {
      m.status = "in_progress";
      m.started_ms = now_ms;
      if (!m.drain_region.empty() && m.end_ms > now_ms) {
        auto r = actions.drain ? actions.drain(m) : Result<void>();
        m.drained = r.has_value();
        Note(m, r ? "drained " + m.drain_region
                  : "drain of " + m.drain_region + " refused: " + r.error().message);
      }
    }
    if (m.status == "in_progress" && m.end_ms <= now_ms) {
      Undrain(m, actions);
      m.status = "completed";
      m.ended_ms = now_ms;
    }
    if (m.status == was) continue;
    auto db_lock = db_.lock();
    if (auto w = SaveMaintenance(m); !w) return tl::unexpected(w.error());
    changed.push_back(m);
  }
  return changed;
}

Result<std::vector<Maintenance>> IncidentBook::Maintenances(int64_t since_ms) {
  auto db_lock = db_.lock();
  return QueryMaintenances(kSince, since_ms);
}

}  // namespace steer::status
