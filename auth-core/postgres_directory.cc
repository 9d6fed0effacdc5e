// Opening PostgresStore, its schema commands, and the user and client directory (the only
// place that knows the users and clients tables).
#include <libpq-fe.h>

#include <memory>

#include "client_json.h"
#include "pg_pool.h"
#include "pg_schema.h"
#include "steer/auth/postgres_store.h"

namespace steer::auth {

using pg::Lease;
using pg::Statement;
namespace {

constexpr bool kIdempotent = true;

const Statement kFindUser{
    "find_user",
    "SELECT username, subject, password_hash, email, name FROM users WHERE username = $1"};
const Statement kPutUser{
    "put_user",
    "INSERT INTO users(username, subject, password_hash, email, name) VALUES($1,$2,$3,$4,$5) "
    "ON CONFLICT (username) DO UPDATE SET subject = excluded.subject, "
    "password_hash = excluded.password_hash, email = excluded.email, name = excluded.name"};
const Statement kRemoveUser{"remove_user", "DELETE FROM users WHERE username = $1"};
const Statement kListUsers{
    "list_users",
    "SELECT username, subject, password_hash, email, name FROM users ORDER BY username"};
const Statement kFindClient{"find_client", "SELECT body FROM clients WHERE client_id = $1"};
const Statement kPutClient{"put_client",
                           "INSERT INTO clients(client_id, body) VALUES($1, $2) "
                           "ON CONFLICT (client_id) DO UPDATE SET body = excluded.body"};
const Statement kRemoveClient{"remove_client", "DELETE FROM clients WHERE client_id = $1"};
const Statement kListClients{"list_clients",
                             "SELECT client_id, body FROM clients ORDER BY client_id"};

User UserFromRow(const pg::Rows& r, int row) {
  return User{r.Text(row, 0), r.Text(row, 1), r.Text(row, 2), r.Text(row, 3), r.Text(row, 4)};
}

// Runs a statement whose only interest is the rows it changed.
Result<int64_t> Change(pg::Pool& pool, const Statement& s, std::vector<std::string> params) {
  return pool.Run(kIdempotent, [&](Lease& lease) -> Result<int64_t> {
    auto r = lease.Exec(s, params);
    if (!r) return tl::unexpected(r.error());
    return r->affected();
  });
}

Result<void> CheckDsn(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &err);
  if (options == nullptr) {
    std::string message = err ? err : "out of memory";
    PQfreemem(err);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return MakeError(ErrorCode::kInvalidArgument, "store.postgres.dsn: " + message);
  }
  PQconninfoFree(options);
  return {};
}

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const config::PostgresConfig& config) {
  if (auto r = CheckDsn(config.dsn); !r) return tl::unexpected(r.error());
  if (!config.password.empty()) {
    if (auto secret = base::ResolveSecret(config.password); !secret) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "store.postgres.password " + config.password.ToString() + ": " + secret.error().message);
    }
  }
  auto migrate = [](PGconn* conn) -> Result<void> {
    auto r = pg::Migrate(conn);
    if (!r) return tl::unexpected(r.error());
    return {};
  };
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(std::make_unique<pg::Pool>(config, migrate)));
}

Result<pg::SchemaStatus> PostgresStore::MigrateNow() {
  auto conn = pool_->Connect();
  if (!conn) return tl::unexpected(conn.error());
  auto r = pg::Migrate(*conn);
  PQfinish(*conn);
  return r;
}

Result<pg::SchemaStatus> PostgresStore::SchemaStatus() {
  auto conn = pool_->Connect();
  if (!conn) return tl::unexpected(conn.error());
  auto r = pg::ReadSchemaStatus(*conn);
  PQfinish(*conn);
  return r;
}

Result<std::optional<User>> PostgresStore::FindUser(std::string_view username) {
  return pool_->Run(kIdempotent, [&](Lease& lease) -> Result<std::optional<User>> {
    auto r = lease.Exec(kFindUser, {std::string(username)});
    if (!r) return tl::unexpected(r.error());
    if (r->size() == 0) return std::optional<User>();
    return std::optional<User>(UserFromRow(*r, 0));
  });
}

Result<void> PostgresStore::PutUser(const User& u) {
  auto r = Change(*pool_, kPutUser, {u.username, u.subject, u.password_hash, u.email, u.name});
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<bool> PostgresStore::RemoveUser(std::string_view username) {
  auto r = Change(*pool_, kRemoveUser, {std::string(username)});
  if (!r) return tl::unexpected(r.error());
  return *r > 0;
}

Result<std::vector<User>> PostgresStore::ListUsers() {
  return pool_->Run(kIdempotent, [&](Lease& lease) -> Result<std::vector<User>> {
    auto r = lease.Exec(kListUsers, {});
    if (!r) return tl::unexpected(r.error());
    std::vector<User> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(UserFromRow(*r, i));
    return out;
  });
}

Result<std::optional<Client>> PostgresStore::FindClient(std::string_view client_id) {
  return pool_->Run(kIdempotent, [&](Lease& lease) -> Result<std::optional<Client>> {
    auto r = lease.Exec(kFindClient, {std::string(client_id)});
    if (!r) return tl::unexpected(r.error());
    if (r->size() == 0) return std::optional<Client>();
    auto c = ClientFromJson(std::string(client_id), r->Text(0, 0));
    if (!c) return MakeError(ErrorCode::kInternal, "corrupt client row");
    return c;
  });
}

Result<void> PostgresStore::PutClient(const Client& c) {
  auto r = Change(*pool_, kPutClient, {c.client_id, ClientBody(c)});
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<bool> PostgresStore::RemoveClient(std::string_view client_id) {
  auto r = Change(*pool_, kRemoveClient, {std::string(client_id)});
  if (!r) return tl::unexpected(r.error());
  return *r > 0;
}

Result<std::vector<Client>> PostgresStore::ListClients() {
  return pool_->Run(kIdempotent, [&](Lease& lease) -> Result<std::vector<Client>> {
    auto r = lease.Exec(kListClients, {});
    if (!r) return tl::unexpected(r.error());
    std::vector<Client> out;
    for (int i = 0; i < r->size(); ++i) {
      if (auto c = ClientFromJson(r->Text(i, 0), r->Text(i, 1))) out.push_back(std::move(*c));
    }
    return out;
  });
}

}  // namespace steer::auth
