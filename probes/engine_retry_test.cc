// probe.retries on real sockets: a fast failure is re-tried within its slot, a timeout is not,
// and a re-try that would run into the next slot is not started.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/probes/engine.h"
#include "testing/probe_test_util.h"

namespace steer::probes {
namespace {

using std::chrono::milliseconds;

// Odd connections get a 503, even ones a 200: every first attempt of a probe fails.
testing::ConnectionHandler Alternate(std::atomic<int>& n, int delay_ms = 0) {
  return [&n, delay_ms](int fd, const std::atomic<bool>& stopping) {
    bool fail = n.fetch_add(1) % 2 == 0;
    std::this_thread::sleep_for(milliseconds(delay_ms));
    testing::RespondWith(testing::HttpResponseText(fail ? 503 : 200, "x"))(fd, stopping);
  };
}

std::vector<Observation> RunProbes(Target t, size_t n, EngineStats* stats) {
  base::SystemClock clock;
  base::FakeRandom random;
  testing::Collector got;
  auto engine = Engine::Create({1, ""}, {t}, got.Sink(), clock, random);
  EXPECT_TRUE(engine.has_value());
  if (!engine) return {};
  (*engine)->Start();
  EXPECT_TRUE(got.WaitFor(n, milliseconds(5000)));
  (*engine)->Stop();
  *stats = (*engine)->Stats();
  std::lock_guard<std::mutex> lock(got.mu);
  return got.seen;
}

class EngineRetryTest : public testing::FdLeakTest {};

TEST_F(EngineRetryTest, FastFailureIsRetriedWithinTheSlot) {
  std::atomic<int> n{0};
  testing::TcpServer server(Alternate(n));
  Target t = testing::HttpTarget("http://" + server.address() + "/", 50);
  t.probe.interval = milliseconds(100);
  t.probe.retries = 1;
  EngineStats stats;
  auto seen = RunProbes(t, 4, &stats);
  for (const auto& o : seen) {
    EXPECT_TRUE(o.ok) << o.message;
    EXPECT_EQ(o.attempts, 2);
  }
  EXPECT_EQ(stats.retried, stats.completed);
  EXPECT_EQ(stats.failed, 0u);
}

TEST_F(EngineRetryTest, WithoutRetriesEveryOtherProbeFails) {
  std::atomic<int> n{0};
  testing::TcpServer server(Alternate(n));
  Target t = testing::HttpTarget("http://" + server.address() + "/", 50);
  t.probe.interval = milliseconds(100);
  EngineStats stats;
  auto seen = RunProbes(t, 4, &stats);
  ASSERT_GE(seen.size(), 4u);
  EXPECT_FALSE(seen[0].ok);
  EXPECT_EQ(seen[0].http_status, 503);
  EXPECT_TRUE(seen[1].ok);
  EXPECT_EQ(stats.retried, 0u);
}

TEST_F(EngineRetryTest, EveryAttemptFailingFailsTheProbe) {
  Target t =
      testing::HttpTarget("http://127.0.0.1:" + std::to_string(testing::ClosedPort()) + "/", 20);
  t.probe.interval = milliseconds(100);
  t.probe.retries = 2;
  EngineStats stats;
  auto seen = RunProbes(t, 2, &stats);
  for (const auto& o : seen) {
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.error, ErrorClass::kConnect);
    EXPECT_EQ(o.attempts, 3);
  }
}

TEST_F(EngineRetryTest, TimeoutIsNotRetried) {
  testing::TcpServer server(testing::NeverAnswer());
  Target t = testing::HttpTarget("http://" + server.address() + "/", 30);
  t.probe.interval = milliseconds(200);
  t.probe.retries = 2;
  EngineStats stats;
  auto seen = RunProbes(t, 2, &stats);
  for (const auto& o : seen) {
    EXPECT_EQ(o.error, ErrorClass::kTimeout);
    EXPECT_EQ(o.attempts, 1);
  }
  EXPECT_EQ(stats.retried, 0u);
}

TEST_F(EngineRetryTest, RetryThatWouldOverlapTheNextSlotIsNotStarted) {
  std::atomic<int> n{0};
  testing::TcpServer server(Alternate(n, 30));  // answers after 30 ms
  Target t = testing::HttpTarget("http://" + server.address() + "/", 80);
  t.probe.interval = milliseconds(100);  // 30 ms + an 80 ms re-try would end past the slot
  t.probe.retries = 1;
  EngineStats stats;
  auto seen = RunProbes(t, 2, &stats);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_FALSE(seen[0].ok);
  EXPECT_EQ(seen[0].attempts, 1);
  EXPECT_EQ(stats.retried, 0u);
}

}  // namespace
}  // namespace steer::probes
