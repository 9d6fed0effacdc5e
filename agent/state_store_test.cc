#include "state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace steer::agent {
namespace {

using std::chrono::seconds;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-state-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<StateStore> OpenStore() {
    auto s = StateStore::Open(dir_);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }

  std::string dir_;
  WallTime t0_ = WallTime(seconds(1'700'000'000));
};

TEST_F(StateStoreTest, AnswersSurviveReopen) {
  {
    auto s = OpenStore();
    ASSERT_TRUE(s->SetAnswers({"login", "b", {"198.51.100.20", "198.51.100.10"}, t0_}));
  }
  auto s = OpenStore();
  auto got = s->GetAnswers("login");
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->region, "b");
  EXPECT_EQ((*got)->answers, (std::vector<std::string>{"198.51.100.10", "198.51.100.20"}));
  EXPECT_EQ((*got)->since, t0_);
  EXPECT_FALSE(s->GetAnswers("other")->has_value());
  EXPECT_EQ(s->AllAnswers()->size(), 1u);
}

TEST_F(StateStoreTest, DatabaseIsInWalModeWithFullSync) {
  auto s = OpenStore();
  ASSERT_TRUE(s->PutBlob("engine/login", "{}"));
  // The write-ahead log exists only while a WAL-mode database is open.
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/state.db-wal"));
}

// Another process (or a stuck writer) holds the database's write lock: reads, which the API
// and the status page make, still answer at once instead of after the 5 s busy timeout.
TEST_F(StateStoreTest, ReadsAnswerWhileAnotherConnectionHoldsTheWriteLock) {
  auto s = OpenStore();
  ASSERT_TRUE(s->PutOverride({OverrideKind::kPause, "login", "", "alice", "deploy", t0_, {}, {}}));
  ASSERT_TRUE(s->SetAnswers({"login", "a", {"192.0.2.1"}, t0_}));
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/state.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto start = std::chrono::steady_clock::now();
  auto active = s->ActiveOverrides(t0_);
  auto answers = s->GetAnswers("login");
  auto history = s->History({});
  auto took = std::chrono::steady_clock::now() - start;
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ASSERT_TRUE(active) << active.error().message;
  EXPECT_EQ(active->size(), 1u);
  ASSERT_TRUE(answers && *answers);
  EXPECT_TRUE(history);
  EXPECT_LT(took, seconds(2));  // a read stuck behind the lock would take the full 5 s
}

TEST_F(StateStoreTest, OverridesReplaceAndExpire) {
  auto s = OpenStore();
  ASSERT_TRUE(s->PutOverride({OverrideKind::kPause, "login", "", "alice", "deploy", t0_, {}, {}}));
  ASSERT_TRUE(s->PutOverride({OverrideKind::kPause, "login", "", "bob", "again", t0_, {}, {}}));
  ASSERT_TRUE(s->PutOverride(
      {OverrideKind::kDrain, "eu", "", "carol", "maint", t0_, t0_ + seconds(60), {}}));
  auto active = s->ActiveOverrides(t0_ + seconds(30));
  ASSERT_TRUE(active);
  ASSERT_EQ(active->size(), 2u);
  EXPECT_EQ((*active)[0].who == "bob" || (*active)[1].who == "bob", true);
  active = s->ActiveOverrides(t0_ + seconds(60));
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].kind, OverrideKind::kPause);
  EXPECT_TRUE(*s->RemoveOverride(OverrideKind::kPause, "login"));
  EXPECT_FALSE(*s->RemoveOverride(OverrideKind::kPause, "login"));
  EXPECT_TRUE(s->ActiveOverrides(t0_ + seconds(60))->empty());
  // Reading does not delete: the drain is still active as of its own window.
  EXPECT_EQ(s->ActiveOverrides(t0_)->size(), 1u);
}

TEST_F(StateStoreTest, OverrideWithExpirySurvivesReopen) {
  {
    auto s = OpenStore();
    ASSERT_TRUE(s->PutOverride({OverrideKind::kForce,
                                "login",
                                "b",
                                "alice",
                                "dr test",
                                t0_,
                                t0_ + seconds(10),
                                {"max_changes_per_hour"}}));
  }
  auto active = OpenStore()->ActiveOverrides(t0_);
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].value, "b");
  EXPECT_EQ((*active)[0].why, "dr test");
  EXPECT_EQ((*active)[0].rules, std::vector<std::string>{"max_changes_per_hour"});
  ASSERT_TRUE((*active)[0].expires.has_value());
  EXPECT_EQ(*(*active)[0].expires, t0_ + seconds(10));
}

TEST_F(StateStoreTest, BlobsSurviveReopen) {
  {
    auto s = OpenStore();
    EXPECT_FALSE(s->GetBlob("engine/login")->has_value());
    ASSERT_TRUE(s->PutBlob("engine/login", "{\"region\":\"a\"}"));
    ASSERT_TRUE(s->PutBlob("engine/login", "{\"region\":\"b\"}"));
  }
  EXPECT_EQ(**OpenStore()->GetBlob("engine/login"), "{\"region\":\"b\"}");
}

TEST_F(StateStoreTest, CountersAreMonotonicAcrossReopen) {
  {
    auto s = OpenStore();
    EXPECT_EQ(*s->GetCounter("fence"), 0);
    EXPECT_EQ(*s->BumpCounter("fence"), 1);
    EXPECT_EQ(*s->BumpCounter("fence"), 2);
  }
  auto s = OpenStore();
  EXPECT_EQ(*s->GetCounter("fence"), 2);
  EXPECT_EQ(*s->BumpCounter("fence"), 3);
}

TEST_F(StateStoreTest, AuditIsAppendOnlyAndPaged) {
  {
    auto s = OpenStore();
    for (int i = 0; i < 5; ++i) {
      auto id = s->Append({0, t0_ + seconds(i), AuditKind::kOperation, "operator",
                           i % 2 ? "login" : "api", "pause " + std::to_string(i), "why", true});
      ASSERT_TRUE(id);
      EXPECT_EQ(*id, i + 1);
    }
  }
  auto s = OpenStore();
  auto all = s->History({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].what, "pause 4");
  EXPECT_EQ((*all)[0].kind, AuditKind::kOperation);
  auto login = s->History({"login", 0, 100});
  EXPECT_EQ(login->size(), 2u);
  auto page = s->History({"", 3, 1});
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, 2);
}

// A process that dies without closing the database (kill -9) loses nothing it was told was
// written: the child exits abruptly, never running a destructor or checkpoint.
TEST_F(StateStoreTest, AcknowledgedWritesSurviveAbruptExit) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = StateStore::Open(dir_);
    if (!s) _exit(1);
    bool ok = (*s)->SetAnswers({"login", "b", {"198.51.100.20"}, t0_}).has_value() &&
              (*s)->Append({0, t0_, AuditKind::kDnsChange, "steerd", "login", "a->b", "", true})
                  .has_value();
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto s = OpenStore();
  EXPECT_EQ((*s->GetAnswers("login"))->region, "b");
  EXPECT_EQ(s->History({})->size(), 1u);
}

TEST_F(StateStoreTest, OpenFailsForMissingDirectory) {
  auto s = StateStore::Open(dir_ + "/does/not/exist");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace steer::agent
