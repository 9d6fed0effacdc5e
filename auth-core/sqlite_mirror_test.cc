// SqliteStore with its revocations mirrored in memory (RevocationReads::kMirror, as steer-authd
// serves): the store contract again, and the rule the mirror lives under — a revocation
// acknowledged by any process on the same file (another store, the admin CLI) is enforced by
// the mirrored store at once — including after the purge of the highest stamp and on a store
// from before the stamps.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "revocation_mirror.h"
#include "sqlite_readers.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/steady_wall_clock.h"
#include "store_contract_test.h"

namespace steer::auth {
namespace {

std::filesystem::path MirrorTestPath() {
  return std::filesystem::temp_directory_path() / ("steer-mirror-" + RandomToken(6) + ".db");
}

void RemoveMirrorTestFiles(const std::filesystem::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

class SqliteMirroredBackend {
 public:
  SqliteMirroredBackend() : path_(MirrorTestPath()) {}
  ~SqliteMirroredBackend() { RemoveMirrorTestFiles(path_); }
  std::unique_ptr<Store> Open() {
    return SqliteStore::Open(path_.string(), RevocationReads::kMirror).value();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(SqliteMirrored, StoreContract,
                               ::testing::Types<SqliteMirroredBackend>);

namespace {

using Clock = RevocationMirror::Clock;

// A mirrored store (steer-authd) and a plain one on the same file (the admin CLI, or a second
// steer-authd during a restart).
struct TwoProcesses {
  TwoProcesses()
      : path(MirrorTestPath()),
        served(SqliteStore::Open(path.string(), RevocationReads::kMirror).value()),
        admin(SqliteStore::Open(path.string()).value()) {}
  ~TwoProcesses() {
    served.reset();
    admin.reset();
    RemoveMirrorTestFiles(path);
  }
  std::filesystem::path path;
  std::unique_ptr<SqliteStore> served;
  std::unique_ptr<SqliteStore> admin;
};

// Until the mirror's thread has registered (its first poll), a writer has no reader to wait for.
void WaitForReaders(const std::filesystem::path& path, int n) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.string().c_str(), &db), SQLITE_OK);
  int found = -1;
  for (int i = 0; i < 500 && found != n; ++i) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM revocation_readers", -1, &s, nullptr);
    if (sqlite3_step(s) == SQLITE_ROW) found = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (found != n) std::this_thread::sleep_for(RevocationMirror::kPoll);
  }
  sqlite3_close(db);
  ASSERT_EQ(found, n);
}

void RegisterReader(const std::filesystem::path& path, const std::string& boot, int64_t beat_ms) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.string().c_str(), &db), SQLITE_OK);
  std::string sql = "INSERT INTO revocation_readers VALUES('" + RandomToken(6) + "', '" + boot +
                    "', " + std::to_string(beat_ms) + ")";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

// Ten revocations through `store`, and whether they waited the lease (ten leases are 500 ms;
// without waits, ten SQLite upserts take a few ms).
bool RevocationsWaited(SqliteStore& store) {
  auto started = Clock::now();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(store.Revoke("w-" + RandomToken(6), 1000));
  return Clock::now() - started >= 10 * RevocationMirror::kLease;
}

TEST(SqliteMirror, ARevocationAcknowledgedByAnotherConnectionIsEnforcedAtOnce) {
  TwoProcesses p;
  WaitForReaders(p.path, 1);
  for (int i = 0; i < 20; ++i) {
    std::string id = "jti-" + std::to_string(i);
    EXPECT_FALSE(p.served->IsRevoked({id}).value());
    auto started = Clock::now();
    ASSERT_TRUE(p.admin->Revoke(id, 1000));
    EXPECT_GE(Clock::now() - started, RevocationMirror::kLease);  // acknowledged after the lease
    EXPECT_TRUE(p.served->IsRevoked({id}).value()) << id;
  }
  // A user's generations ended by `admin user disable`, and a refresh family revoked on reuse.
  ASSERT_TRUE(p.admin->AddUser({"alice", "sub-a", "h", "", ""}));
  ASSERT_TRUE(p.admin->EndUser("alice", /*remove=*/false, 1, 1000).value());
  EXPECT_TRUE(p.served->IsRevoked({UserRevocationId("sub-a", 0)}).value());
  ASSERT_TRUE(p.admin->StartFamily("fam", "t0", 1000));
  ASSERT_EQ(p.admin->RotateRefresh("fam", "t0", 0, "t1", 1000).value(), RefreshOutcome::kRotated);
  ASSERT_EQ(p.admin->RotateRefresh("fam", "t0", 0, "t2", 1000).value(), RefreshOutcome::kReused);
  EXPECT_TRUE(p.served->IsRevoked({"fam"}).value());
}

