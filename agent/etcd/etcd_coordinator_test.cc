// EtcdCoordinator against a real etcd on loopback (integration): one leader whose fencing
// token is P/leader's create_revision, CheckFence as an etcd txn, hand-over with a greater
// token, the renew deadline while etcd hangs, and etcd down at start. Real time: 2 s leases.
#include "etcd/etcd_coordinator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "etcd/test_etcd_fixture.h"
#include "steer/testsupport/etcd_server.h"

namespace steer::agent::etcd {
namespace {

using std::chrono::milliseconds;
using testing::Agent;
using testing::kTtl;
using testing::StartAgent;
using testsupport::EtcdServer;
using testsupport::WaitUntil;

// The one agent that leads while every other follows it (none frozen); nullptr until then.
Agent* OneLeader(const std::vector<Agent*>& agents) {
  Agent* leader = nullptr;
  for (Agent* a : agents) {
    if (!a->Leads()) continue;
    if (leader != nullptr) return nullptr;
    leader = a;
  }
  if (leader == nullptr) return nullptr;
  for (Agent* a : agents) {
    Leadership l = a->Now();
    if (l.frozen || l.leader != leader->vantage) return nullptr;
  }
  return leader;
}

Agent* WaitForOneLeader(const std::vector<Agent*>& agents, milliseconds timeout) {
  Agent* leader = nullptr;
  WaitUntil([&] { return (leader = OneLeader(agents)) != nullptr; }, timeout);
  return leader;
}

class EtcdCoordinatorTest : public testing::SharedEtcdTest {
 protected:
  std::unique_ptr<Agent> Start(const std::string& vantage, std::chrono::seconds ttl = kTtl) {
    return StartAgent(server_->endpoint(), prefix_, vantage, ttl);
  }
  // P/leader as etcd has it (an empty key when there is none).
  KeyValue LeaderKey() {
    auto range = reader_->Range(keys_.Leader());
    EXPECT_TRUE(range) << range.error().message;
    return range && !range->kvs.empty() ? range->kvs.front() : KeyValue{};
  }
};

TEST_F(EtcdCoordinatorTest, ExactlyOneLeaderWhoseTokenIsTheLeaderKeysCreateRevision) {
  auto a = Start("a");
  auto b = Start("b");
  ASSERT_TRUE(a && b);
  Agent* leader = WaitForOneLeader({a.get(), b.get()}, milliseconds(5000));
  ASSERT_NE(leader, nullptr) << "a: " << a->Now().why << "; b: " << b->Now().why;
  Agent* follower = leader == a.get() ? b.get() : a.get();

  Leadership l = leader->Now();
  EXPECT_FALSE(l.frozen) << l.why;
  EXPECT_EQ(l.leader, leader->vantage);
  Leadership f = follower->Now();
  EXPECT_FALSE(f.is_leader);
  EXPECT_FALSE(f.frozen) << f.why;
  EXPECT_EQ(f.fencing_token, 0);
  EXPECT_EQ(f.leader, leader->vantage);

  KeyValue key = LeaderKey();
  EXPECT_EQ(key.value, leader->vantage);
  EXPECT_EQ(key.lease, leader->coord->lease());
  EXPECT_GT(l.fencing_token, 0);
  EXPECT_EQ(l.fencing_token, key.create_revision);
}

TEST_F(EtcdCoordinatorTest, CheckFencePassesOnlyTheLeadersCurrentToken) {
  auto a = Start("a");
  auto b = Start("b");
  ASSERT_TRUE(a && b);
  Agent* leader = WaitForOneLeader({a.get(), b.get()}, milliseconds(5000));
  ASSERT_NE(leader, nullptr);
  Agent* follower = leader == a.get() ? b.get() : a.get();
  const int64_t token = leader->Now().fencing_token;

  auto ok = leader->coord->CheckFence(token);
  EXPECT_TRUE(ok) << ok.error().message;
  for (int64_t stale : {token - 1, token + 1, int64_t{0}}) {
    auto refused = leader->coord->CheckFence(stale);
    ASSERT_FALSE(refused) << stale;
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  }
  for (int64_t t : {token, int64_t{0}}) {
    auto refused = follower->coord->CheckFence(t);
    ASSERT_FALSE(refused) << t;
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  }
}

// The session thread hangs (its requests are held), so the leader still believes it leads,
// while P/leader was replaced behind its back: CheckFence must ask etcd and refuse.
TEST_F(EtcdCoordinatorTest, CheckFenceAsksEtcdWhileTheLeaderStillBelievesItLeads) {
  auto a = Start("a", std::chrono::seconds(4));  // a 2.7 s renew deadline: room for the test
  ASSERT_TRUE(a);
  ASSERT_TRUE(WaitUntil([&] { return a->Leads(); }, milliseconds(5000))) << a->Now().why;
  const int64_t token = a->Now().fencing_token;

  a->http.Hold();
  ASSERT_TRUE(WaitUntil([&] { return a->http.Waiting() > 0; }, milliseconds(2000)));
  ASSERT_TRUE(reader_->DeleteRange(keys_.Leader()));
  ASSERT_TRUE(reader_->Put(keys_.Leader(), "intruder"));
  ASSERT_TRUE(a->Now().is_leader) << "the renew deadline passed too early for this test";
  ASSERT_EQ(a->Now().fencing_token, token);

  auto refused = a->coord->CheckFence(token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message.find("intruder"), std::string::npos) << refused.error().message;

  a->http.Release();  // the session learns the news and follows
  EXPECT_TRUE(
      WaitUntil([&] { return !a->Leads() && a->Now().leader == "intruder"; }, milliseconds(3000)));
  ASSERT_TRUE(reader_->DeleteRange(keys_.Leader()));
}

TEST_F(EtcdCoordinatorTest, DestroyingTheLeaderHandsOverWithAGreaterToken) {
  auto a = Start("a");
  auto b = Start("b");
  ASSERT_TRUE(a && b);
  Agent* leader = WaitForOneLeader({a.get(), b.get()}, milliseconds(5000));
  ASSERT_NE(leader, nullptr);
  const int64_t old_token = leader->Now().fencing_token;
  std::unique_ptr<Agent>& gone = leader == a.get() ? a : b;
  std::unique_ptr<Agent>& next = leader == a.get() ? b : a;

  gone.reset();  // resigns: deletes P/leader, revokes the lease
  ASSERT_TRUE(WaitUntil([&] { return next->Leads(); }, milliseconds(1500)))
      << "not within a few campaign periods: " << next->Now().why;
  const int64_t new_token = next->Now().fencing_token;
  EXPECT_GT(new_token, old_token);
  EXPECT_EQ(LeaderKey().create_revision, new_token);
  EXPECT_TRUE(next->coord->CheckFence(new_token));
  auto refused = next->coord->CheckFence(old_token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(EtcdCoordinatorTest, ResignHandsOverAndTheOldTokenIsRefused) {
  auto a = Start("a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(WaitUntil([&] { return a->Leads(); }, milliseconds(5000))) << a->Now().why;
  auto b = Start("b");
  ASSERT_TRUE(b);
  ASSERT_EQ(WaitForOneLeader({a.get(), b.get()}, milliseconds(3000)), a.get());
  const int64_t old_token = a->Now().fencing_token;

  a->coord->Resign();
  EXPECT_FALSE(a->Leads());
  ASSERT_TRUE(WaitUntil([&] { return b->Leads(); }, milliseconds(1500)))
      << "b: " << b->Now().why << "; a leads: " << a->Leads();
  EXPECT_GT(b->Now().fencing_token, old_token);
  Leadership resigned = a->Now();
  EXPECT_FALSE(resigned.is_leader);
  EXPECT_TRUE(resigned.frozen);
  EXPECT_EQ(resigned.why, "resigned");
  EXPECT_EQ(a->coord->lease(), 0) << "a resigned agent holds no lease";
  auto refused = a->coord->CheckFence(old_token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  auto txn = reader_->Txn(
      {{keys_.Leader(), Compare::Target::kCreate, Compare::Result::kEqual, old_token, ""}}, {}, {});
  ASSERT_TRUE(txn) << txn.error().message;
  EXPECT_FALSE(txn->succeeded);
}

}  // namespace
}  // namespace steer::agent::etcd
