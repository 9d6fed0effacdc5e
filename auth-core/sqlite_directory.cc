// The user and client directory half of SqliteStore.
#include <sqlite3.h>

#include "client_json.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/sqlite_stmt.h"

namespace steer::auth {

using base::Stmt;
namespace {

User UserFromRow(const Stmt& s) {
  return User{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)};
}

}  // namespace

Result<std::optional<User>> SqliteStore::FindUser(std::string_view username) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_,
         "SELECT username, subject, password_hash, email, name FROM users WHERE username=?");
  s.Bind(1, username);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<User>();
  if (rc != SQLITE_ROW) return stmts_->Fail(rc);
  return std::optional<User>(UserFromRow(s));
}

Result<void> SqliteStore::PutUser(const User& u) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_,
         "INSERT OR REPLACE INTO users(username, subject, password_hash, email, name) "
         "VALUES(?,?,?,?,?)");
  s.Bind(1, u.username)
      .Bind(2, u.subject)
      .Bind(3, u.password_hash)
      .Bind(4, u.email)
      .Bind(5, u.name);
  return s.Run();
}

Result<bool> SqliteStore::RemoveUser(std::string_view username) {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_, "DELETE FROM users WHERE username = ?");
  s.Bind(1, username);
  if (auto r = s.Run(); !r) return tl::unexpected(r.error());
  return s.Changes() > 0;
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  std::lock_guard lock(mu_);
  Stmt s(*stmts_,
         "SELECT username, subject, password_hash, email, name FROM users ORDER BY username");
  std::vector<User> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(UserFromRow(s));
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
