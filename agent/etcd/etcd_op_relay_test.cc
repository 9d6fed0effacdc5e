// EtcdOpRelay against a real etcd (integration): a follower's request reaches the leader
// intact and the leader's answer comes back; a stale fencing token answers nothing; a request
// nobody answers is withdrawn at the deadline; a follower's request goes with its lease.
#include "etcd/etcd_op_relay.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>

#include "etcd/test_etcd_fixture.h"
#include "steer/testsupport/etcd_server.h"

namespace steer::agent::etcd {
namespace {

using std::chrono::milliseconds;
using testing::Agent;
using testing::StartAgent;
using testsupport::EtcdServer;
using testsupport::WaitUntil;
using Status = api::OperationOutcome::Status;

api::OperationRequest Failover() {
  api::OperationRequest r;
  r.op = api::Op::kFailover;
  r.who = "alice";
  r.service = "login";
  r.region = "eu-west";
  r.to = "us-east";
  r.force = true;
  r.overrides = {"at_least_one_serving"};
  r.why = "eu is burning";
  r.duration = milliseconds(60000);
  return r;
}

api::OperationOutcome Refused() {
  api::OperationOutcome o;
  o.status = Status::kRefused;
  o.message = "too many changes";
  o.refused_by = "max_changes_per_hour";
  o.detail = {{"applied_by", "leader"}};
  return o;
}

class EtcdOpRelayTest : public testing::SharedEtcdTest {
 protected:
  // An agent that leads (the first started), or follows.
  std::unique_ptr<Agent> Start(const std::string& vantage, bool leads) {
    auto agent = StartAgent(server_->endpoint(), prefix_, vantage);
    if (agent && leads) {
      EXPECT_TRUE(WaitUntil([&] { return agent->Leads(); }, milliseconds(5000)));
    }
    return agent;
  }
  std::unique_ptr<EtcdOpRelay> Relay(Agent& agent) {
    return std::make_unique<EtcdOpRelay>(*agent.client, *agent.coord, testing::Clock(),
                                         agent.random, prefix_, agent.vantage);
  }
  std::vector<OpRelay::Pending> WaitForRequests(OpRelay& relay) {
    std::vector<OpRelay::Pending> pending;
    WaitUntil(
        [&] {
          auto waiting = relay.Waiting();
          EXPECT_TRUE(waiting) << waiting.error().message;
          if (waiting) pending = std::move(*waiting);
          return !pending.empty();
        },
        milliseconds(5000));
    return pending;
  }
  std::vector<KeyValue> KeysUnder(const std::string& prefix) {
    auto range = reader_->Range(prefix, PrefixEnd(prefix));
    EXPECT_TRUE(range) << range.error().message;
    return range ? range->kvs : std::vector<KeyValue>{};
  }
};

TEST_F(EtcdOpRelayTest, TheLeaderSeesTheRequestIntactAndItsAnswerComesBack) {
  auto leader = Start("leader", true);
  auto follower = Start("follower", false);
  ASSERT_TRUE(leader && follower);
  auto l = Relay(*leader);
  auto f = Relay(*follower);
  auto forwarded =
      std::async(std::launch::async, [&] { return f->Forward(Failover(), milliseconds(10000)); });

  const auto pending = WaitForRequests(*l);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].from, "follower");
  const api::OperationRequest& r = pending[0].request;
  const api::OperationRequest want = Failover();
  EXPECT_EQ(r.op, want.op);
  EXPECT_EQ(r.who, want.who);
  EXPECT_EQ(r.service, want.service);
  EXPECT_EQ(r.region, want.region);
  EXPECT_EQ(r.to, want.to);
  EXPECT_EQ(r.force, want.force);
  EXPECT_EQ(r.overrides, want.overrides);
  EXPECT_EQ(r.why, want.why);
  EXPECT_EQ(r.duration, want.duration);
  auto held = KeysUnder(keys_.Ops());
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].key, keys_.Op(pending[0].id));
  EXPECT_EQ(held[0].lease, follower->coord->lease()) << "on the follower's lease";

  ASSERT_TRUE(l->Complete(pending[0].id, Refused(), leader->Now().fencing_token));
  auto outcome = forwarded.get();
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->status, Status::kRefused);
  EXPECT_EQ(outcome->message, Refused().message);
  EXPECT_EQ(outcome->refused_by, Refused().refused_by);
  EXPECT_EQ(outcome->detail, Refused().detail);
  EXPECT_TRUE(KeysUnder(keys_.Ops()).empty()) << "the request is taken off the queue";
  EXPECT_TRUE(KeysUnder(keys_.OpsDone()).empty()) << "the answer is deleted once read";
}

