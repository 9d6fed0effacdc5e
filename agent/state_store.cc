#include "state_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "steer/base/json_text.h"
#include "steer/base/sqlite_stmt.h"

namespace steer::agent {

using base::Stmt;
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS answers (
  service TEXT PRIMARY KEY, region TEXT NOT NULL, answers TEXT NOT NULL, since_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS overrides (
  kind TEXT NOT NULL, target TEXT NOT NULL, value TEXT NOT NULL, who TEXT NOT NULL,
  why TEXT NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER, rules TEXT NOT NULL,
  PRIMARY KEY (kind, target));
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Block windows and change times live in the engine state (blobs); these tables of earlier
-- versions were never read.
DROP TABLE IF EXISTS blocks;
DROP TABLE IF EXISTS changes;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, kind TEXT NOT NULL,
  who TEXT NOT NULL, service TEXT NOT NULL, what TEXT NOT NULL, why TEXT NOT NULL,
  ok INTEGER NOT NULL);
-- The audit log is append-only: the database itself refuses edits.
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
)sql";

int64_t ToMs(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
WallTime FromMs(int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

std::string EncodeList(const std::vector<std::string>& v) {
  return base::JsonText(nlohmann::json(v));
}
std::vector<std::string> DecodeList(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  if (!j.is_array()) return {};
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

AuditKind ParseAuditKind(const std::string& s) {
  if (s == "dns_change") return AuditKind::kDnsChange;
  if (s == "dns_intent") return AuditKind::kDnsIntent;
  if (s == "operation") return AuditKind::kOperation;
  if (s == "notice") return AuditKind::kNotice;
  return AuditKind::kDecision;
}

ServiceAnswers ReadAnswers(const Stmt& s) {
  return ServiceAnswers{s.Text(0), s.Text(1), DecodeList(s.Text(2)), FromMs(s.Int(3))};
}

}  // namespace

OverrideKind ParseOverrideKind(const std::string& s) {
  if (s == "switchover") return OverrideKind::kSwitchover;
  if (s == "drain") return OverrideKind::kDrain;
  if (s == "force") return OverrideKind::kForce;
  return OverrideKind::kPause;
}

const char* OverrideKindName(OverrideKind kind) {
  switch (kind) {
    case OverrideKind::kPause:
      return "pause";
    case OverrideKind::kDrain:
      return "drain";
    case OverrideKind::kForce:
      return "force";
    case OverrideKind::kSwitchover:
      return "switchover";
  }
  return "pause";
}

const char* AuditKindName(AuditKind kind) {
  switch (kind) {
    case AuditKind::kDecision:
      return "decision";
    case AuditKind::kDnsChange:
      return "dns_change";
    case AuditKind::kDnsIntent:
      return "dns_intent";
    case AuditKind::kOperation:
      return "operation";
    case AuditKind::kNotice:
      return "notice";
  }
  return "decision";
}

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& dir) {
  std::string path = dir + "/state.db";
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return MakeError(ErrorCode::kIo, "state store: cannot open " + path + ": " + msg);
  }
  std::unique_ptr<StateStore> store(new StateStore(db));
  sqlite3_busy_timeout(db, 5000);
  for (const char* sql : {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;",
                          "PRAGMA foreign_keys=ON;", kSchema}) {
    if (auto r = store->Exec(sql); !r) {
      return MakeError(ErrorCode::kIo, r.error().message + " (" + path + ")");
    }
  }
  // Reads on a connection of their own: in WAL mode they never wait for a writer, so the API
  // keeps answering while a write waits out a full disk or another process's lock.
  sqlite3* reader = nullptr;
  rc = sqlite3_open_v2(path.c_str(), &reader, SQLITE_OPEN_READONLY, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = reader ? sqlite3_errmsg(reader) : "out of memory";
    sqlite3_close(reader);
    return MakeError(ErrorCode::kIo, "state store: cannot open " + path + " to read: " + msg);
  }
  sqlite3_busy_timeout(reader, 1000);
  store->reader_ = reader;
  store->read_stmts_ = std::make_unique<base::StmtCache>(reader, ErrorCode::kIo, "state store");
  return store;
}

