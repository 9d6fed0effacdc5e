#include "steer/auth/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <iterator>

#include "revocation_mirror.h"
#include "sqlite_readers.h"
#include "steer/base/sqlite_stmt.h"
#include "steer/base/wal_checkpointer.h"

namespace steer::auth {

using base::Stmt;
namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS users(username TEXT PRIMARY KEY, subject TEXT UNIQUE NOT NULL,
  password_hash TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT NULL,
  generation INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS retired_subjects(subject TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS clients(client_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS used_codes(id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_families(family TEXT PRIMARY KEY, current TEXT NOT NULL,
  gen INTEGER NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS revoked(id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS revoked_clock(n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS revocation_readers(id TEXT PRIMARY KEY, boot TEXT NOT NULL,
  beat INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS failures(key TEXT PRIMARY KEY, count INTEGER NOT NULL,
  first_at INTEGER NOT NULL, blocked_until INTEGER NOT NULL);
)sql";

// Columns added after the first release; stores created before get them on open.
constexpr const char* kAddedColumns[][3] = {
    {"users", "generation", "INTEGER NOT NULL DEFAULT 0"},
    {"users", "disabled", "INTEGER NOT NULL DEFAULT 0"},
    {"revoked", "seq", "INTEGER NOT NULL DEFAULT 0"},
};

// Every write to `revoked`, by any process or version, stamps the row with the next value of
// revoked_clock in its own transaction. SQLite runs one write transaction at a time, so the
// stamps a reader sees are a prefix of all the stamps there will be: a RevocationMirror that
// read up to stamp s finds every later write with `seq > s` (SqliteStore::ReadRevocations).
// Rows stamped 0 predate the column; the mirror's first read takes every row.
constexpr const char* kRevokedStamps = R"sql(
INSERT INTO revoked_clock(n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM revoked_clock);
CREATE INDEX IF NOT EXISTS revoked_seq ON revoked(seq);
CREATE TRIGGER IF NOT EXISTS revoked_stamp_insert AFTER INSERT ON revoked BEGIN
  UPDATE revoked_clock SET n = n + 1;
  UPDATE revoked SET seq = (SELECT n FROM revoked_clock) WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS revoked_stamp_update AFTER UPDATE OF expires_at ON revoked BEGIN
  UPDATE revoked_clock SET n = n + 1;
  UPDATE revoked SET seq = (SELECT n FROM revoked_clock) WHERE id = NEW.id;
END;
)sql";

// Adds the missing columns and the stamps in one write transaction, so two processes opening
// an old store at once do not both add them.
int Migrate(sqlite3* db, char** err) {
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, err);
  for (const auto& [table, column, type] : kAddedColumns) {
    if (rc != SQLITE_OK) break;
    std::string probe = std::string("SELECT ") + column + " FROM " + table + " LIMIT 0";
    if (sqlite3_exec(db, probe.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) continue;
    std::string add = std::string("ALTER TABLE ") + table + " ADD COLUMN " + column + " " + type;
    rc = sqlite3_exec(db, add.c_str(), nullptr, nullptr, err);
  }
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, kRevokedStamps, nullptr, nullptr, err);
  sqlite3_exec(db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
  return rc;
}

}  // namespace

std::string UserRevocationId(std::string_view subject, int64_t generation) {
  return "user:" + std::string(subject) + ":" + std::to_string(generation);
}

bool Client::AllowsGrant(std::string_view grant) const {
  for (const auto& g : grant_types) {
    if (g == grant) return true;
  }
  return false;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       RevocationReads reads) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close(db);
    return MakeError(ErrorCode::kIo, "cannot open store " + path + ": " + sqlite3_errstr(rc));
  }
  sqlite3_busy_timeout(db, 5000);  // the admin CLI may hold the write lock briefly
  char* err = nullptr;
  rc = sqlite3_exec(db, kSchema, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) rc = Migrate(db, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    sqlite3_close(db);
    return MakeError(ErrorCode::kIo, "cannot initialise store " + path + ": " + msg);
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  if (reads == RevocationReads::kMirror) {
    auto checkpointer = base::WalCheckpointer::Open(path, store->mu_, "auth");
    if (!checkpointer) return tl::unexpected(checkpointer.error());
    if (auto r = base::DisableAutoCheckpoint(db); !r) return tl::unexpected(r.error());
    store->checkpointer_ = std::move(*checkpointer);
    store->checkpointer_->Start();
    store->feed_ = MakeFeed(*store);
    store->mirror_ = std::make_unique<RevocationMirror>(*store->feed_);
    store->mirror_->Start();
  }
  return store;
}

SqliteStore::SqliteStore(sqlite3* db)
    : db_(db), stmts_(std::make_unique<base::StmtCache>(db, ErrorCode::kUnavailable, "sqlite")) {}

SqliteStore::~SqliteStore() {
  mirror_.reset();        // its thread reads through feed_ and the connection
  checkpointer_.reset();  // its thread locks mu_
  if (feed_ != nullptr) UnregisterReader();
  stmts_.reset();  // a connection with unfinalised statements does not close
  sqlite3_close(db_);
}

Result<bool> SqliteStore::ConsumeOnce(std::string_view id, int64_t expires_at) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "INSERT OR IGNORE INTO used_codes(id, expires_at) VALUES(?, ?)");
  s.Bind(1, id).Bind(2, expires_at);
  if (auto r = s.Run(); !r) return tl::unexpected(r.error());
  return s.Changes() == 1;
}

Result<void> SqliteStore::StartFamily(std::string_view family, std::string_view token_id,
                                      int64_t expires_at) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_,
         "INSERT OR REPLACE INTO refresh_families(family, current, gen, expires_at) "
         "VALUES(?,?,0,?)");
  s.Bind(1, family).Bind(2, token_id).Bind(3, expires_at);
  return s.Run();
}

Result<void> SqliteStore::RevokeLocked(std::string_view id, int64_t expires_at) {
  Stmt s(*stmts_,
         "INSERT INTO revoked(id, expires_at) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET "
         "expires_at = max(expires_at, excluded.expires_at)");
  s.Bind(1, id).Bind(2, expires_at);
  return s.Run();
}

Result<RefreshOutcome> SqliteStore::RotateRefresh(std::string_view family,
                                                  std::string_view presented, int64_t gen,
                                                  std::string_view next, int64_t expires_at) {
  Result<RefreshOutcome> outcome;
  {
    std::lock_guard lock(mu_);
    outcome = RotateRefreshLocked(family, presented, gen, next, expires_at);
  }
  // Reuse revoked the family: the caller may tell the client so only once every mirror knows.
  if (outcome && *outcome == RefreshOutcome::kReused) AcknowledgeRevocation(family, expires_at);
  return outcome;
}

Result<RefreshOutcome> SqliteStore::RotateRefreshLocked(std::string_view family,
                                                        std::string_view presented, int64_t gen,
                                                        std::string_view next, int64_t expires_at) {
  Stmt revoked(*stmts_, "SELECT 1 FROM revoked WHERE id = ?");
  revoked.Bind(1, family);
  int rc = revoked.Step();
  if (rc == SQLITE_ROW) return RefreshOutcome::kRevoked;
  if (rc != SQLITE_DONE) return stmts_->Fail(rc);
  Stmt cur(*stmts_, "SELECT current, gen FROM refresh_families WHERE family = ?");
  cur.Bind(1, family);
  rc = cur.Step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return stmts_->Fail(rc);
  bool reused =
      rc == SQLITE_ROW && (cur.Int(1) > gen || (cur.Int(1) == gen && cur.Text(0) != presented));
  cur.Reset();  // the write below commits in its own step (base::Stmt::Run)
  if (reused) {
    if (auto r = RevokeLocked(family, expires_at); !r) return tl::unexpected(r.error());
    return RefreshOutcome::kReused;
  }
  Stmt put(*stmts_,
           "INSERT OR REPLACE INTO refresh_families(family, current, gen, expires_at) "
           "VALUES(?,?,?,?)");
  put.Bind(1, family).Bind(2, next).Bind(3, gen + 1).Bind(4, expires_at);
  if (auto r = put.Run(); !r) return tl::unexpected(r.error());
  return RefreshOutcome::kRotated;
}

Result<bool> SqliteStore::IsCurrentRefresh(std::string_view family, std::string_view token_id,
                                           int64_t gen) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "SELECT current, gen FROM refresh_families WHERE family = ?");
  s.Bind(1, family);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return true;  // issued by another region, unknown here
  if (rc != SQLITE_ROW) return stmts_->Fail(rc);
  return s.Int(1) < gen || (s.Int(1) == gen && s.Text(0) == token_id);
}

