// The engine on real time and real sockets: periodic probes per target, stamping, no overlap
// of probes of one target, fresh connections.
#include "steer/probes/engine.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "testing/probe_test_util.h"

namespace steer::probes {
namespace {

using std::chrono::milliseconds;

class EngineTest : public testing::FdLeakTest {};

TEST_F(EngineTest, ProbesEveryTargetPeriodicallyOnFreshConnections) {
  testing::TcpServer server(testing::RespondWith(testing::HttpResponseText(200, "ok")));
  std::vector<Target> targets;
  for (uint64_t id = 1; id <= 3; ++id) {
    Target t = testing::HttpTarget("http://" + server.address() + "/", 500);
    t.id = id;
    t.probe.interval = milliseconds(100);
    targets.push_back(t);
  }
  base::SystemClock clock;
  base::FakeRandom random;
  testing::Collector got;
  auto engine = Engine::Create({2, "eu-1"}, targets, got.Sink(), clock, random);
  ASSERT_TRUE(engine.has_value()) << engine.error().message;
  (*engine)->Start();
  ASSERT_TRUE(got.WaitFor(9, milliseconds(5000)));
  (*engine)->Stop();
  std::map<uint64_t, int> per_target;
  for (const auto& o : got.seen) {
    EXPECT_TRUE(o.ok) << o.message;
    EXPECT_EQ(o.vantage, "eu-1");
    ++per_target[o.target_id];
  }
  EXPECT_EQ(per_target.size(), 3u);
  EngineStats stats = (*engine)->Stats();
  EXPECT_EQ(stats.completed, got.seen.size());
  EXPECT_EQ(stats.start_lateness.count(), stats.started + stats.skipped_late);
  EXPECT_EQ(static_cast<uint64_t>(server.accepted()), stats.completed);
}

TEST_F(EngineTest, SlowProbeSkipsSlotsInsteadOfOverlapping) {
  testing::TcpServer server(testing::NeverAnswer());
  Target t = testing::HttpTarget("http://" + server.address() + "/", 350);
  t.probe.interval = milliseconds(100);
  base::SystemClock clock;
  base::FakeRandom random;
  testing::Collector got;
  auto engine = Engine::Create({1, ""}, {t}, got.Sink(), clock, random);
  ASSERT_TRUE(engine.has_value());
  (*engine)->Start();
  ASSERT_TRUE(got.WaitFor(2, milliseconds(5000)));
  (*engine)->Stop();
  EngineStats stats = (*engine)->Stats();
  for (const auto& o : got.seen) EXPECT_EQ(o.error, ErrorClass::kTimeout);
  EXPECT_GE(stats.skipped_late, 3u);
  EXPECT_EQ(stats.skipped_full, 0u);  // skipped because its own probe still ran
  EXPECT_EQ(stats.max_in_flight, 1);
  EXPECT_LE(stats.started, stats.completed + 1);  // never two in flight
}

TEST_F(EngineTest, InFlightCapSkipsInsteadOfPilingUp) {
  testing::TcpServer server(testing::NeverAnswer());
  std::vector<Target> targets;
  for (uint64_t id = 1; id <= 4; ++id) {
    Target t = testing::HttpTarget("http://" + server.address() + "/", 300);
    t.id = id;
    t.probe.interval = milliseconds(400);
    targets.push_back(t);
  }
  base::SystemClock clock;
  base::FakeRandom random;
  testing::Collector got;
  EngineOptions options{1, ""};
  options.max_in_flight_per_worker = 1;
  auto engine = Engine::Create(options, targets, got.Sink(), clock, random);
  ASSERT_TRUE(engine.has_value());
  (*engine)->Start();
  ASSERT_TRUE(got.WaitFor(2, milliseconds(5000)));
  (*engine)->Stop();
  EngineStats stats = (*engine)->Stats();
  EXPECT_GE(stats.skipped_late, 2u);  // the other targets found the worker full
  EXPECT_GE(stats.skipped_full, 2u);  // and are told apart from late or still running ones
  EXPECT_LE(stats.skipped_full, stats.skipped_late);
  EXPECT_EQ(stats.max_in_flight, 1);
  EXPECT_LE(stats.started, stats.completed + 1);
}

// A callback that holds the worker's loop for 250 ms (as a starved or stopped process would) while
// a probe of a hung backend is in flight: its time-out is inconclusive, not a failure. The
// same time-out without the stall stands.
TEST_F(EngineTest, TimeoutWhileTheWorkerStalledIsInconclusive) {
  testing::TcpServer hung(testing::NeverAnswer());
  testing::TcpServer fast(testing::RespondWith(testing::HttpResponseText(200, "ok")));
  for (bool stall : {false, true}) {
    // Staggered over the interval: the hung probe starts at 0 and times out at 600 ms; the
    // fast one starts at 500 ms, inside it.
    Target a = testing::HttpTarget("http://" + hung.address() + "/", 600);
    a.id = 1;
    a.probe.interval = milliseconds(1000);
    Target b = testing::HttpTarget("http://" + fast.address() + "/", 600);
    b.id = 2;
    b.probe.interval = milliseconds(1000);
    testing::Collector got;
    auto collect = got.Sink();
    ObservationSink sink = [&, stall](const Observation& o) {
      if (stall && o.target_id == 2) std::this_thread::sleep_for(milliseconds(250));
      collect(o);
    };
    base::SystemClock clock;
    base::FakeRandom random;
    auto engine = Engine::Create({1, ""}, {a, b}, sink, clock, random);
    ASSERT_TRUE(engine.has_value());
    (*engine)->Start();
    ASSERT_TRUE(got.WaitFor(2, milliseconds(5000)));
    (*engine)->Stop();
    const Observation* hung_obs = nullptr;
    for (const auto& o : got.seen) {
      if (o.target_id == 1 && hung_obs == nullptr) hung_obs = &o;
    }
    ASSERT_NE(hung_obs, nullptr);
    EXPECT_EQ(hung_obs->error, ErrorClass::kTimeout) << hung_obs->message;
    EXPECT_EQ(hung_obs->inconclusive, stall) << (stall ? "stalled" : "not stalled");
    EngineStats stats = (*engine)->Stats();
    EXPECT_EQ(stats.inconclusive, stall ? 1u : 0u);
    EXPECT_EQ(stats.failed, stall ? 0u : 1u);
  }
}

TEST_F(EngineTest, CreateNamesTheTargetThatCannotRun) {
  Target t = testing::AddressTarget(config::ProbeType::kTcp, "nope");
  t.region = "eu";
  t.component = "api";
  t.probe.name = "tcp1";
  base::SystemClock clock;
  base::FakeRandom random;
  auto engine = Engine::Create({1, ""}, {t}, nullptr, clock, random);
  ASSERT_FALSE(engine.has_value());
  EXPECT_NE(engine.error().message.find("eu/api/tcp1"), std::string::npos);
}

}  // namespace
}  // namespace steer::probes
