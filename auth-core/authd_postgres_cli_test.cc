// The built steer-authd against a real PostgreSQL (tests/support PgServer): admin store
// status|migrate|copy, and the server starting while the database refuses it (not ready,
// then ready once the password is fixed, without a restart).
#include <gtest/gtest.h>

#include <filesystem>

#include "steer/auth/postgres_store.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/http_client.h"
#include "steer/testsupport/pg_server.h"

namespace steer::auth {
namespace {

using testsupport::PgServer;
using testsupport::TempDir;

constexpr int64_t kFarFuture = 4102444800;  // 2100-01-01

struct Outcome {
  int status;
  std::string output;
};

Outcome Authd(const TempDir& dir, std::vector<std::string> args) {
  static int counter = 0;
  std::string log = dir.File("cmd-" + std::to_string(++counter) + ".log");
  args.insert(args.begin(), STEER_AUTHD_PATH);
  int status = testsupport::RunCommand(args, log);
  return {status, testsupport::ReadFile(log)};
}

std::string Config(const PgServer& server, const std::string& db, const TempDir& dir,
                   uint16_t port) {
  return dir.Write("authd.yaml",
                   "issuer: http://127.0.0.1:" + std::to_string(port) +
                       "\nlisten: {address: 127.0.0.1, port: " + std::to_string(port) +
                       "}\nkeys_dir: keys\nstore:\n  postgres:\n    dsn: \"" + server.Dsn(db) +
                       "\"\n    password: file:" + dir.File("pw") + "\n    connect_timeout: 1s\n");
}

TEST(AuthdPostgresCli, StoreStatusMigrateAndCopyFromSqlite) {
  PgServer server;
  TempDir dir("steer-authd-pg");
  std::string db = server.CreateDatabase();
  dir.Write("pw", server.password());
  std::string cfg = Config(server, db, dir, 9);
  Outcome status = Authd(dir, {"admin", "-c", cfg, "store", "status"});
  EXPECT_EQ(status.status, 0) << status.output;
  EXPECT_EQ(status.output, "schema version 0 (this steer-authd knows up to 5); 5 pending\n");
  Outcome migrate = Authd(dir, {"admin", "-c", cfg, "store", "migrate"});
  EXPECT_EQ(migrate.output,
            "schema version 5 (this steer-authd knows up to 5); applied 5 "
            "migration(s)\n");
  {
    auto sqlite = SqliteStore::Open(dir.File("region.db")).value();
    ASSERT_TRUE(sqlite->AddUser({"alice", "sub-a", "$argon2id$a", "a@x", "Alice"}));
    ASSERT_TRUE(sqlite->AddUser({"bob'; DROP TABLE users;--", "sub-b", "$argon2id$b", "", ""}));
    ASSERT_TRUE(sqlite->AddUser({"carol", "sub-c", "$argon2id$c", "", ""}));
    ASSERT_TRUE(sqlite->EndUser("alice", false, 2, kFarFuture).value());  // disabled at gen 2
    ASSERT_TRUE(sqlite->EndUser("carol", true, 1, kFarFuture).value());   // removed: retired
    Client c;
    c.client_id = "web";
    c.redirect_uris = {"https://app/cb"};
    ASSERT_TRUE(sqlite->PutClient(c));
  }
  for (int i = 0; i < 2; ++i) {  // idempotent
    Outcome copy = Authd(dir, {"admin", "-c", cfg, "store", "copy", "--from",
                               "sqlite:" + dir.File("region.db"), "--to", "postgres"});
    EXPECT_EQ(copy.status, 0) << copy.output;
    EXPECT_EQ(copy.output,
              "copied 2 user(s), 1 retired subject(s), 3 revocation(s) and 1 client(s)\n");
  }
  config::PostgresConfig pc;
  pc.dsn = server.Dsn(db);
  pc.password = base::ParseSecretRef("file:" + dir.File("pw")).value();
  auto pg = PostgresStore::Open(pc).value();
  EXPECT_EQ(pg->ListUsers().value().size(), 2u);
  EXPECT_EQ(pg->FindUser("bob'; DROP TABLE users;--").value()->subject, "sub-b");
  auto alice = pg->FindUser("alice").value().value();
  EXPECT_TRUE(alice.disabled);
  EXPECT_EQ(alice.generation, 2);
  EXPECT_TRUE(pg->IsRevoked({UserRevocationId("sub-a", 1)}).value());
  EXPECT_TRUE(pg->IsRevoked({UserRevocationId("sub-c", 0)}).value());
  EXPECT_FALSE(pg->IsRevoked({UserRevocationId("sub-a", 2)}).value());
  EXPECT_TRUE(pg->SubjectUsed("sub-c").value());
  EXPECT_FALSE(pg->FindUser("carol").value());
  EXPECT_EQ(pg->FindClient("web").value()->redirect_uris,
            std::vector<std::string>{"https://app/cb"});
  Outcome list = Authd(dir, {"admin", "-c", cfg, "user", "list"});  // the usual admin, on postgres
  EXPECT_NE(list.output.find("alice"), std::string::npos) << list.output;
  // Two regions' configs on one database: the user command changes it once.
  TempDir other("steer-authd-pg");
  other.Write("pw", server.password());
  std::string cfg2 = Config(server, db, other, 9);
  Outcome enable = Authd(dir, {"admin", "-c", cfg, "-c", cfg2, "user", "enable", "alice"});
  EXPECT_EQ(enable.status, 0) << enable.output;
  Outcome disable = Authd(dir, {"admin", "-c", cfg, "-c", cfg2, "user", "disable", "alice"});
  EXPECT_EQ(disable.status, 0) << disable.output;
  EXPECT_EQ(pg->FindUser("alice").value()->generation, 3);
  Outcome remove = Authd(dir, {"admin", "-c", cfg, "-c", cfg2, "user", "remove", "alice"});
  EXPECT_EQ(remove.status, 0) << remove.output;  // not "user vanished" from the second config
  EXPECT_FALSE(pg->FindUser("alice").value());
  // The SQLite file still has alice, whose subject is now retired in PostgreSQL: a conflict,
  // reported with the user's name.
  Outcome conflict = Authd(dir, {"admin", "-c", cfg, "store", "copy", "--from",
                                 "sqlite:" + dir.File("region.db"), "--to", "postgres"});
  EXPECT_EQ(conflict.status, 1);
  EXPECT_NE(conflict.output.find("user alice: exists in PostgreSQL with another subject, or its "
                                 "subject is or was used by another user there"),
            std::string::npos)
      << conflict.output;
  Outcome bad =
      Authd(dir, {"admin", "-c", cfg, "store", "copy", "--from", "region.db", "--to", "postgres"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.output.find("usage: store copy --from sqlite:PATH --to postgres"),
            std::string::npos);
}

int ReadyStatus(uint16_t port, std::string* body) {
  base::HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz/ready";
  request.timeout = std::chrono::milliseconds(3000);
  auto response = base::SendHttp(request);
  if (!response) return 0;
  *body = response->body;
  return response->status;
}

TEST(AuthdPostgresCli, StartsWithoutTheDatabaseAndBecomesReadyWhenItCan) {
  PgServer server;
  TempDir dir("steer-authd-pg");
  std::string db = server.CreateDatabase();
  dir.Write("pw", "wrong-password");
  uint16_t port = testsupport::FreePort();
  std::string cfg = Config(server, db, dir, port);
  ASSERT_EQ(Authd(dir, {"admin", "keys", "generate", "--dir", dir.File("keys")}).status, 0);
  testsupport::ChildProcess authd({STEER_AUTHD_PATH, "--config", cfg}, dir.File("authd.log"));
  std::string body;
  ASSERT_TRUE(testsupport::WaitUntil([&] { return ReadyStatus(port, &body) != 0; },
                                     std::chrono::seconds(10)))
      << testsupport::ReadFile(dir.File("authd.log"));
  EXPECT_EQ(ReadyStatus(port, &body), 503);
  EXPECT_NE(body.find("\"store\":\"unreachable\""), std::string::npos) << body;
  std::string log = testsupport::ReadFile(dir.File("authd.log"));
  EXPECT_NE(log.find("store not ready: postgres: cannot connect"), std::string::npos) << log;
  EXPECT_NE(log.find("password authentication failed"), std::string::npos) << log;
  EXPECT_EQ(log.find("wrong-password"), std::string::npos);  // never logged
  dir.Write("pw", server.password());  // fixed: read again at the next connect
  EXPECT_TRUE(testsupport::WaitUntil([&] { return ReadyStatus(port, &body) == 200; },
                                     std::chrono::seconds(10)))
      << body;
  EXPECT_TRUE(authd.Running());
}

}  // namespace
}  // namespace steer::auth
