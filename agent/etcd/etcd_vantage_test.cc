// EtcdCoordinator's vantage keys against a real etcd (integration): a duplicate vantage name
// is refused while its holder lives and accepted after it is gone; Publish/ReadReports with
// the reader's receive time; a gone agent's report vanishes with its lease.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "etcd/test_etcd_fixture.h"
#include "etcd/etcd_coordinator.h"
#include "steer/testsupport/etcd_server.h"

namespace steer::agent::etcd {
namespace {

using std::chrono::milliseconds;
using testing::Agent;
using testing::StartAgent;
using testsupport::EtcdServer;
using testsupport::WaitUntil;

int64_t WallMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

VantageReport Report(const std::string& vantage, int ok) {
  return {vantage, "eu", {{"eu", "app", "healthz", policies::Health::kHealthy, ok, 0, 10, ""}}};
}

// Publishes the agent's report every 300 ms until destroyed, like the daemon's heartbeat.
class Heartbeat {
 public:
  explicit Heartbeat(Agent& agent)
      : thread_([this, &agent] {
          for (int i = 1; !stop_; ++i) {
            if (!agent.coord->Publish(Report(agent.vantage, i))) ++failures;
            std::this_thread::sleep_for(milliseconds(300));
          }
        }) {}
  ~Heartbeat() {
    stop_ = true;
    thread_.join();
  }
  std::atomic<int> failures{0};

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class EtcdVantageTest : public testing::SharedEtcdTest {
 protected:
  std::unique_ptr<Agent> Start(const std::string& vantage) {
    return StartAgent(server_->endpoint(), prefix_, vantage);
  }
  size_t KeysAt(const std::string& key) {
    auto range = reader_->Range(key);
    EXPECT_TRUE(range) << range.error().message;
    return range ? range->kvs.size() : 0;
  }
};

TEST_F(EtcdVantageTest, DuplicateVantageIsRefusedWhileTheHolderLivesAndAcceptedAfter) {
  auto first = Start("eu-west");
  ASSERT_TRUE(first);
  const int64_t held_by = first->coord->lease();
  {
    Heartbeat heartbeat(*first);
    Agent duplicate(server_->endpoint());
    auto refused = duplicate.Start(prefix_, "eu-west");
    ASSERT_FALSE(refused) << "a second live agent named eu-west was accepted";
    EXPECT_EQ(refused.error().code, ErrorCode::kAlreadyExists);
    EXPECT_NE(refused.error().message.find("'eu-west'"), std::string::npos)
        << refused.error().message;
    EXPECT_EQ(heartbeat.failures, 0) << "the duplicate disturbed the holder";
    auto key = reader_->Range(keys_.Vantage("eu-west"));
    ASSERT_TRUE(key && key->kvs.size() == 1);
    EXPECT_EQ(key->kvs[0].lease, held_by);
  }
  first.reset();  // revokes its lease: the key goes with it
  EXPECT_EQ(KeysAt(keys_.Vantage("eu-west")), 0u);
  auto again = Start("eu-west");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->coord->Publish(Report("eu-west", 1)));
  EXPECT_TRUE(WaitUntil([&] { return again->Leads(); }, milliseconds(3000))) << again->Now().why;
}

TEST_F(EtcdVantageTest, ReadReportsListsOthersWithTheReadersReceiveTime) {
  auto a = Start("a");
  auto b = Start("b");
  ASSERT_TRUE(a && b);
  const int64_t before = WallMs();
  ASSERT_TRUE(a->coord->Publish(Report("a", 1)));
  auto read = b->coord->ReadReports();
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->size(), 1u) << "b lists a's report, not its own";
  EXPECT_EQ((*read)[0].vantage, "a");
  EXPECT_EQ((*read)[0].targets, Report("a", 1).targets);
  const int64_t received = (*read)[0].received_ms;
  EXPECT_GE(received, before);
  EXPECT_LE(received, WallMs());

  ASSERT_TRUE(WaitUntil([&] { return WallMs() > received + 5; }, milliseconds(1000)));
  read = b->coord->ReadReports();
  ASSERT_TRUE(read && read->size() == 1u);
  EXPECT_EQ((*read)[0].received_ms, received) << "same version, same receive time";

  ASSERT_TRUE(a->coord->Publish(Report("a", 2)));
  read = b->coord->ReadReports();
  ASSERT_TRUE(read && read->size() == 1u);
  EXPECT_GT((*read)[0].received_ms, received) << "a new version is received anew";
  EXPECT_EQ((*read)[0].targets[0].consecutive_ok, 2);

  auto mine = a->coord->ReadReports();
  ASSERT_TRUE(mine && mine->size() == 1u);
  EXPECT_EQ((*mine)[0].vantage, "b");

  a.reset();
  EXPECT_EQ(KeysAt(keys_.Vantage("a")), 0u);
  read = b->coord->ReadReports();
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->empty());
}

}  // namespace
}  // namespace steer::agent::etcd
