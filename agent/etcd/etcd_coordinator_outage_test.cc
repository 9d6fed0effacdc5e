// EtcdCoordinator when etcd goes away (integration, each test with its own etcd): a hung etcd
// (SIGSTOP) takes leadership away locally within the renew deadline and never lets two agents
// lead at once; etcd down at start freezes the agent until it comes up.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "etcd/etcd_coordinator.h"
#include "etcd/test_etcd_fixture.h"
#include "steer/testsupport/etcd_server.h"

namespace steer::agent::etcd {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::Agent;
using testing::kTtl;
using testing::StartAgent;
using testsupport::EtcdServer;
using testsupport::WaitUntil;

constexpr milliseconds kRenewDeadline = std::chrono::duration_cast<milliseconds>(kTtl) * 2 / 3;

// Samples two agents back to back until stopped, counting the moments both claim to lead and
// those where both fences pass too.
class DualLeaderWatch {
 public:
  DualLeaderWatch(Agent& a, Agent& b) : thread_([this, &a, &b] { Run(a, b); }) {}
  ~DualLeaderWatch() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int both_lead = 0;
  int both_fenced = 0;
  int samples = 0;

 private:
  void Run(Agent& a, Agent& b) {
    while (!stop_) {
      Leadership la = a.Now();
      Leadership lb = b.Now();
      ++samples;
      if (la.is_leader && lb.is_leader) {
        ++both_lead;
        if (a.coord->CheckFence(la.fencing_token) && b.coord->CheckFence(lb.fencing_token)) {
          ++both_fenced;
        }
      }
      std::this_thread::sleep_for(milliseconds(2));
    }
  }
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Resumes a paused etcd however the test ends (a stopped etcd ignores SIGTERM).
struct ResumeOnExit {
  ~ResumeOnExit() { server.Resume(); }
  EtcdServer& server;
};

TEST(EtcdCoordinatorOutageTest, HungEtcdEndsLeadershipWithinTheRenewDeadline) {
  EtcdServer server;
  auto a = StartAgent(server.endpoint(), "/steer/", "a");
  auto b = StartAgent(server.endpoint(), "/steer/", "b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(
      WaitUntil([&] { return a->Leads() != b->Leads() && !a->Now().frozen && !b->Now().frozen; },
                milliseconds(5000)));
  Agent& leader = a->Leads() ? *a : *b;
  const int64_t token = leader.Now().fencing_token;
  DualLeaderWatch watch(*a, *b);

  ResumeOnExit resume{server};
  server.Pause();
  const auto paused = steady_clock::now();
  ASSERT_TRUE(WaitUntil([&] { return !leader.Leads(); }, kRenewDeadline + milliseconds(1000)));
  const auto lost_after = std::chrono::duration_cast<milliseconds>(steady_clock::now() - paused);
  EXPECT_LE(lost_after, kRenewDeadline + milliseconds(150));
  Leadership l = leader.Now();
  EXPECT_TRUE(l.frozen);
  EXPECT_NE(l.why.find("etcd"), std::string::npos) << l.why;
  ASSERT_TRUE(WaitUntil([&] { return a->Now().frozen && b->Now().frozen; }, kRenewDeadline));
  // Said so (log, observer) once a hung request gave up.
  EXPECT_TRUE(WaitUntil([&] { return leader.Told("no longer leader"); }, milliseconds(3000)))
      << "the observer was not told that leadership ended";
  EXPECT_FALSE(leader.coord->CheckFence(token));

  // Stay hung past the TTL: the leases may expire in etcd, and the agents race again.
  std::this_thread::sleep_until(paused + kTtl + milliseconds(500));
  server.Resume();
  EXPECT_TRUE(
      WaitUntil([&] { return a->Leads() != b->Leads() && !a->Now().frozen && !b->Now().frozen; },
                milliseconds(8000)))
      << "a: " << a->Now().why << "; b: " << b->Now().why;
  watch.Stop();
  EXPECT_GT(watch.samples, 100);
  EXPECT_EQ(watch.both_lead, 0);
  EXPECT_EQ(watch.both_fenced, 0);
}

TEST(EtcdCoordinatorOutageTest, EtcdDownAtStartFreezesUntilItComesUp) {
  EtcdServer server;
  server.Stop();  // its port stays known: Start() brings it back there
  auto a = StartAgent(server.endpoint(), "/steer/", "a");
  ASSERT_TRUE(a) << "Start() must not need etcd";
  Leadership l = a->Now();
  EXPECT_FALSE(l.is_leader);
  EXPECT_TRUE(l.frozen);
  EXPECT_NE(l.why.find("etcd"), std::string::npos) << l.why;
  EXPECT_FALSE(a->coord->CheckFence(1));
  EXPECT_EQ(a->coord->Publish({"a", "", {}}).error().code, ErrorCode::kUnavailable);

  server.Start();
  EXPECT_TRUE(WaitUntil([&] { return a->Leads() && !a->Now().frozen; }, milliseconds(5000)))
      << a->Now().why;
  EXPECT_TRUE(a->coord->CheckFence(a->Now().fencing_token));
  EXPECT_TRUE(a->coord->Publish({"a", "", {}}));
}

}  // namespace
}  // namespace steer::agent::etcd
