#include "authd_admin_store.h"

#include <iostream>

#include "authd_admin.h"
#include "pg_schema.h"
#include "steer/auth/postgres_store.h"
#include "steer/auth/sqlite_store.h"

namespace steer::auth {
namespace {

int StoreFail(const std::string& msg) { return AdminFail("store: " + msg); }

void PrintStatus(const pg::SchemaStatus& s) {
  std::cout << "schema version " << s.version << " (this steer-authd knows up to " << s.latest
            << ")";
  if (s.applied > 0) std::cout << "; applied " << s.applied << " migration(s)";
  if (s.version < s.latest) std::cout << "; " << s.latest - s.version << " pending";
  std::cout << "\n";
}

// One user as stored (generation and disabled included). A user already there with the same
// subject was copied before; another subject under that name, or that subject under another
// name, is a conflict the operator must resolve.
Result<void> CopyUser(const User& u, PostgresStore& to) {
  auto added = to.AddUser(u);
  if (added || added.error().code != ErrorCode::kAlreadyExists) return added;
  auto there = to.FindUser(u.username);
  if (!there) return tl::unexpected(there.error());
  if (*there && (*there)->subject == u.subject) return {};
  return MakeError(ErrorCode::kAlreadyExists,
                   "exists in PostgreSQL with another subject, or its subject is or was used "
                   "by another user there; nothing copied for it");
}

// Users (with their generation and disabled flag), retired subjects, revocations (the user
// generations a disable or remove ended, revoked tokens) and clients of every tenant, as
// stored. Every write is an insert-if-absent or an upsert, so running it again changes nothing.
// Codes, refresh families and lockout counters are short-lived and stay behind.
int Copy(SqliteStore& from, PostgresStore& to) {
  auto users = from.ListUsers();
  if (!users) return StoreFail("reading users: " + users.error().message);
  auto retired = from.ListRetiredSubjects();
  if (!retired) return StoreFail("reading retired subjects: " + retired.error().message);
  auto revoked = from.ListRevocations();
  if (!revoked) return StoreFail("reading revocations: " + revoked.error().message);
  auto clients = from.ListClients();
  if (!clients) return StoreFail("reading clients: " + clients.error().message);
  // Revocations first: a copied disabled user's old tokens are dead before the user exists.
  if (auto r = to.CopyRevocations(*revoked); !r) {
    return StoreFail("revocation: " + r.error().message);
  }
  for (const auto& s : *retired) {
    if (auto r = to.RetireSubject(s); !r) return StoreFail("retired subject: " + r.error().message);
  }
  for (const auto& u : *users) {
    if (auto r = CopyUser(u, to); !r)
      return StoreFail("user " + u.username + ": " + r.error().message);
  }
  for (const auto& c : *clients) {
    if (auto r = to.PutClient(c); !r) {
      return StoreFail("client " + c.client_id + ": " + r.error().message);
    }
  }
  std::cout << "copied " << users->size() << " user(s), " << retired->size()
            << " retired subject(s), " << revoked->size() << " revocation(s) and "
            << clients->size() << " client(s)\n";
  return 0;
}

}  // namespace

int StoreCommand(const config::AuthdConfig& config, const std::vector<std::string>& args,
                 const std::string& from, const std::string& to) {
  if (config.postgres.dsn.empty()) {
    return StoreFail("needs a config with store.postgres (sqlite has no migrations to run)");
  }
  auto store = PostgresStore::Open(config.postgres);
  if (!store) return StoreFail(store.error().message);
  const std::string& verb = args[1];
  if (verb == "migrate" || verb == "status") {
    auto s = verb == "migrate" ? (*store)->MigrateNow() : (*store)->SchemaStatus();
    if (!s) return StoreFail(s.error().message);
    PrintStatus(*s);
    return 0;
  }
  if (verb == "copy") {
    if (from.rfind("sqlite:", 0) != 0 || from.size() == 7 || to != "postgres") {
      return StoreFail("usage: store copy --from sqlite:PATH --to postgres");
    }
    auto source = SqliteStore::Open(from.substr(7));
    if (!source) return StoreFail(source.error().message);
    return Copy(**source, **store);
  }
  return StoreFail("unknown command '" + verb + "' (migrate, status, copy)");
}

}  // namespace steer::auth
