// Opening PostgresStore, its schema commands, and the user and client directory (the only
// place that knows the users and clients tables).
#include <libpq-fe.h>

#include <memory>

#include "client_json.h"
#include "outage_failures.h"
#include "pg_pool.h"
#include "pg_revocations.h"
#include "pg_schema.h"
#include "postgres_read.h"
#include "steer/auth/postgres_store.h"

namespace steer::auth {

using pg::kIdempotent;
using pg::kOnce;
using pg::Lease;
using pg::Statement;
namespace {

const Statement kFindUser{"find_user",
                          "SELECT username, subject, password_hash, email, name, generation, "
                          "disabled FROM users WHERE username = $1"};
// One statement: no row when the name exists (primary key), the subject is taken (unique) or
// the subject is retired.
const Statement kAddUser{
    "add_user",
    "INSERT INTO users(username, subject, password_hash, email, name, generation, disabled) "
    "SELECT $1, $2, $3, $4, $5, $6::bigint, $7::boolean WHERE NOT EXISTS "
    "(SELECT 1 FROM retired_subjects WHERE subject = $2) ON CONFLICT DO NOTHING"};
const Statement kSubjectUsed{"subject_used",
                             "SELECT 1 FROM users WHERE subject = $1 UNION ALL "
                             "SELECT 1 FROM retired_subjects WHERE subject = $1 LIMIT 1"};
const Statement kLockUser{"lock_user", "SELECT subject FROM users WHERE username = $1 FOR UPDATE"};
const Statement kRevokeGeneration{
    "revoke_generation",
    "INSERT INTO revoked(id, expires_at) VALUES($1, $2) ON CONFLICT (id) "
    "DO UPDATE SET expires_at = GREATEST(revoked.expires_at, excluded.expires_at)"};
const Statement kRetire{"retire",
                        "INSERT INTO retired_subjects(subject) VALUES($1) ON CONFLICT DO NOTHING"};
const Statement kDeleteUser{"delete_user", "DELETE FROM users WHERE username = $1"};
const Statement kDisableUser{"disable_user",
                             "UPDATE users SET disabled = true, generation = $2 "
                             "WHERE username = $1"};
const Statement kEnableUser{"enable_user", "UPDATE users SET disabled = false WHERE username = $1"};
const Statement kListUsers{"list_users",
                           "SELECT username, subject, password_hash, email, name, generation, "
                           "disabled FROM users ORDER BY username"};
const Statement kFindClient{"find_client", "SELECT body FROM clients WHERE client_id = $1"};
const Statement kPutClient{"put_client",
                           "INSERT INTO clients(client_id, body) VALUES($1, $2) "
                           "ON CONFLICT (client_id) DO UPDATE SET body = excluded.body"};
const Statement kRemoveClient{"remove_client", "DELETE FROM clients WHERE client_id = $1"};
const Statement kListClients{"list_clients",
                             "SELECT client_id, body FROM clients ORDER BY client_id"};

User UserFromRow(const pg::Rows& r, int row) {
  return User{r.Text(row, 0), r.Text(row, 1), r.Text(row, 2),       r.Text(row, 3),
              r.Text(row, 4), r.Int(row, 5),  r.Text(row, 6) == "t"};
}

// Inside a transaction: the user's row is locked, every older generation revoked, then the
// user disabled at `next` or deleted with its subject retired.
Result<bool> EndUserLocked(Lease& lease, std::string_view username, bool remove, int64_t next,
                           int64_t revoke_until) {
  auto found = lease.Exec(kLockUser, {std::string(username)});
  if (!found) return tl::unexpected(found.error());
  if (found->size() == 0) return false;
  std::string subject = found->Text(0, 0);
  for (int64_t g = 0; g < next; ++g) {
    auto r =
        lease.Exec(kRevokeGeneration, {UserRevocationId(subject, g), std::to_string(revoke_until)});
    if (!r) return tl::unexpected(r.error());
  }
  if (remove) {
    if (auto r = lease.Exec(kRetire, {subject}); !r) return tl::unexpected(r.error());
    if (auto r = lease.Exec(kDeleteUser, {std::string(username)}); !r) {
      return tl::unexpected(r.error());
    }
    return true;
  }
  auto r = lease.Exec(kDisableUser, {std::string(username), std::to_string(next)});
  if (!r) return tl::unexpected(r.error());
  return true;
}

// Runs a statement whose only interest is the rows it changed.
Result<int64_t> Change(pg::Pool& pool, const Statement& s, std::vector<std::string> params) {
  return pool.Run(kIdempotent, [&](Lease& lease) -> Result<int64_t> {
    auto r = lease.Exec(s, params);
    if (!r) return tl::unexpected(r.error());
    return r->affected();
  });
}

Result<void> CheckDsn(const std::string& key, const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &err);
  if (options == nullptr) {
    std::string message = err ? err : "out of memory";
    PQfreemem(err);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return MakeError(ErrorCode::kInvalidArgument, "store.postgres." + key + ": " + message);
  }
  PQconninfoFree(options);
  return {};
}

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const config::PostgresConfig& config,
                                                           RevocationReads reads) {
  if (auto r = CheckDsn("dsn", config.dsn); !r) return tl::unexpected(r.error());
  if (!config.standby_dsn.empty()) {
    if (auto r = CheckDsn("standby_dsn", config.standby_dsn); !r) return tl::unexpected(r.error());
  }
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
  // The standby is only read: its schema comes from the primary by replication.
  auto check = [](PGconn* conn) -> Result<void> {
    auto r = pg::ReadSchemaStatus(conn);
    if (!r) return tl::unexpected(r.error());
    if (r->version > r->latest) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "postgres: the standby's schema is newer than this binary");
    }
    return {};
  };
  std::unique_ptr<pg::Pool> standby;
  if (!config.standby_dsn.empty()) {
    standby = std::make_unique<pg::Pool>(config, check, pg::Target::kStandby);
  }
  std::unique_ptr<PostgresStore> store(
      new PostgresStore(std::make_unique<pg::Pool>(config, migrate), std::move(standby)));
  if (reads == RevocationReads::kMirror) {
    store->feed_ = std::make_unique<pg::SnapshotFeed>(*store->pool_);
    store->mirror_ = std::make_unique<RevocationMirror>(*store->feed_);
    store->mirror_->Start();
  }
  return store;
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
  return Read([&](Lease& lease) -> Result<std::optional<User>> {
    auto r = lease.Exec(kFindUser, {std::string(username)});
    if (!r) return tl::unexpected(r.error());
    if (r->size() == 0) return std::optional<User>();
    return std::optional<User>(UserFromRow(*r, 0));
  });
}

