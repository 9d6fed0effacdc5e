#include "steer/base/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "steer/testsupport/process.h"

namespace steer::base {
namespace {

using testsupport::TempDir;

// A writers' connection as steer-authd's store has one: WAL mode, automatic checkpoints off.
class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("w.db");
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db_,
                           "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                           "CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    ASSERT_TRUE(DisableAutoCheckpoint(db_));
  }
  void TearDown() override { sqlite3_close(db_); }
  // `n` transactions, each rewriting one row of about a page.
  void Write(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(sqlite3_exec(db_, "INSERT OR REPLACE INTO t VALUES(1, zeroblob(3000))", nullptr,
                             nullptr, nullptr),
                SQLITE_OK);
    }
  }
  uintmax_t WalBytes() const { return std::filesystem::file_size(path_ + "-wal"); }

  TempDir dir_{"steer-wal"};
  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex writers_;
};

TEST_F(WalCheckpointerTest, WithoutCheckpointsTheLogGrowsWithEveryWrite) {
  Write(200);
  auto first = WalBytes();
  Write(200);
  EXPECT_GT(WalBytes(), first + first / 2);
}

TEST_F(WalCheckpointerTest, ARoundCopiesEveryFrameAndTheNextWritesStartTheLogOver) {
  auto c = WalCheckpointer::Open(path_, writers_, "base");
  ASSERT_TRUE(c) << c.error().message;
  Write(200);
  auto grown = WalBytes();
  auto round = (*c)->RunOnce();
  ASSERT_TRUE(round) << round.error().message;
  EXPECT_GT(round->log_frames, 200);
  EXPECT_EQ(round->copied_frames, round->log_frames);
  Write(200);
  EXPECT_EQ(WalBytes(), grown);  // overwritten from the start, not appended
}

TEST_F(WalCheckpointerTest, ARoundAfterNoWritesFindsEverythingCopied) {
  auto c = WalCheckpointer::Open(path_, writers_, "base");
  ASSERT_TRUE(c);
  ASSERT_TRUE((*c)->RunOnce());
  auto again = (*c)->RunOnce();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->copied_frames, again->log_frames);
}

TEST_F(WalCheckpointerTest, AMissingDatabaseIsAClearError) {
  auto c = WalCheckpointer::Open(dir_.File("none/w.db"), writers_, "base");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("to checkpoint its log"), std::string::npos);
}

TEST_F(WalCheckpointerTest, ADatabaseWithoutALogIsAClearError) {
  sqlite3* plain = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("plain.db").c_str(), &plain), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(plain, "CREATE TABLE t(k)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(plain);
  auto c = WalCheckpointer::Open(dir_.File("plain.db"), writers_, "base");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("journal mode delete, not wal"), std::string::npos)
      << c.error().message;
}

TEST_F(WalCheckpointerTest, StopIsIdempotentAndStartAfterStopDoesNothing) {
  auto c = WalCheckpointer::Open(path_, writers_, "base");
  ASSERT_TRUE(c);
  (*c)->Start();
  (*c)->Stop();
  (*c)->Stop();
  (*c)->Start();  // stays stopped: the destructor joins nothing
}

}  // namespace
}  // namespace steer::base