Result<void> SqliteStore::Revoke(std::string_view id, int64_t expires_at) {
  if (id.empty()) return {};  // "" stands for "no such id" in IsRevoked's batches
  {
    std::lock_guard lock(mu_);
    if (auto r = RevokeLocked(id, expires_at); !r) return r;
  }
  AcknowledgeRevocation(id, expires_at);
  return {};
}

Result<RevocationRows> SqliteStore::ReadRevocations(int64_t& seq) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "SELECT id, expires_at, seq FROM revoked WHERE seq > ?");
  s.Bind(1, seq);
  RevocationRows out{seq < 0, {}};
  int64_t last = seq;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.rows[s.Text(0)] = s.Int(1);
    last = std::max(last, s.Int(2));
  }
  if (rc != SQLITE_DONE) return stmts_->Fail(rc);
  seq = last;
  return out;
}

Result<bool> SqliteStore::IsRevoked(const std::vector<std::string>& ids) {
  if (mirror_ != nullptr) {
    if (auto known = mirror_->Check(ids, RevocationMirror::Clock::now())) return *known;
  }
  // One query for up to four ids (token, family, session, user generation): the
  // introspection hot path. "" stands for "no such id" (Revoke ignores it), so it is not
  // looked up. Each id is its own primary-key probe: `id IN (...)` made SQLite build a
  // temporary table per query.
  static constexpr const char* kQuery[] = {
      "SELECT 1 FROM revoked WHERE id = ?",
      "SELECT 1 FROM revoked WHERE id = ? UNION ALL SELECT 1 FROM revoked WHERE id = ? LIMIT 1",
      "SELECT 1 FROM revoked WHERE id = ? UNION ALL SELECT 1 FROM revoked WHERE id = ? "
      "UNION ALL SELECT 1 FROM revoked WHERE id = ? LIMIT 1",
      "SELECT 1 FROM revoked WHERE id = ? UNION ALL SELECT 1 FROM revoked WHERE id = ? "
      "UNION ALL SELECT 1 FROM revoked WHERE id = ? UNION ALL SELECT 1 FROM revoked WHERE id = ? "
      "LIMIT 1"};
  constexpr size_t kBatch = std::size(kQuery);
  std::vector<std::string_view> wanted;
  for (const auto& id : ids) {
    if (!id.empty()) wanted.push_back(id);
  }
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < wanted.size(); i += kBatch) {
    size_t n = std::min<size_t>(kBatch, wanted.size() - i);
    Stmt s(*stmts_, kQuery[n - 1]);
    for (size_t j = 0; j < n; ++j) s.Bind(static_cast<int>(j + 1), wanted[i + j]);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) return stmts_->Fail(rc);
  }
  return false;
}

