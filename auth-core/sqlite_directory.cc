// The user and client directory half of SqliteStore.
#include <sqlite3.h>

#include "client_json.h"
#include "revocation_mirror.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/sqlite_stmt.h"

namespace steer::auth {

using base::Stmt;
namespace {

User UserFromRow(const Stmt& s) {
  return User{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6) != 0};
}

}  // namespace

Result<std::optional<User>> SqliteStore::FindUser(std::string_view username) {
  std::lock_guard lock(mu_);
  // Statements are cached by the literal's address: one literal per query.
  Stmt s(*stmts_,
         "SELECT username, subject, password_hash, email, name, generation, disabled FROM users "
         "WHERE username = ?");
  s.Bind(1, username);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<User>();
  if (rc != SQLITE_ROW) return stmts_->Fail(rc);
  return std::optional<User>(UserFromRow(s));
}

Result<bool> SqliteStore::SubjectUsedLocked(std::string_view subject) {
  Stmt s(*stmts_,
         "SELECT 1 FROM users WHERE subject = ?1 UNION ALL "
         "SELECT 1 FROM retired_subjects WHERE subject = ?1 LIMIT 1");
  s.Bind(1, subject);
  int rc = s.Step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return stmts_->Fail(rc);
  return rc == SQLITE_ROW;
}

Result<bool> SqliteStore::SubjectUsed(std::string_view subject) {
  std::lock_guard lock(mu_);
  return SubjectUsedLocked(subject);
}

Result<void> SqliteStore::AddUser(const User& u) {
  std::lock_guard lock(mu_);
  auto used = SubjectUsedLocked(u.subject);
  if (!used) return tl::unexpected(used.error());
  if (*used) return MakeError(ErrorCode::kAlreadyExists, "subject is or was used");
  Stmt s(*stmts_,
         "INSERT OR IGNORE INTO users(username, subject, password_hash, email, name, "
         "generation, disabled) VALUES(?,?,?,?,?,?,?)");
  s.Bind(1, u.username)
      .Bind(2, u.subject)
      .Bind(3, u.password_hash)
      .Bind(4, u.email)
      .Bind(5, u.name)
      .Bind(6, u.generation)
      .Bind(7, int64_t{u.disabled});
  if (auto r = s.Run(); !r) return r;
  if (s.Changes() == 0) return MakeError(ErrorCode::kAlreadyExists, "user exists");
  return {};
}

Result<bool> SqliteStore::EndUserLocked(std::string_view username, bool remove,
                                        int64_t new_generation, int64_t revoke_until) {
  Stmt find(*stmts_, "SELECT subject FROM users WHERE username = ?");
  find.Bind(1, username);
  int rc = find.Step();
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) return stmts_->Fail(rc);
  std::string subject = find.Text(0);
  for (int64_t g = 0; g < new_generation; ++g) {
    if (auto r = RevokeLocked(UserRevocationId(subject, g), revoke_until); !r) {
      return tl::unexpected(r.error());
    }
  }
  Stmt retire(*stmts_, "INSERT OR IGNORE INTO retired_subjects(subject) VALUES(?)");
  Stmt end(*stmts_, remove ? "DELETE FROM users WHERE username = ?1"
                           : "UPDATE users SET disabled = 1, generation = ?2 WHERE username = ?1");
  retire.Bind(1, subject);
  end.Bind(1, username);
  if (!remove) end.Bind(2, new_generation);
  if (auto r = remove ? retire.Run() : Result<void>(); !r) return tl::unexpected(r.error());
  if (auto r = end.Run(); !r) return tl::unexpected(r.error());
  return true;
}

Result<bool> SqliteStore::EndUser(std::string_view username, bool remove, int64_t new_generation,
                                  int64_t revoke_until) {
  Result<bool> done;
  {
    std::lock_guard lock(mu_);
    if (auto r = Exec("BEGIN IMMEDIATE"); !r) return tl::unexpected(r.error());
    done = EndUserLocked(username, remove, new_generation, revoke_until);
    auto finish = Exec(done && *done ? "COMMIT" : "ROLLBACK");
    if (!done) return done;
    if (!finish) return tl::unexpected(finish.error());
  }
  // The user's generations are revoked: this process's mirror (which Learn cannot tell about
  // ids it does not know here) and every other live one have read them after the lease.
  if (*done && (mirror_ != nullptr || OtherReadersAlive())) AwaitRevocationMirrors();
  return done;
}

Result<bool> SqliteStore::EnableUser(std::string_view username) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "UPDATE users SET disabled = 0 WHERE username = ?");
  s.Bind(1, username);
  if (auto r = s.Run(); !r) return tl::unexpected(r.error());
  return s.Changes() > 0;
}

Result<void> SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return {};
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return MakeError(ErrorCode::kUnavailable, std::string(sql) + ": " + msg);
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_,
         "SELECT username, subject, password_hash, email, name, generation, disabled FROM users "
         "ORDER BY username");
  std::vector<User> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(UserFromRow(s));
  if (rc != SQLITE_DONE) return stmts_->Fail(rc);
  return out;
}

Result<std::vector<std::string>> SqliteStore::ListRetiredSubjects() {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "SELECT subject FROM retired_subjects ORDER BY subject");
  std::vector<std::string> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.Text(0));
  if (rc != SQLITE_DONE) return stmts_->Fail(rc);
  return out;
}

Result<std::vector<std::pair<std::string, int64_t>>> SqliteStore::ListRevocations() {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "SELECT id, expires_at FROM revoked ORDER BY id");
  std::vector<std::pair<std::string, int64_t>> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.emplace_back(s.Text(0), s.Int(1));
  if (rc != SQLITE_DONE) return stmts_->Fail(rc);
  return out;
}

Result<std::optional<Client>> SqliteStore::FindClient(std::string_view client_id) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "SELECT body FROM clients WHERE client_id = ?");
  s.Bind(1, client_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Client>();
  if (rc != SQLITE_ROW) return stmts_->Fail(rc);
  auto c = ClientFromJson(std::string(client_id), s.Text(0));
  if (!c) return MakeError(ErrorCode::kInternal, "corrupt client row");
  return c;
}

Result<void> SqliteStore::PutClient(const Client& c) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "INSERT OR REPLACE INTO clients(client_id, body) VALUES(?, ?)");
  s.Bind(1, c.client_id).Bind(2, ClientBody(c));
  return s.Run();
}

Result<bool> SqliteStore::RemoveClient(std::string_view client_id) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "DELETE FROM clients WHERE client_id = ?");
  s.Bind(1, client_id);
  if (auto r = s.Run(); !r) return tl::unexpected(r.error());
  return s.Changes() > 0;
}

Result<std::vector<Client>> SqliteStore::ListClients() {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "SELECT client_id, body FROM clients ORDER BY client_id");
  std::vector<Client> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (auto c = ClientFromJson(s.Text(0), s.Text(1))) out.push_back(std::move(*c));
  }
  if (rc != SQLITE_DONE) return stmts_->Fail(rc);
  return out;
}

}  // namespace steer::auth
