#include "steer/auth/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "steer/auth/crypto_util.h"
#include "store_contract_test.h"

namespace steer::auth {
namespace {

// One file per test; Open() opens it again (Reopen checks what survives).
class SqliteBackend {
 public:
  SqliteBackend()
      : path_(std::filesystem::temp_directory_path() / ("steer-store-" + RandomToken(6) + ".db")) {}
  ~SqliteBackend() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_.string() + suffix);
  }
  std::unique_ptr<Store> Open() { return SqliteStore::Open(path_.string()).value(); }

 private:
  std::filesystem::path path_;
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Types<SqliteBackend>);

namespace {

// A store written before clients had web origins: same tables, client rows without the key.
TEST(SqliteStoreUpgrade, AStoreFromBeforeWebOriginsOpensAndLearnsThem) {
  auto path = std::filesystem::temp_directory_path() / ("steer-old-" + RandomToken(6) + ".db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE clients(client_id TEXT PRIMARY KEY, body TEXT NOT NULL);"
                         "INSERT INTO clients VALUES('spa', '{\"secret_hash\":\"\","
                         "\"redirect_uris\":[\"https://spa.example.com/cb\"],"
                         "\"grant_types\":[\"authorization_code\"],\"name\":\"\"}');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  {
    auto store = SqliteStore::Open(path.string()).value();
    auto old = store->FindClient("spa").value();
    ASSERT_TRUE(old);
    EXPECT_TRUE(old->web_origins.empty());
    EXPECT_EQ(old->id_token_alg, "RS256");  // rows from before the setting: the OIDC default
    EXPECT_EQ(old->redirect_uris, std::vector<std::string>{"https://spa.example.com/cb"});
    old->web_origins = {"https://spa.example.com"};
    ASSERT_TRUE(store->PutClient(*old));
  }
  auto store = SqliteStore::Open(path.string()).value();
  EXPECT_EQ(store->FindClient("spa").value()->web_origins,
            std::vector<std::string>{"https://spa.example.com"});
  EXPECT_EQ(store->ListClients().value().at(0).web_origins,
            std::vector<std::string>{"https://spa.example.com"});
  store.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

// A store written before user generations: the users table gains generation and disabled.
TEST(SqliteStoreUpgrade, AStoreFromBeforeUserGenerationsOpensAndMigrates) {
  auto path = std::filesystem::temp_directory_path() / ("steer-old-" + RandomToken(6) + ".db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE users(username TEXT PRIMARY KEY, subject TEXT UNIQUE NOT "
                         "NULL, password_hash TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT "
                         "NULL); INSERT INTO users VALUES('alice','sub-1','h','e','A');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = SqliteStore::Open(path.string()).value();
  auto u = store->FindUser("alice").value().value();
  EXPECT_EQ(u.generation, 0);
  EXPECT_FALSE(u.disabled);
  EXPECT_TRUE(store->EndUser("alice", false, 1, 100).value());
  store = SqliteStore::Open(path.string()).value();  // a second open migrates nothing
  EXPECT_TRUE(store->FindUser("alice").value()->disabled);
  store.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

// What admin store copy reads besides the Store interface: retired subjects and revocations.
TEST(SqliteStoreCopySource, ListsRetiredSubjectsAndRevocations) {
  auto path = std::filesystem::temp_directory_path() / ("steer-copy-" + RandomToken(6) + ".db");
  auto store = SqliteStore::Open(path.string()).value();
  ASSERT_TRUE(store->AddUser({"alice", "sub-1", "h", "", ""}));
  ASSERT_TRUE(store->Revoke("jti", 50));
  ASSERT_TRUE(store->EndUser("alice", true, 1, 100).value());
  EXPECT_EQ(store->ListRetiredSubjects().value(), std::vector<std::string>{"sub-1"});
  using Row = std::pair<std::string, int64_t>;
  EXPECT_EQ(store->ListRevocations().value(),
            (std::vector<Row>{{"jti", 50}, {UserRevocationId("sub-1", 0), 100}}));
  store.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace
}  // namespace steer::auth