StateStore::StateStore(sqlite3* db)
    : db_(db), stmts_(std::make_unique<base::StmtCache>(db, ErrorCode::kIo, "state store")) {}

StateStore::~StateStore() {
  stmts_.reset();  // a connection with unfinalised statements does not close
  read_stmts_.reset();
  sqlite3_close(reader_);
  sqlite3_close(db_);
}

Result<void> StateStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return MakeError(ErrorCode::kIo, "state store: " + msg);
  }
  return {};
}

Result<void> StateStore::SetAnswers(const ServiceAnswers& a) {
  std::lock_guard lock(mu_);
  std::vector<std::string> sorted = a.answers;
  std::sort(sorted.begin(), sorted.end());
  Stmt s(*stmts_, "INSERT OR REPLACE INTO answers VALUES (?1, ?2, ?3, ?4)");
  return s.Bind(1, a.service)
      .Bind(2, a.region)
      .Bind(3, EncodeList(sorted))
      .Bind(4, ToMs(a.since))
      .Run();
}

Result<std::optional<ServiceAnswers>> StateStore::GetAnswers(const std::string& service) {
  std::lock_guard lock(read_mu_);
  Stmt s(*read_stmts_, "SELECT service, region, answers, since_ms FROM answers WHERE service = ?1");
  if (!s.ok()) return s.Fail();
  s.Bind(1, service);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<ServiceAnswers>();
  if (rc != SQLITE_ROW) return s.Fail();
  return std::optional<ServiceAnswers>(ReadAnswers(s));
}

Result<std::vector<ServiceAnswers>> StateStore::AllAnswers() {
  std::lock_guard lock(read_mu_);
  Stmt s(*read_stmts_, "SELECT service, region, answers, since_ms FROM answers ORDER BY service");
  if (!s.ok()) return s.Fail();
  std::vector<ServiceAnswers> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadAnswers(s));
  if (rc != SQLITE_DONE) return s.Fail();
  return out;
}

Result<void> StateStore::PutOverride(const Override& o) {
  std::lock_guard lock(mu_);
  // Reads skip expired overrides; they are removed here, as of when this one was made.
  Stmt del(*stmts_, "DELETE FROM overrides WHERE expires_ms IS NOT NULL AND expires_ms <= ?1");
  if (auto r = del.Bind(1, ToMs(o.created)).Run(); !r) return tl::unexpected(r.error());
  Stmt s(*stmts_, "INSERT OR REPLACE INTO overrides VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s.Bind(1, OverrideKindName(o.kind))
      .Bind(2, o.target)
      .Bind(3, o.value)
      .Bind(4, o.who)
      .Bind(5, o.why)
      .Bind(6, ToMs(o.created))
      .Bind(8, EncodeList(o.rules));
  if (o.expires) {
    s.Bind(7, ToMs(*o.expires));
  } else {
    s.BindNull(7);
  }
  return s.Run();
}

Result<bool> StateStore::RemoveOverride(OverrideKind kind, const std::string& target) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "DELETE FROM overrides WHERE kind = ?1 AND target = ?2");
  if (auto r = s.Bind(1, OverrideKindName(kind)).Bind(2, target).Run(); !r)
    return tl::unexpected(r.error());
  return sqlite3_changes(db_) > 0;
}

