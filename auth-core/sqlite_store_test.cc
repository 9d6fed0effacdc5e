#include "steer/auth/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "steer/auth/crypto_util.h"

namespace steer::auth {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("steer-store-" + RandomToken(6) + ".db");
    store_ = SqliteStore::Open(path_.string()).value();
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_.string() + suffix);
  }
  std::filesystem::path path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, CodesAreSingleUse) {
  EXPECT_TRUE(store_->ConsumeOnce("code-1", 100).value());
  EXPECT_FALSE(store_->ConsumeOnce("code-1", 100).value());
  EXPECT_TRUE(store_->ConsumeOnce("code-2", 100).value());
  ASSERT_TRUE(store_->Purge(101));
  EXPECT_TRUE(store_->ConsumeOnce("code-1", 200).value());  // expired rows are gone
}

TEST_F(SqliteStoreTest, RefreshRotationAndReuseRevokesTheFamily) {
  ASSERT_TRUE(store_->StartFamily("fam", "t1", 1000));
  EXPECT_EQ(store_->RotateRefresh("fam", "t1", 0, "t2", 1000).value(), RefreshOutcome::kRotated);
  EXPECT_EQ(store_->RotateRefresh("fam", "t2", 1, "t3", 1000).value(), RefreshOutcome::kRotated);
  EXPECT_TRUE(store_->IsCurrentRefresh("fam", "t3", 2).value());
  EXPECT_FALSE(store_->IsCurrentRefresh("fam", "t2", 1).value());
  // t1 again: a stolen copy is being used; the family dies.
  EXPECT_EQ(store_->RotateRefresh("fam", "t1", 0, "t4", 1000).value(), RefreshOutcome::kReused);
  EXPECT_EQ(store_->RotateRefresh("fam", "t3", 2, "t5", 1000).value(), RefreshOutcome::kRevoked);
  EXPECT_TRUE(store_->IsRevoked({"x", "fam"}).value());
}

TEST_F(SqliteStoreTest, SameGenerationWithAnotherTokenIsReuse) {
  ASSERT_TRUE(store_->StartFamily("fam", "t1", 1000));
  EXPECT_EQ(store_->RotateRefresh("fam", "forged", 0, "t2", 1000).value(), RefreshOutcome::kReused);
}

TEST_F(SqliteStoreTest, UnknownOrNewerFamilyIsAdoptedFromAnotherRegion) {
  EXPECT_EQ(store_->RotateRefresh("remote", "r1", 3, "r2", 1000).value(), RefreshOutcome::kRotated);
  EXPECT_EQ(store_->RotateRefresh("remote", "r1", 3, "r3", 1000).value(), RefreshOutcome::kReused);
  // Failback: this region issued gen 0, another region rotated to gen 2 meanwhile.
  ASSERT_TRUE(store_->StartFamily("home", "h0", 1000));
  EXPECT_TRUE(store_->IsCurrentRefresh("home", "b2", 2).value());
  EXPECT_EQ(store_->RotateRefresh("home", "b2", 2, "h3", 1000).value(), RefreshOutcome::kRotated);
  EXPECT_EQ(store_->RotateRefresh("home", "h0", 0, "x", 1000).value(), RefreshOutcome::kReused);
}

TEST_F(SqliteStoreTest, Revocations) {
  EXPECT_FALSE(store_->IsRevoked({"jti-1", ""}).value());
  ASSERT_TRUE(store_->Revoke("jti-1", 50));
  EXPECT_TRUE(store_->IsRevoked({"", "jti-1"}).value());
  ASSERT_TRUE(store_->Purge(51));
  EXPECT_FALSE(store_->IsRevoked({"jti-1"}).value());
}

// Any position of up to several ids, empty ones skipped, finds the one revoked id.
TEST_F(SqliteStoreTest, RevocationFoundInEveryPositionOfABatch) {
  ASSERT_TRUE(store_->Revoke("sid-9", 50));
  EXPECT_FALSE(store_->IsRevoked({}).value());
  EXPECT_FALSE(store_->IsRevoked({"", "", ""}).value());
  EXPECT_FALSE(store_->IsRevoked({"a", "b", "c", "d"}).value());
  EXPECT_TRUE(store_->IsRevoked({"sid-9", "", ""}).value());
  EXPECT_TRUE(store_->IsRevoked({"a", "", "sid-9"}).value());
  EXPECT_TRUE(store_->IsRevoked({"a", "b", "c", "sid-9"}).value());
  EXPECT_TRUE(store_->IsRevoked({"a", "", "b", "", "c", "sid-9"}).value());
}

TEST_F(SqliteStoreTest, LockoutAfterMaxFailuresUntilTimeoutOrClear) {
  LockoutPolicy policy{3, 60};
  EXPECT_EQ(store_->RecordFailure("user:a", 1000, policy).value(), 0);
  EXPECT_EQ(store_->RecordFailure("user:a", 1001, policy).value(), 0);
  EXPECT_EQ(store_->RecordFailure("user:a", 1002, policy).value(), 1062);
  EXPECT_EQ(store_->BlockedUntil("user:a", 1030).value(), 1062);
  EXPECT_EQ(store_->BlockedUntil("user:b", 1030).value(), 0);
  EXPECT_EQ(store_->BlockedUntil("user:a", 1062).value(), 0);  // timed out
  ASSERT_TRUE(store_->RecordFailure("user:a", 1100, policy));
  ASSERT_TRUE(store_->RecordFailure("user:a", 1101, policy));
  ASSERT_TRUE(store_->ClearFailures("user:a"));  // admin unlock / successful login
  EXPECT_EQ(store_->RecordFailure("user:a", 1102, policy).value(), 0);
}

