#include "steer/base/sqlite_stmt.h"

#include <gtest/gtest.h>

namespace steer::base {
namespace {

class StmtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db_, "CREATE TABLE t(k INTEGER PRIMARY KEY); INSERT INTO t VALUES(1);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    cache_ = std::make_unique<StmtCache>(db_, ErrorCode::kIo, "test");
  }
  void TearDown() override {
    cache_.reset();
    sqlite3_close(db_);
  }
  int64_t Count() {
    Stmt s(*cache_, "SELECT count(*) FROM t");
    s.Step();
    return s.Int(0);
  }

  sqlite3* db_ = nullptr;
  std::unique_ptr<StmtCache> cache_;
};

// The commit of such a write would happen in the read's reset, where nobody sees it fail.
TEST_F(StmtTest, AWriteWhileAReadHoldsARowIsRefusedAndChangesNothing) {
  Stmt read(*cache_, "SELECT k FROM t");
  ASSERT_EQ(read.Step(), SQLITE_ROW);
  Stmt write(*cache_, "INSERT INTO t VALUES(2)");
  auto r = write.Run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find("write while a read is open"), std::string::npos);
  read.Reset();
  EXPECT_EQ(Count(), 1);
}

TEST_F(StmtTest, AWriteAfterTheReadIsResetOrDoneRuns) {
  Stmt read(*cache_, "SELECT k FROM t");
  ASSERT_EQ(read.Step(), SQLITE_ROW);
  read.Reset();
  ASSERT_TRUE(Stmt(*cache_, "INSERT INTO t VALUES(2)").Run());
  Stmt done(*cache_, "SELECT k FROM t WHERE k = 99");
  ASSERT_EQ(done.Step(), SQLITE_DONE);
  ASSERT_TRUE(Stmt(*cache_, "INSERT INTO t VALUES(3)").Run());
  EXPECT_EQ(Count(), 3);
}

// Inside BEGIN ... COMMIT the commit is the COMMIT statement's, checked by its caller.
TEST_F(StmtTest, InsideAnExplicitTransactionReadsAndWritesMix) {
  ASSERT_TRUE(Stmt(*cache_, "BEGIN").Run());
  {
    Stmt read(*cache_, "SELECT k FROM t");
    ASSERT_EQ(read.Step(), SQLITE_ROW);
    ASSERT_TRUE(Stmt(*cache_, "INSERT INTO t VALUES(2)").Run());
  }
  ASSERT_TRUE(Stmt(*cache_, "COMMIT").Run());
  EXPECT_EQ(Count(), 2);
}

}  // namespace
}  // namespace steer::base