Result<int64_t> SqliteStore::BlockedUntil(std::string_view key, int64_t now) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "SELECT blocked_until FROM failures WHERE key = ?");
  s.Bind(1, key);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return int64_t{0};
  if (rc != SQLITE_ROW) return stmts_->Fail(rc);
  return s.Int(0) > now ? s.Int(0) : int64_t{0};
}

Result<int64_t> SqliteStore::RecordFailure(std::string_view key, int64_t now,
                                           const LockoutPolicy& policy) {
  std::lock_guard lock(mu_);
  // A failure outside the counting window (or after a served block) starts a new count.
  Stmt up(*stmts_, R"sql(
    INSERT INTO failures(key, count, first_at, blocked_until) VALUES(?1, 1, ?2, 0)
    ON CONFLICT(key) DO UPDATE SET
      count = CASE WHEN first_at + ?3 <= ?2 AND blocked_until <= ?2 THEN 1 ELSE count + 1 END,
      first_at = CASE WHEN first_at + ?3 <= ?2 AND blocked_until <= ?2 THEN ?2 ELSE first_at END)sql");
  up.Bind(1, key).Bind(2, now).Bind(3, policy.block_seconds);
  if (auto r = up.Run(); !r) return tl::unexpected(r.error());
  Stmt block(*stmts_,
             "UPDATE failures SET blocked_until = ?2 + ?3, count = 0, first_at = ?2 "
             "WHERE key = ?1 AND count >= ?4");
  block.Bind(1, key)
      .Bind(2, now)
      .Bind(3, policy.block_seconds)
      .Bind(4, int64_t{policy.max_failures});
  if (auto r = block.Run(); !r) return tl::unexpected(r.error());
  Stmt get(*stmts_, "SELECT blocked_until FROM failures WHERE key = ?");
  get.Bind(1, key);
  if (get.Step() != SQLITE_ROW) return int64_t{0};
  return get.Int(0) > now ? get.Int(0) : int64_t{0};
}

Result<void> SqliteStore::ClearFailures(std::string_view key) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "DELETE FROM failures WHERE key = ?");
  s.Bind(1, key);
  return s.Run();
}

Result<void> SqliteStore::Ping() {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "SELECT count(*) FROM clients");
  int rc = s.Step();
  if (rc != SQLITE_ROW) return stmts_->Fail(rc);
  return {};
}

Result<void> SqliteStore::Purge(int64_t now) {
  if (mirror_ != nullptr) mirror_->Prune(now);
  ForgetGoneReaders();
  std::lock_guard lock(mu_);
  for (const char* sql : {"DELETE FROM used_codes WHERE expires_at < ?",
                          "DELETE FROM refresh_families WHERE expires_at < ?",
                          "DELETE FROM revoked WHERE expires_at < ?",
                          "DELETE FROM failures WHERE blocked_until < ? AND count = 0"}) {
    Stmt s(*stmts_, sql);
    s.Bind(1, now);
    if (auto r = s.Run(); !r) return r;
  }
  return {};
}

}  // namespace steer::auth