TEST_F(EtcdOpRelayTest, AStaleTokenAnswersNothing) {
  auto leader = Start("leader", true);
  auto follower = Start("follower", false);
  ASSERT_TRUE(leader && follower);
  auto l = Relay(*leader);
  auto f = Relay(*follower);
  const int64_t token = leader->Now().fencing_token;
  auto forwarded =
      std::async(std::launch::async, [&] { return f->Forward(Failover(), milliseconds(15000)); });
  const auto pending = WaitForRequests(*l);
  ASSERT_EQ(pending.size(), 1u);
  const std::string id = pending[0].id;

  auto stale = l->Complete(id, Refused(), token + 1);
  ASSERT_FALSE(stale) << "a token that is not the leader's answered";
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);

  leader->coord->Resign();  // a leader change: the follower takes over
  ASSERT_TRUE(WaitUntil([&] { return follower->Leads(); }, milliseconds(8000)));
  stale = l->Complete(id, Refused(), token);
  ASSERT_FALSE(stale) << "the former leader answered with its old token";
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(KeysUnder(keys_.OpsDone()).empty());

  auto still = f->Waiting();
  ASSERT_TRUE(still) << still.error().message;
  ASSERT_EQ(still->size(), 1u) << "the request stays waiting";
  EXPECT_EQ((*still)[0].id, id);
  api::OperationOutcome ok;
  ok.message = "failed over";
  ASSERT_TRUE(f->Complete(id, ok, follower->Now().fencing_token));
  auto outcome = forwarded.get();
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->status, Status::kOk);
  EXPECT_EQ(outcome->message, "failed over");
}

TEST_F(EtcdOpRelayTest, ARequestNobodyAnswersIsWithdrawnAtTheDeadline) {
  auto leader = Start("leader", true);
  auto follower = Start("follower", false);
  ASSERT_TRUE(leader && follower);
  auto f = Relay(*follower);
  const auto start = std::chrono::steady_clock::now();
  auto outcome = f->Forward(Failover(), milliseconds(700));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_GE(took, milliseconds(700));
  EXPECT_LT(took, milliseconds(700 + 1500));
  EXPECT_TRUE(KeysUnder(keys_.Ops()).empty()) << "the request was left behind";
  auto waiting = Relay(*leader)->Waiting();
  ASSERT_TRUE(waiting);
  EXPECT_TRUE(waiting->empty());
}

TEST_F(EtcdOpRelayTest, AWithdrawnRequestIsNotAnswered) {
  auto leader = Start("leader", true);
  auto follower = Start("follower", false);
  ASSERT_TRUE(leader && follower);
  auto l = Relay(*leader);
  auto f = Relay(*follower);
  auto forwarded =
      std::async(std::launch::async, [&] { return f->Forward(Failover(), milliseconds(300)); });
  const auto pending = WaitForRequests(*l);
  ASSERT_EQ(pending.size(), 1u);
  ASSERT_FALSE(forwarded.get());  // the follower gave up: the request is withdrawn
  auto late = l->Complete(pending[0].id, Refused(), leader->Now().fencing_token);
  ASSERT_FALSE(late) << "a withdrawn request was answered";
  EXPECT_EQ(late.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(KeysUnder(keys_.OpsDone()).empty()) << "an answer nobody will read was left";
}

TEST_F(EtcdOpRelayTest, AGoneFollowersRequestVanishesWithItsLease) {
  auto leader = Start("leader", true);
  auto follower = Start("follower", false);
  ASSERT_TRUE(leader && follower);
  auto l = Relay(*leader);
  auto f = Relay(*follower);
  auto forwarded =
      std::async(std::launch::async, [&] { return f->Forward(Failover(), milliseconds(3000)); });
  ASSERT_EQ(WaitForRequests(*l).size(), 1u);
  // What the follower's destructor does (it cannot be destroyed while Forward runs on it).
  follower->coord->Resign();
  auto waiting = l->Waiting();
  ASSERT_TRUE(waiting) << waiting.error().message;
  EXPECT_TRUE(waiting->empty()) << "the request outlived its agent's lease";
  EXPECT_TRUE(KeysUnder(keys_.Ops()).empty());
  auto outcome = forwarded.get();
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace steer::agent::etcd
