// EtcdSharedState against a real etcd (integration): writes land with the leader's token and
// are refused with a stale one after a leader change; expired overrides are filtered. Also the
// override JSON (pure).
#include "etcd/etcd_shared_state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etcd/test_etcd_fixture.h"
#include "steer/testsupport/etcd_server.h"

namespace steer::agent::etcd {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Agent;
using testing::StartAgent;
using testsupport::EtcdServer;
using testsupport::WaitUntil;

Override MakeOverride(OverrideKind kind, const std::string& target, std::optional<WallTime> exp) {
  Override o;
  o.kind = kind;
  o.target = target;
  o.value = kind == OverrideKind::kForce ? "eu" : "";
  o.who = "alice";
  o.why = "maintenance";
  o.created = WallTime(milliseconds(1700000000123));
  o.expires = exp;
  if (kind == OverrideKind::kForce) o.rules = {"quorum"};
  return o;
}

TEST(OverrideJsonTest, RoundTripAndGarbage) {
  Override o = MakeOverride(OverrideKind::kForce, "web", WallTime(milliseconds(1700000999000)));
  auto back = OverrideFromJson(OverrideToJson(o));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->kind, o.kind);
  EXPECT_EQ(back->target, "web");
  EXPECT_EQ(back->value, "eu");
  EXPECT_EQ(back->who, "alice");
  EXPECT_EQ(back->why, "maintenance");
  EXPECT_EQ(back->created, o.created);
  EXPECT_EQ(back->expires, o.expires);
  EXPECT_EQ(back->rules, o.rules);
  for (const char* bad : {"", "[]", "nope", R"({"target":1})", R"({"expires_ms":"soon"})",
                          R"({"rules":"quorum"})", R"({"created_ms":[]})"}) {
    auto r = OverrideFromJson(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

class EtcdSharedStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reader_ = testing::MakeClient(server_.endpoint(), http_);
    ASSERT_NE(reader_, nullptr);
    state_ = std::make_unique<EtcdSharedState>(*reader_, "/steer");
  }

  EtcdServer server_;
  testing::GatedHttp http_;
  std::unique_ptr<Client> reader_;
  std::unique_ptr<EtcdSharedState> state_;
};

TEST_F(EtcdSharedStateTest, WritesNeedTheCurrentLeadersToken) {
  auto a = StartAgent(server_.endpoint(), "/steer/", "a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(WaitUntil([&] { return a->Leads(); }, milliseconds(5000))) << a->Now().why;
  const int64_t old_token = a->Now().fencing_token;
  auto put = state_->PutEngineState("web", R"({"by":"a"})", old_token);
  ASSERT_TRUE(put) << put.error().message;
  ASSERT_TRUE(state_->PutOverride(MakeOverride(OverrideKind::kPause, "web", {}), old_token));
  ASSERT_TRUE(state_->PutOverride(MakeOverride(OverrideKind::kDrain, "us", {}), old_token));

  auto b = StartAgent(server_.endpoint(), "/steer/", "b");
  ASSERT_TRUE(b);
  a.reset();
  ASSERT_TRUE(WaitUntil([&] { return b->Leads(); }, milliseconds(3000))) << b->Now().why;
  const int64_t token = b->Now().fencing_token;
  ASSERT_GT(token, old_token);

  auto stale = state_->PutEngineState("web", R"({"by":"stale"})", old_token);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
  auto stale_put = state_->PutOverride(MakeOverride(OverrideKind::kPause, "api", {}), old_token);
  ASSERT_FALSE(stale_put);
  EXPECT_EQ(stale_put.error().code, ErrorCode::kFailedPrecondition);
  auto stale_remove = state_->RemoveOverride(OverrideKind::kPause, "web", old_token);
  ASSERT_FALSE(stale_remove);
  EXPECT_EQ(stale_remove.error().code, ErrorCode::kFailedPrecondition);
  auto states = state_->EngineStates();
  ASSERT_TRUE(states);
  EXPECT_EQ(*states, (std::map<std::string, std::string>{{"web", R"({"by":"a"})"}}));
  auto active = state_->ActiveOverrides(WallTime::clock::now());
  ASSERT_TRUE(active);
  EXPECT_EQ(active->size(), 2u) << "a stale write or remove went through";

  EXPECT_TRUE(state_->PutEngineState("web", R"({"by":"b"})", token));
  EXPECT_EQ(state_->EngineStates()->at("web"), R"({"by":"b"})");
  auto removed = state_->RemoveOverride(OverrideKind::kPause, "web", token);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_TRUE(*removed);
  auto again = state_->RemoveOverride(OverrideKind::kPause, "web", token);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  active = state_->ActiveOverrides(WallTime::clock::now());
  ASSERT_TRUE(active && active->size() == 1u);
  EXPECT_EQ((*active)[0].kind, OverrideKind::kDrain);
}

TEST_F(EtcdSharedStateTest, ActiveOverridesFiltersExpiredOnes) {
  auto a = StartAgent(server_.endpoint(), "/steer/", "a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(WaitUntil([&] { return a->Leads(); }, milliseconds(5000))) << a->Now().why;
  const int64_t token = a->Now().fencing_token;
  const WallTime now = WallTime::clock::now();
  ASSERT_TRUE(
      state_->PutOverride(MakeOverride(OverrideKind::kPause, "old", now - seconds(1)), token));
  ASSERT_TRUE(
      state_->PutOverride(MakeOverride(OverrideKind::kPause, "new", now + hours(1)), token));
  ASSERT_TRUE(state_->PutOverride(MakeOverride(OverrideKind::kDrain, "eu", {}), token));
  ASSERT_TRUE(reader_->Put("/steer/overrides/pause/junk", "not json"));

  auto active = state_->ActiveOverrides(now);
  ASSERT_TRUE(active) << active.error().message;
  std::vector<std::string> targets;
  for (const auto& o : *active) targets.push_back(o.target);
  std::sort(targets.begin(), targets.end());
  EXPECT_EQ(targets, (std::vector<std::string>{"eu", "new"}));
  active = state_->ActiveOverrides(now - seconds(2));  // before "old" expired
  ASSERT_TRUE(active);
  EXPECT_EQ(active->size(), 3u);
  EXPECT_EQ(reader_->Range("/steer/overrides/pause/old")->kvs.size(), 1u)
      << "expired keys stay until overwritten or removed";
}

}  // namespace
}  // namespace steer::agent::etcd

namespace steer::agent::etcd {
namespace {

// The status page's shared keys: records and uptime minutes land with the leader's token only;
// minutes read back in time order after a given start, and a write trims the older ones.
TEST_F(EtcdSharedStateTest, StatusRecordsAndUptimeMinutes) {
  auto a = StartAgent(server_.endpoint(), "/steer/", "a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(WaitUntil([&] { return a->Leads(); }, milliseconds(5000))) << a->Now().why;
  const int64_t token = a->Now().fencing_token;
  auto none = state_->StatusRecords();
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(state_->PutStatusRecords(R"({"incidents":[]})", token));
  auto first = state_->StatusRecords();
  ASSERT_TRUE(first && first->has_value());
  ASSERT_TRUE(state_->PutStatusRecords(R"({"incidents":[1]})", token));
  auto second = state_->StatusRecords();
  ASSERT_TRUE(second && second->has_value());
  EXPECT_EQ((*second)->value, R"({"incidents":[1]})");
  EXPECT_GT((*second)->version, (*first)->version);
  auto stale = state_->PutStatusRecords("{}", token - 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);

  constexpr int64_t kMinute = 60'000, kT0 = 1'769'817'600'000;
  for (int i = 0; i < 5; ++i) {
    // Keep three minutes: the write of minute i deletes the ones before i - 2.
    ASSERT_TRUE(state_->PutUptimeMinute(kT0 + i * kMinute, "m" + std::to_string(i),
                                        kT0 + (i - 2) * kMinute, token));
  }
  EXPECT_FALSE(state_->PutUptimeMinute(kT0 + 9 * kMinute, "x", 0, token - 1));
  auto all = state_->UptimeMinutesAfter(0);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(*all,
            (std::vector<std::pair<int64_t, std::string>>{
                {kT0 + 2 * kMinute, "m2"}, {kT0 + 3 * kMinute, "m3"}, {kT0 + 4 * kMinute, "m4"}}));
  auto after = state_->UptimeMinutesAfter(kT0 + 3 * kMinute);
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, (std::vector<std::pair<int64_t, std::string>>{{kT0 + 4 * kMinute, "m4"}}));
}

}  // namespace
}  // namespace steer::agent::etcd
