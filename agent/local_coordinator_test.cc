#include "local_coordinator.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace steer::agent {
namespace {

class LocalCoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-coord-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store_ = std::move(*StateStore::Open(dir_));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(LocalCoordinatorTest, AlwaysLeaderWithTokenBumpedAtEachStart) {
  auto first = LocalCoordinator::Start(*store_, "local");
  ASSERT_TRUE(first);
  Leadership l1 = (*first)->CurrentLeadership();
  EXPECT_TRUE(l1.is_leader);
  EXPECT_EQ(l1.leader, "local");
  EXPECT_TRUE((*first)->CheckFence(l1.fencing_token));

  auto second = LocalCoordinator::Start(*store_, "local");
  ASSERT_TRUE(second);
  Leadership l2 = (*second)->CurrentLeadership();
  EXPECT_GT(l2.fencing_token, l1.fencing_token);
  // The older instance is fenced off the moment the newer one starts.
  auto stale = (*first)->CheckFence(l1.fencing_token);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE((*second)->CheckFence(l2.fencing_token));
  EXPECT_FALSE((*second)->CheckFence(l1.fencing_token));
}

TEST_F(LocalCoordinatorTest, TokenPersistsAcrossStoreReopen) {
  int64_t before = (*LocalCoordinator::Start(*store_, "v"))->CurrentLeadership().fencing_token;
  store_ = std::move(*StateStore::Open(dir_));
  int64_t after = (*LocalCoordinator::Start(*store_, "v"))->CurrentLeadership().fencing_token;
  EXPECT_EQ(after, before + 1);
}

TEST_F(LocalCoordinatorTest, ObservationsKeepLatestPerRegion) {
  auto c = std::move(*LocalCoordinator::Start(*store_, "local"));
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(100));
  ASSERT_TRUE(c->Publish({{"local", "a", true, t, ""}, {"local", "b", true, t, ""}}));
  ASSERT_TRUE(c->Publish({{"local", "a", false, t + std::chrono::seconds(1), "refused"}}));
  auto obs = c->ReadObservations();
  ASSERT_TRUE(obs);
  ASSERT_EQ(obs->size(), 2u);
  EXPECT_EQ((*obs)[0].region, "a");
  EXPECT_FALSE((*obs)[0].healthy);
  EXPECT_EQ((*obs)[0].detail, "refused");
  EXPECT_TRUE((*obs)[1].healthy);
}

TEST_F(LocalCoordinatorTest, RefusesForeignVantage) {
  auto c = std::move(*LocalCoordinator::Start(*store_, "local"));
  auto r = c->Publish({{"elsewhere", "a", true, {}, ""}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LocalCoordinatorTest, DesiredStateIsFenced) {
  auto old = std::move(*LocalCoordinator::Start(*store_, "local"));
  int64_t old_token = old->CurrentLeadership().fencing_token;
  ASSERT_TRUE(old->PutDesired({"login", "a", {"198.51.100.10"}, old_token}));
  auto fresh = std::move(*LocalCoordinator::Start(*store_, "local"));
  EXPECT_FALSE(old->PutDesired({"login", "b", {"198.51.100.20"}, old_token}));
  ASSERT_TRUE(fresh->PutDesired(
      {"login", "b", {"198.51.100.20"}, fresh->CurrentLeadership().fencing_token}));
  auto d = fresh->ReadDesired();
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].region, "b");
}

}  // namespace
}  // namespace steer::agent
