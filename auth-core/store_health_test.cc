#include "steer/auth/store_health.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <stdexcept>
#include <thread>

namespace steer::auth {
namespace {

using std::chrono::milliseconds;

// A ping that blocks until released, as one to a database in the middle of a failover does.
class BlockingPing {
 public:
  StoreHealth::Ping Fn() {
    return [this]() -> Result<void> {
      ++calls;
      if (!block) return answer;
      entered_.set_value();
      release_.get_future().wait();
      return answer;
    };
  }
  // Runs `during` while another thread's Check() waits in this ping, then lets that Check
  // finish; it must answer `ok`. Once per BlockingPing.
  void WhileInFlight(StoreHealth& health, bool ok, const std::function<void()>& during) {
    block = true;
    std::thread waiting([&] { EXPECT_EQ(health.Check().ok, ok); });
    entered_.get_future().wait();
    during();
    release_.set_value();
    waiting.join();
    block = false;
  }

  Result<void> answer{};
  bool block = false;
  std::atomic<int> calls = 0;

 private:
  std::promise<void> entered_, release_;
};

TEST(StoreHealthTest, ReportsEachCompletedPing) {
  base::FakeClock clock;
  BlockingPing ping;
  StoreHealth health(ping.Fn(), clock, milliseconds(1000));
  EXPECT_TRUE(health.Check().ok);
  ping.answer = MakeError(ErrorCode::kUnavailable, "postgres: cannot connect");
  auto down = health.Check();
  EXPECT_FALSE(down.ok);
  EXPECT_EQ(down.detail, "postgres: cannot connect");
  EXPECT_EQ(ping.calls, 2);
}

TEST(StoreHealthTest, CallersDuringAPingAnswerFromTheLastOneWithoutPinging) {
  base::FakeClock clock;
  BlockingPing ping;
  StoreHealth health(ping.Fn(), clock, milliseconds(1000));
  ASSERT_TRUE(health.Check().ok);
  ping.answer = MakeError(ErrorCode::kUnavailable, "postgres: cannot connect");
  ping.WhileInFlight(health, false, [&] {
    clock.Advance(milliseconds(1000));  // not longer than `slow`
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(health.Check().ok);
    EXPECT_EQ(ping.calls, 2);  // no pile-up: only the one in flight
  });
  EXPECT_FALSE(health.Check().ok);
}

TEST(StoreHealthTest, APingInFlightLongerThanSlowMeansUnreachable) {
  base::FakeClock clock;
  BlockingPing ping;
  StoreHealth health(ping.Fn(), clock, milliseconds(1000));
  ASSERT_TRUE(health.Check().ok);
  ping.WhileInFlight(health, true, [&] {
    clock.Advance(milliseconds(1001));
    auto status = health.Check();
    EXPECT_FALSE(status.ok);
    EXPECT_EQ(status.detail, "a ping has waited 1001 ms");
  });
  EXPECT_EQ(ping.calls, 2);
}

TEST(StoreHealthTest, NotReadyUntilTheFirstPingCompletes) {
  base::FakeClock clock;
  BlockingPing ping;
  StoreHealth health(ping.Fn(), clock, milliseconds(1000));
  ping.WhileInFlight(health, true, [&] {
    auto status = health.Check();
    EXPECT_FALSE(status.ok);
    EXPECT_EQ(status.detail, "the first ping has not completed");
  });
  EXPECT_TRUE(health.Check().ok);
}

TEST(StoreHealthTest, APingThatThrowsLeavesNoPingInFlight) {
  base::FakeClock clock;
  int calls = 0;
  StoreHealth health(
      [&]() -> Result<void> {
        if (++calls == 1) throw std::runtime_error("bug");
        return {};
      },
      clock, milliseconds(1000));
  EXPECT_THROW(health.Check(), std::runtime_error);
  clock.Advance(milliseconds(5000));
  EXPECT_TRUE(health.Check().ok);  // pinged again, not "a ping has waited 5000 ms"
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace steer::auth
