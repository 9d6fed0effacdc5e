// The user and client directory half of SqliteStore.
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "steer/auth/sqlite_store.h"
#include "steer/base/sqlite_stmt.h"

namespace steer::auth {

using base::Stmt;
namespace {

nlohmann::json ClientToJson(const Client& c) {
  return {{"secret_hash", c.secret_hash},
          {"redirect_uris", c.redirect_uris},
          {"post_logout_redirect_uris", c.post_logout_redirect_uris},
          {"grant_types", c.grant_types},
          {"audience", c.audience},
          {"access_token_alg", c.access_token_alg},
          {"scopes", c.scopes},
          {"name", c.name},
          {"web_origins", c.web_origins}};
}

std::optional<Client> ClientFromJson(const std::string& id, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  Client c;
  c.client_id = id;
  c.secret_hash = j.value("secret_hash", "");
  c.redirect_uris = j.value("redirect_uris", std::vector<std::string>{});
  c.post_logout_redirect_uris = j.value("post_logout_redirect_uris", std::vector<std::string>{});
  c.grant_types = j.value("grant_types", std::vector<std::string>{});
  c.audience = j.value("audience", "");
  c.access_token_alg = j.value("access_token_alg", "ES256");
  c.scopes = j.value("scopes", std::vector<std::string>{});
  c.name = j.value("name", "");
  // Rows written before web origins existed have no key: no origins, nothing to migrate.
  c.web_origins = j.value("web_origins", std::vector<std::string>{});
  return c;
}

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
  s.Bind(1, c.client_id).Bind(2, ClientToJson(c).dump());
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
