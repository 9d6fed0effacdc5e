// Operator incidents (`steerctl incident open|update|resolve`): stored in the same tables as
// the automatic ones, with service '' and their services in incident_services.
#include <algorithm>

#include "incident_book.h"

namespace steer::status {

using base::Stmt;

namespace {

bool OneOf(const std::string& v, std::initializer_list<const char*> set) {
  return std::any_of(set.begin(), set.end(), [&](const char* s) { return v == s; });
}

// Lead and continuation bytes of UTF-8 (overlong forms and surrogates are not checked).
bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c >= 0x80) {
      if ((c >> 5) == 0x6) {
        n = 1;
      } else if ((c >> 4) == 0xE) {
        n = 2;
      } else if ((c >> 3) == 0x1E) {
        n = 3;
      } else {
        return false;
      }
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n + 1;
  }
  return true;
}

// The message's first 80 bytes, cut on a character boundary.
std::string TitleOf(const std::string& title, const std::string& message) {
  if (!title.empty()) return title;
  if (message.size() <= 80) return message;
  size_t cut = 77;
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) >> 6) == 0x2) --cut;
  return message.substr(0, cut) + "...";
}

Result<void> CheckTitle(const std::string& title) {
  if (title.size() > kMaxTitleBytes || !ValidUtf8(title)) {
    return MakeError(ErrorCode::kInvalidArgument, "the title must be valid UTF-8 of at most " +
                                                      std::to_string(kMaxTitleBytes) + " bytes");
  }
  return {};
}

}  // namespace

Result<void> CheckMessage(const std::string& message) {
  if (message.find_first_not_of(" \t\r\n") == std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "the message is empty");
  }
  if (message.size() > kMaxMessageBytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the message is " + std::to_string(message.size()) + " bytes; at most " +
                         std::to_string(kMaxMessageBytes) + " are allowed");
  }
  if (!ValidUtf8(message))
    return MakeError(ErrorCode::kInvalidArgument, "the message is not UTF-8");
  return {};
}

Result<void> CheckIncident(const OperatorIncident& i) {
  if (i.services.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "an incident names at least one service");
  }
  if (!OneOf(i.impact, {"none", "minor", "major", "critical"})) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "impact '" + i.impact + "' is not none, minor, major or critical");
  }
  if (!OneOf(i.status, {"investigating", "identified", "monitoring"})) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "status '" + i.status + "' is not investigating, identified or monitoring");
  }
  if (auto t = CheckTitle(i.title); !t) return t;
  return CheckMessage(i.message);
}

Result<int64_t> IncidentBook::OpenIncident(const OperatorIncident& in, int64_t now_ms) {
  VersionBump bump{version_};  // when the write is done: a leader publishes it
  if (auto ok = CheckIncident(in); !ok) return tl::unexpected(ok.error());
  std::lock_guard lock(mu_);
  auto db_lock = db_.lock();
  int64_t id = 0;
  Result<void> r = db_.Transaction([&]() -> Result<void> {
    Stmt ins(db_.stmts(),
             "INSERT INTO incidents (service, name, status, impact, opened_ms, updated_ms) "
             "VALUES ('', ?1, ?2, ?3, ?4, ?4)");
    if (auto w = ins.Bind(1, TitleOf(in.title, in.message))
                     .Bind(2, in.status)
                     .Bind(3, in.impact)
                     .Bind(4, now_ms)
                     .Run();
        !w) {
      return w;
    }
    id = sqlite3_last_insert_rowid(db_.stmts().db());
    for (const auto& service : in.services) {
      Stmt s(db_.stmts(),
             "INSERT OR IGNORE INTO incident_services (incident_id, service) VALUES (?1, ?2)");
      if (auto w = s.Bind(1, id).Bind(2, service).Run(); !w) return w;
    }
    Stmt up(db_.stmts(),
            "INSERT INTO incident_updates (incident_id, at_ms, status, body) "
            "VALUES (?1, ?2, ?3, ?4)");
    return up.Bind(1, id).Bind(2, now_ms).Bind(3, in.status).Bind(4, in.message).Run();
  });
  if (!r) return tl::unexpected(r.error());
  return id;
}

Result<void> IncidentBook::UpdateIncident(int64_t id, const std::string& status,
                                          const std::string& impact, const std::string& message,
                                          int64_t now_ms) {
  VersionBump bump{version_};  // when the write is done: a leader publishes it
  if (!OneOf(status, {"investigating", "identified", "monitoring", "resolved"})) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "status '" + status + "' is not investigating, identified or monitoring");
  }
  if (!impact.empty() && !OneOf(impact, {"none", "minor", "major", "critical"})) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "impact '" + impact + "' is not none, minor, major or critical");
  }
  if (auto ok = CheckMessage(message); !ok) return ok;
  std::lock_guard lock(mu_);
  auto db_lock = db_.lock();
  std::string service;
  {
    Stmt s(db_.stmts(), "SELECT service FROM incidents WHERE id = ?1 AND resolved_ms IS NULL");
    s.Bind(1, id);
    int rc = s.Step();
    if (rc == SQLITE_DONE) {
      return MakeError(ErrorCode::kNotFound, "no open incident #" + std::to_string(id));
    }
    if (rc != SQLITE_ROW) return s.Fail();
    service = s.Text(0);
  }
  const bool resolve = status == "resolved";
  Result<void> r = db_.Transaction([&]() -> Result<void> {
    Stmt set(db_.stmts(),
             "UPDATE incidents SET status = ?2, impact = CASE ?3 WHEN '' THEN impact ELSE ?3 END, "
             "updated_ms = ?4, resolved_ms = ?5 WHERE id = ?1");
    set.Bind(1, id).Bind(2, status).Bind(3, impact).Bind(4, now_ms);
    if (resolve) {
      set.Bind(5, now_ms);
    } else {
      set.BindNull(5);
    }
    if (auto w = set.Run(); !w) return w;
    Stmt up(db_.stmts(),
            "INSERT INTO incident_updates (incident_id, at_ms, status, body) "
            "VALUES (?1, ?2, ?3, ?4)");
    return up.Bind(1, id).Bind(2, now_ms).Bind(3, status).Bind(4, message).Run();
  });
  // An automatic incident's cached copy is stale now: read again on the next decision.
  if (r && !service.empty()) open_.erase(service);
  return r;
}

Result<void> IncidentBook::ResolveIncident(int64_t id, const std::string& message, int64_t now_ms) {
  VersionBump bump{version_};  // when the write is done: a leader publishes it
  return UpdateIncident(id, "resolved", "", message.empty() ? "Resolved." : message, now_ms);
}

}  // namespace steer::status