TEST_F(SqliteStoreTest, FailuresOutsideTheWindowStartOver) {
  LockoutPolicy policy{2, 60};
  EXPECT_EQ(store_->RecordFailure("ip:1", 1000, policy).value(), 0);
  EXPECT_EQ(store_->RecordFailure("ip:1", 1100, policy).value(), 0);
  EXPECT_EQ(store_->RecordFailure("ip:1", 1101, policy).value(), 1161);
}

TEST_F(SqliteStoreTest, UsersAndClientsSurviveReopen) {
  ASSERT_TRUE(store_->AddUser({"alice", "sub-1", "$argon2id$x", "a@example.com", "Alice"}));
  Client c;
  c.client_id = "web";
  c.secret_hash = "abc";
  c.redirect_uris = {"https://app/cb"};
  c.grant_types = {"authorization_code", "refresh_token"};
  ASSERT_TRUE(store_->PutClient(c));
  store_ = SqliteStore::Open(path_.string()).value();
  auto u = store_->FindUser("alice").value();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->subject, "sub-1");
  EXPECT_FALSE(store_->FindUser("bob").value());
  auto got = store_->FindClient("web").value();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->redirect_uris, c.redirect_uris);
  EXPECT_TRUE(got->AllowsGrant("refresh_token"));
  EXPECT_FALSE(got->AllowsGrant("password"));
  EXPECT_EQ(store_->ListUsers()->size(), 1u);
  EXPECT_TRUE(store_->EndUser("alice", true, 1, 100).value());
  EXPECT_FALSE(store_->EndUser("alice", true, 1, 100).value());
  EXPECT_EQ(store_->ListClients()->size(), 1u);
  EXPECT_TRUE(store_->Ping());
}

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

TEST_F(SqliteStoreTest, SubjectsAndNamesAreNeverTakenTwiceAndRemovedSubjectsStayRetired) {
  ASSERT_TRUE(store_->AddUser({"alice", "sub-1", "h", "", ""}));
  EXPECT_EQ(store_->AddUser({"alice", "sub-2", "h", "", ""}).error().code,
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->AddUser({"bob", "sub-1", "h", "", ""}).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->FindUser("alice").value()->subject, "sub-1");  // not replaced
  ASSERT_TRUE(store_->EndUser("alice", true, 1, 100).value());
  EXPECT_TRUE(store_->SubjectUsed("sub-1").value());
  EXPECT_FALSE(store_->AddUser({"carol", "sub-1", "h", "", ""}));
  EXPECT_TRUE(store_->AddUser({"alice", "sub-3", "h", "", ""}));
  EXPECT_FALSE(store_->SubjectUsed("sub-4").value());
}

TEST_F(SqliteStoreTest, EndUserRevokesEveryOlderGenerationAndDisables) {
  ASSERT_TRUE(store_->AddUser({"alice", "sub-1", "h", "", ""}));
  ASSERT_TRUE(store_->EndUser("alice", false, 3, 100).value());
  auto u = store_->FindUser("alice").value().value();
  EXPECT_TRUE(u.disabled);
  EXPECT_EQ(u.generation, 3);
  for (int g = 0; g < 3; ++g)
    EXPECT_TRUE(store_->IsRevoked({UserRevocationId("sub-1", g)}).value());
  EXPECT_FALSE(store_->IsRevoked({UserRevocationId("sub-1", 3)}).value());
  ASSERT_TRUE(store_->EnableUser("alice").value());
  EXPECT_FALSE(store_->FindUser("alice").value()->disabled);
  EXPECT_FALSE(store_->EnableUser("bob").value());
  EXPECT_TRUE(store_->IsRevoked({"a", "b", "c", UserRevocationId("sub-1", 0)}).value());
  ASSERT_TRUE(store_->Purge(101));
  EXPECT_FALSE(store_->IsRevoked({UserRevocationId("sub-1", 0)}).value());
}

TEST_F(SqliteStoreTest, AStoreFromBeforeUserGenerationsOpensAndMigrates) {
  store_.reset();
  std::filesystem::remove(path_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE users(username TEXT PRIMARY KEY, subject TEXT UNIQUE NOT "
                         "NULL, password_hash TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT "
                         "NULL); INSERT INTO users VALUES('alice','sub-1','h','e','A');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  store_ = SqliteStore::Open(path_.string()).value();
  auto u = store_->FindUser("alice").value().value();
  EXPECT_EQ(u.generation, 0);
  EXPECT_FALSE(u.disabled);
  EXPECT_TRUE(store_->EndUser("alice", false, 1, 100).value());
  store_ = SqliteStore::Open(path_.string()).value();  // a second open migrates nothing
  EXPECT_TRUE(store_->FindUser("alice").value()->disabled);
}

}  // namespace
}  // namespace steer::auth
