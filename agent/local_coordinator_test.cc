#include "local_coordinator.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "local_shared_state.h"

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

TEST_F(LocalCoordinatorTest, OneVantagePointAndNoOtherReports) {
  auto c = std::move(*LocalCoordinator::Start(*store_, "local"));
  VantageReport own{
      "local", "", {{"a", "app", "healthz", policies::Health::kHealthy, 3, 0, 10, ""}}, 0};
  EXPECT_TRUE(c->Publish(own));
  auto reports = c->ReadReports();
  ASSERT_TRUE(reports);
  EXPECT_TRUE(reports->empty());
  auto foreign = c->Publish({"elsewhere", "", {}, 0});
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LocalCoordinatorTest, SharedStateWritesAreFenced) {
  auto old = std::move(*LocalCoordinator::Start(*store_, "local"));
  LocalSharedState old_state(*store_, *old);
  int64_t old_token = old->CurrentLeadership().fencing_token;
  ASSERT_TRUE(old_state.PutEngineState("login", "{\"region\":\"a\"}", old_token));
  auto fresh = std::move(*LocalCoordinator::Start(*store_, "local"));
  LocalSharedState fresh_state(*store_, *fresh);
  int64_t token = fresh->CurrentLeadership().fencing_token;
  EXPECT_FALSE(old_state.PutEngineState("login", "{\"region\":\"b\"}", old_token));
  Override pause;
  pause.target = "login";
  Override drain;
  drain.kind = OverrideKind::kDrain;
  drain.target = "a";
  EXPECT_FALSE(old_state.PutOverride(pause, old_token));
  ASSERT_TRUE(fresh_state.PutOverride(drain, token));
  EXPECT_FALSE(old_state.RemoveOverride(OverrideKind::kDrain, "a", old_token));
  auto states = fresh_state.EngineStates();
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ(states->at("login"), "{\"region\":\"a\"}");
  auto active = fresh_state.ActiveOverrides(WallTime{});
  ASSERT_TRUE(active);
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ(active->front().target, "a");
  EXPECT_TRUE(*fresh_state.RemoveOverride(OverrideKind::kDrain, "a", token));
}

}  // namespace
}  // namespace steer::agent