Result<void> PostgresStore::AddUser(const User& u) {
  auto r = pool_->Run(kOnce, [&](Lease& lease) -> Result<int64_t> {
    auto added = lease.Exec(kAddUser, {u.username, u.subject, u.password_hash, u.email, u.name,
                                       std::to_string(u.generation), u.disabled ? "t" : "f"});
    if (!added) return tl::unexpected(added.error());
    return added->affected();
  });
  if (!r) return tl::unexpected(r.error());
  if (*r == 0) {
    return MakeError(ErrorCode::kAlreadyExists, "user exists or subject is or was used");
  }
  return {};
}

Result<bool> PostgresStore::SubjectUsed(std::string_view subject) {
  return pool_->Run(kIdempotent, [&](Lease& lease) -> Result<bool> {
    auto r = lease.Exec(kSubjectUsed, {std::string(subject)});
    if (!r) return tl::unexpected(r.error());
    return r->size() > 0;
  });
}

Result<bool> PostgresStore::EndUser(std::string_view username, bool remove, int64_t new_generation,
                                    int64_t revoke_until) {
  auto ended = pool_->Run(kOnce, [&](Lease& lease) {
    return pg::Pool::InTransaction(lease, [&] {
      return EndUserLocked(lease, username, remove, new_generation, revoke_until);
    });
  });
  if (ended && *ended) AwaitRevocationMirrors();  // the user's generations are revoked
  return ended;
}

Result<bool> PostgresStore::EnableUser(std::string_view username) {
  auto r = Change(*pool_, kEnableUser, {std::string(username)});
  if (!r) return tl::unexpected(r.error());
  return *r > 0;
}

Result<void> PostgresStore::RetireSubject(std::string_view subject) {
  auto r = Change(*pool_, kRetire, {std::string(subject)});
  if (!r) return tl::unexpected(r.error());
  return {};
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
  return Read([&](Lease& lease) -> Result<std::optional<Client>> {
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
