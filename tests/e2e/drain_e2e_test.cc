// Rolling region deploys end to end: steerctl drain/undrain --wait against real steerd and two
// PowerDNS servers; the safety rules' refusals; and a restarted steerd that writes nothing.
#include <nlohmann/json.hpp>

#include "e2e_fixture.h"

namespace steer::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class DrainE2E : public FailoverE2E {
 protected:
  // The zone's SOA serial as PowerDNS has it: grows with every write through the API.
  int64_t Serial() {
    std::string body;
    EXPECT_EQ(primary_->Api("GET", "/api/v1/servers/localhost/zones/demo.test.", "", &body), 200);
    return nlohmann::json::parse(body, nullptr, false).value("serial", int64_t{-1});
  }
  // Waits until steerd's status shows region `name` unhealthy.
  bool Unhealthy(const std::string& name) {
    return testsupport::WaitUntil(
        [&] {
          return Api("/api/v1/status").find("\"healthy\":false,\"name\":\"" + name + "\"") !=
                 std::string::npos;
        },
        seconds(5));
  }
  int DecisionWebhooks() {
    int n = 0;
    for (const auto& r : hook_->requests()) {
      n += r.body.find("\"event\":\"decision\"") != std::string::npos ? 1 : 0;
    }
    return n;
  }
};

TEST_F(DrainE2E, DrainWaitReturnsAfterEveryServerAndTheTtlUndrainWaitWhenBack) {
  PolicyKnobs knobs;
  knobs.ttl = 2;
  WritePolicy(knobs);
  StartSteerd();
  ASSERT_TRUE(BothAnswer(kA, seconds(5)));
  std::string out;
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Steerctl({"drain", "a", "--wait", "--timeout", "20s", "--why", "deploy"}, &out), 0)
      << out;
  EXPECT_GE(std::chrono::steady_clock::now() - start, seconds(2));  // the TTL
  EXPECT_EQ(Answer(primary_->dns_port()), kB);
  EXPECT_EQ(Answer(secondary_->dns_port()), kB);
  EXPECT_NE(out.find("login: moved to b (198.51.100.20); every nameserver answers it and the TTL "
                     "(2s) has passed"),
            std::string::npos)
      << out;
  ASSERT_EQ(Steerctl({"undrain", "a", "--wait", "--timeout", "20s"}, &out), 0) << out;
  EXPECT_EQ(Answer(primary_->dns_port()), kA);
  EXPECT_EQ(Answer(secondary_->dns_port()), kA);
  EXPECT_NE(out.find("login: back on a; every nameserver answers 198.51.100.10"), std::string::npos)
      << out;
  std::string history;
  ASSERT_EQ(Steerctl({"history"}, &history), 0);
  EXPECT_NE(history.find("drain a => ok"), std::string::npos) << history;
  EXPECT_NE(history.find("undrain a => ok"), std::string::npos) << history;
}

TEST_F(DrainE2E, DrainOfTheLastHealthyRegionIsRefusedNamingTheOverride) {
  StartSteerd();
  CutRegion(1);
  ASSERT_TRUE(Unhealthy("b")) << Api("/api/v1/status");
  std::string out;
  EXPECT_EQ(Steerctl({"drain", "a", "--wait", "--timeout", "5s"}, &out), 1) << out;
  EXPECT_NE(out.find("draining a leaves login no healthy region\n"
                     "  refused by rule: at_least_one_serving (HTTP 409)\n"
                     "  to drain anyway: steerctl drain a --override at_least_one_serving"),
            std::string::npos)
      << out;
  EXPECT_EQ(Answer(primary_->dns_port()), kA);
  EXPECT_EQ(Api("/api/v1/status").find("\"drained\":true"), std::string::npos);
}

TEST_F(DrainE2E, UndrainWaitOfAnUnhealthyRegionTimesOutSayingWhy) {
  StartSteerd();
  ASSERT_EQ(Steerctl({"drain", "a"}), 0);
  ASSERT_TRUE(BothAnswer(kB, seconds(5)));
  CutRegion(0);
  ASSERT_TRUE(Unhealthy("a")) << Api("/api/v1/status");
  std::string out;
  EXPECT_EQ(Steerctl({"undrain", "a", "--wait", "--timeout", "2s"}, &out), 3) << out;
  EXPECT_NE(out.find("steerctl undrain: timed out after 2s; still waiting for a: not healthy: "),
            std::string::npos)
      << out;
  EXPECT_EQ(Answer(primary_->dns_port()), kB);
}

// A restart (SIGTERM, start again) adopts what the provider serves: no write, no announcement.
TEST_F(DrainE2E, RestartedSteerdWritesNothingAndAnnouncesNothing) {
  StartSteerd();
  const int64_t before = Serial();
  std::string out;
  ASSERT_EQ(Steerctl({"switchover", "login", "--to", "b", "--timeout", "10s"}, &out), 0) << out;
  const int64_t moved = Serial();
  ASSERT_GT(moved, before) << "a write through the API must change the serial";
  ASSERT_TRUE(testsupport::WaitUntil([&] { return DecisionWebhooks() > 0; }, seconds(5)));
  const int announced = DecisionWebhooks();
  StopSteerd();
  StartSteerd();
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return Api("/api/v1/services/login").find("\"phase\":\"done\"") != std::string::npos; },
      seconds(10)))
      << Api("/api/v1/services/login");
  std::this_thread::sleep_for(seconds(1));  // decisions at 50 ms ticks: 20 of them
  EXPECT_EQ(Serial(), moved) << "steerd wrote to the provider on restart";
  EXPECT_EQ(DecisionWebhooks(), announced) << "steerd announced a decision on restart";
  EXPECT_EQ(Answer(primary_->dns_port()), kB);
  std::string history;
  ASSERT_EQ(Steerctl({"history", "login"}, &history), 0);
  EXPECT_NE(history.find("adopted b"), std::string::npos) << history;
}

}  // namespace
}  // namespace steer::e2e