Result<std::vector<Override>> StateStore::ActiveOverrides(WallTime now) {
  std::lock_guard lock(read_mu_);
  Stmt s(*read_stmts_,
         "SELECT kind, target, value, who, why, created_ms, expires_ms, rules FROM overrides "
         "WHERE expires_ms IS NULL OR expires_ms > ?1 ORDER BY created_ms, kind, target");
  if (!s.ok()) return s.Fail();
  s.Bind(1, ToMs(now));
  std::vector<Override> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    Override o{ParseOverrideKind(s.Text(0)),
               s.Text(1),
               s.Text(2),
               s.Text(3),
               s.Text(4),
               FromMs(s.Int(5)),
               std::nullopt,
               DecodeList(s.Text(7))};
    if (!s.IsNull(6)) o.expires = FromMs(s.Int(6));
    out.push_back(std::move(o));
  }
  if (rc != SQLITE_DONE) return s.Fail();
  return out;
}

Result<void> StateStore::PutBlob(const std::string& key, const std::string& value) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "INSERT OR REPLACE INTO blobs VALUES (?1, ?2)");
  return s.Bind(1, key).Bind(2, value).Run();
}

Result<std::optional<std::string>> StateStore::GetBlob(const std::string& key) {
  std::lock_guard lock(read_mu_);
  Stmt s(*read_stmts_, "SELECT value FROM blobs WHERE key = ?1");
  if (!s.ok()) return s.Fail();
  s.Bind(1, key);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return s.Fail();
  return std::optional<std::string>(s.Text(0));
}

Result<std::map<std::string, std::string>> StateStore::BlobsWithPrefix(const std::string& prefix) {
  std::lock_guard lock(read_mu_);
  Stmt s(*read_stmts_, "SELECT key, value FROM blobs WHERE substr(key, 1, length(?1)) = ?1");
  if (!s.ok()) return s.Fail();
  s.Bind(1, prefix);
  std::map<std::string, std::string> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out[s.Text(0).substr(prefix.size())] = s.Text(1);
  if (rc != SQLITE_DONE) return s.Fail();
  return out;
}

Result<int64_t> StateStore::BumpCounter(const std::string& name) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_,
         "INSERT INTO counters VALUES (?1, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 "
         "RETURNING value");
  if (!s.ok()) return s.Fail();
  s.Bind(1, name);
  if (s.Step() != SQLITE_ROW) return s.Fail();
  int64_t v = s.Int(0);
  if (s.Step() != SQLITE_DONE) return s.Fail();
  return v;
}

Result<int64_t> StateStore::GetCounter(const std::string& name) {
  std::lock_guard lock(read_mu_);
  Stmt s(*read_stmts_, "SELECT value FROM counters WHERE name = ?1");
  if (!s.ok()) return s.Fail();
  s.Bind(1, name);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return int64_t{0};
  if (rc != SQLITE_ROW) return s.Fail();
  return s.Int(0);
}

Result<int64_t> StateStore::Append(const AuditEntry& e) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_,
         "INSERT INTO audit (at_ms, kind, who, service, what, why, ok) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  auto r = s.Bind(1, ToMs(e.when))
               .Bind(2, AuditKindName(e.kind))
               .Bind(3, e.who)
               .Bind(4, e.service)
               .Bind(5, e.what)
               .Bind(6, e.why)
               .Bind(7, int64_t{e.ok ? 1 : 0})
               .Run();
  if (!r) return tl::unexpected(r.error());
  return sqlite3_last_insert_rowid(db_);
}

Result<std::vector<AuditEntry>> StateStore::History(const HistoryQuery& q) {
  std::lock_guard lock(read_mu_);
  Stmt s(*read_stmts_,
         "SELECT id, at_ms, kind, who, service, what, why, ok FROM audit "
         "WHERE (?1 = '' OR service = ?1) AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
  if (!s.ok()) return s.Fail();
  s.Bind(1, q.service).Bind(2, q.before_id).Bind(3, int64_t{q.limit});
  std::vector<AuditEntry> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back(AuditEntry{s.Int(0), FromMs(s.Int(1)), ParseAuditKind(s.Text(2)), s.Text(3),
                             s.Text(4), s.Text(5), s.Text(6), s.Int(7) != 0});
  }
  if (rc != SQLITE_DONE) return s.Fail();
  return out;
}

}  // namespace steer::agent
