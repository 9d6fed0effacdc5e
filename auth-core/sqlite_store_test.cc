#include "steer/auth/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>

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

// The write-ahead log of a store that rotates refresh tokens without end must start over.
class SqliteStoreLog : public ::testing::Test {
 protected:
  ~SqliteStoreLog() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  // `n` rotations of one family, each a write transaction of its own.
  void Rotate(Store& store, int n) {
    for (int i = 0; i < n; ++i, ++gen_) {
      auto r = store.RotateRefresh("fam", "t" + std::to_string(gen_), gen_,
                                   "t" + std::to_string(gen_ + 1), 4102444800);
      ASSERT_TRUE(r) << r.error().message;
      ASSERT_EQ(*r, RefreshOutcome::kRotated);
    }
  }
  uintmax_t WalBytes() const { return std::filesystem::file_size(path_ + "-wal"); }
  // The log header's checkpoint sequence: one more each time the log starts over.
  uint32_t LogRestarts() const {
    std::ifstream wal(path_ + "-wal", std::ios::binary);
    unsigned char h[16] = {};
    wal.read(reinterpret_cast<char*>(h), sizeof h);
    return uint32_t{h[12]} << 24 | uint32_t{h[13]} << 16 | uint32_t{h[14]} << 8 | h[15];
  }

  std::string path_ =
      (std::filesystem::temp_directory_path() / ("steer-log-" + RandomToken(6) + ".db")).string();
  int64_t gen_ = 0;
};

// A rotation reads the family, then writes it: its commit must happen in its own step, where
// SQLite checkpoints. A commit deferred to the read's reset never checkpoints: under refresh
// load the log grew by 57 MB a second.
TEST_F(SqliteStoreLog, RotationsCommitWhereSQLiteCheckpoints) {
  auto store = SqliteStore::Open(path_).value();
  ASSERT_TRUE(store->StartFamily("fam", "t0", 4102444800));
  Rotate(*store, 3000);             // about 2 pages each: 24 MB of log if it never started over
  EXPECT_LT(WalBytes(), 6u << 20);  // SQLite's automatic checkpoint: every 1,000 pages
}

// While serving, the store's own thread checkpoints, and the log starts over under steady writes.
TEST_F(SqliteStoreLog, WhileServingTheCheckpointerStartsTheLogOver) {
  auto store = SqliteStore::Open(path_, RevocationReads::kMirror).value();
  ASSERT_TRUE(store->StartFamily("fam", "t0", 4102444800));
  uint32_t before = LogRestarts();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (LogRestarts() == before && std::chrono::steady_clock::now() < deadline) {
    Rotate(*store, 50);
  }
  EXPECT_GT(LogRestarts(), before) << "the log never started over in 20 s of rotations";
}

}  // namespace
}  // namespace steer::auth