// A serving steer-authd alone on its file: its own revocations are in its copy at once, and
// there is no other reader to wait for. A second serving process makes every revocation wait.
TEST(SqliteMirror, AServingProcessAloneDoesNotWaitTheLease) {
  auto path = MirrorTestPath();
  auto served = SqliteStore::Open(path.string(), RevocationReads::kMirror).value();
  WaitForReaders(path, 1);
  EXPECT_FALSE(RevocationsWaited(*served));
  ASSERT_TRUE(served->Revoke("own", 1000));
  EXPECT_TRUE(served->IsRevoked({"own"}).value());
  {
    auto second = SqliteStore::Open(path.string(), RevocationReads::kMirror).value();
    WaitForReaders(path, 2);
    EXPECT_TRUE(RevocationsWaited(*served));
    ASSERT_TRUE(served->Revoke("seen-by-second", 1000));
    EXPECT_TRUE(second->IsRevoked({"seen-by-second"}).value());
  }
  WaitForReaders(path, 1);  // the second unregistered when it closed
  EXPECT_FALSE(RevocationsWaited(*served));
  served.reset();
  RemoveMirrorTestFiles(path);
}

// Registrations of a crashed process (no beat for kBeatDead) or of another boot cost nothing;
// a live one (a fresh beat of this boot) makes writers wait.
TEST(SqliteMirror, OnlyLiveRegistrationsOfThisBootAreWaitedFor) {
  auto path = MirrorTestPath();
  auto admin = SqliteStore::Open(path.string()).value();
  const std::string boot = base::ReadBootId().value();
  RegisterReader(path, boot,
                 sqlite_readers::MonotonicMs(Clock::now() - sqlite_readers::kBeatDead -
                                             std::chrono::seconds(1)));
  RegisterReader(path, "another-boot", sqlite_readers::MonotonicMs(Clock::now()));
  EXPECT_FALSE(RevocationsWaited(*admin));
  RegisterReader(path, boot, sqlite_readers::MonotonicMs(Clock::now()));
  EXPECT_TRUE(RevocationsWaited(*admin));
  admin.reset();
  RemoveMirrorTestFiles(path);
}

// Stamps come from a counter, not from the highest row: purging that row must not let the next
// revocation reuse its stamp (the mirror, past it, would never read the new row).
TEST(SqliteMirror, APurgedHighestStampIsNeverReused) {
  TwoProcesses p;
  ASSERT_TRUE(p.admin->Revoke("long", 1000));
  ASSERT_TRUE(p.admin->Revoke("short", 10));  // the highest stamp
  EXPECT_TRUE(p.served->IsRevoked({"short"}).value());
  ASSERT_TRUE(p.admin->Purge(100));
  ASSERT_TRUE(p.admin->Revoke("next", 1000));
  EXPECT_TRUE(p.served->IsRevoked({"next"}).value());
  EXPECT_TRUE(p.served->IsRevoked({"long"}).value());
  // Extending a row's expiry stamps it again, so a mirror that pruned it at the old expiry
  // would read it back.
  ASSERT_TRUE(p.admin->Revoke("long", 5000));
  ASSERT_TRUE(p.served->Purge(2000));
  EXPECT_TRUE(p.served->IsRevoked({"long"}).value());
}

// A store written before the stamps: its rows (stamp 0) are read by the mirror's first poll,
// and rows revoked afterwards by any connection are seen too.
TEST(SqliteMirror, AStoreFromBeforeTheStampsIsMirroredWhole) {
  auto path = MirrorTestPath();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE revoked(id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);"
                         "INSERT INTO revoked VALUES('before', 1000);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  {
    auto served = SqliteStore::Open(path.string(), RevocationReads::kMirror).value();
    auto admin = SqliteStore::Open(path.string()).value();
    ASSERT_TRUE(admin->Revoke("after", 1000));  // by then the mirror has polled
    EXPECT_TRUE(served->IsRevoked({"before"}).value());
    EXPECT_TRUE(served->IsRevoked({"after"}).value());
    EXPECT_FALSE(served->IsRevoked({"never"}).value());
  }
  RemoveMirrorTestFiles(path);
}

}  // namespace
}  // namespace steer::auth
