#include "authd_admin_store.h"

#include <iostream>

#include "pg_schema.h"
#include "steer/auth/postgres_store.h"
#include "steer/auth/sqlite_store.h"

namespace steer::auth {
namespace {

int Fail(const std::string& msg) {
  std::cerr << "steer-authd admin store: " << msg << "\n";
  return 1;
}

void PrintStatus(const pg::SchemaStatus& s) {
  std::cout << "schema version " << s.version << " (this steer-authd knows up to " << s.latest
            << ")";
  if (s.applied > 0) std::cout << "; applied " << s.applied << " migration(s)";
  if (s.version < s.latest) std::cout << "; " << s.latest - s.version << " pending";
  std::cout << "\n";
}

// Users and clients of every tenant (the rows as stored); upserts, so running it again
// changes nothing. Codes, tokens, revocations and lockouts are short-lived and stay behind.
int Copy(Store& from, Store& to) {
  auto users = from.ListUsers();
  if (!users) return Fail("reading users: " + users.error().message);
  auto clients = from.ListClients();
  if (!clients) return Fail("reading clients: " + clients.error().message);
  for (const auto& u : *users) {
    if (auto r = to.PutUser(u); !r) return Fail("user " + u.username + ": " + r.error().message);
  }
  for (const auto& c : *clients) {
    if (auto r = to.PutClient(c); !r) {
      return Fail("client " + c.client_id + ": " + r.error().message);
    }
  }
  std::cout << "copied " << users->size() << " user(s) and " << clients->size() << " client(s)\n";
  return 0;
}

}  // namespace

int StoreCommand(const config::AuthdConfig& config, const std::vector<std::string>& args,
                 const std::string& from, const std::string& to) {
  if (config.postgres.dsn.empty()) {
    return Fail("needs a config with store.postgres (sqlite has no migrations to run)");
  }
  auto store = PostgresStore::Open(config.postgres);
  if (!store) return Fail(store.error().message);
  const std::string& verb = args[1];
  if (verb == "migrate" || verb == "status") {
    auto s = verb == "migrate" ? (*store)->MigrateNow() : (*store)->SchemaStatus();
    if (!s) return Fail(s.error().message);
    PrintStatus(*s);
    return 0;
  }
  if (verb == "copy") {
    if (from.rfind("sqlite:", 0) != 0 || from.size() == 7 || to != "postgres") {
      return Fail("usage: store copy --from sqlite:PATH --to postgres");
    }
    auto source = SqliteStore::Open(from.substr(7));
    if (!source) return Fail(source.error().message);
    return Copy(**source, **store);
  }
  return Fail("unknown command '" + verb + "' (migrate, status, copy)");
}

}  // namespace steer::auth
