// steerd end to end: real PowerDNS (two authoritative servers), two regions, steerd, steerctl.
#include <signal.h>

#include "e2e_fixture.h"
#include "steer/base/http_client.h"

namespace steer::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_F(FailoverE2E, CutRegionMovesEveryServerAndFailsBackAfterTheWait) {
  StartSteerd();
  ASSERT_TRUE(BothAnswer(kA, seconds(5)));
  CutRegion(0);
  ASSERT_TRUE(BothAnswer(kB, seconds(5))) << Api("/api/v1/services/login");
  RestoreRegion(0);
  // failback: auto after 1s of health (2 successes at 100 ms first).
  ASSERT_TRUE(BothAnswer(kA, seconds(8))) << Api("/api/v1/services/login");
  std::string history;
  ASSERT_EQ(Steerctl({"history", "login"}, &history), 0);
  EXPECT_NE(history.find("failover a -> b"), std::string::npos) << history;
  EXPECT_NE(history.find("failback b -> a"), std::string::npos) << history;
  EXPECT_NE(history.find("dns_change"), std::string::npos) << history;  // filed under login
  bool notified = false, verified = false;
  for (const auto& req : hook_->requests()) {
    if (req.body.find("\"event\":\"decision\"") != std::string::npos &&
        req.body.find("failover a -> b") != std::string::npos) {
      notified = true;
    }
    if (req.body.find("\"event\":\"dns_change\"") != std::string::npos &&
        req.body.find("every nameserver answers b") != std::string::npos) {
      verified = true;
    }
  }
  EXPECT_TRUE(notified) << "no decision webhook for the failover";
  EXPECT_TRUE(verified) << "no dns_change webhook once every nameserver answered b";
}

TEST_F(FailoverE2E, ManualFailbackNeverReturnsOnItsOwn) {
  PolicyKnobs manual;
  manual.failback = "manual";
  WritePolicy(manual);
  StartSteerd();
  CutRegion(0);
  ASSERT_TRUE(BothAnswer(kB, seconds(5)));
  RestoreRegion(0);
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(Answer(primary_->dns_port()), kB);
  EXPECT_EQ(Answer(secondary_->dns_port()), kB);
}

TEST_F(FailoverE2E, PauseFreezesAndResumeActs) {
  StartSteerd();
  ASSERT_EQ(Steerctl({"pause", "login", "--why", "e2e"}), 0);
  CutRegion(0);
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(Answer(primary_->dns_port()), kA);
  ASSERT_EQ(Steerctl({"resume", "login"}), 0);
  EXPECT_TRUE(BothAnswer(kB, seconds(5)));
  bool notified = false;
  for (const auto& req : hook_->requests()) {
    if (req.body.find("\"event\":\"operation\"") != std::string::npos &&
        req.body.find("e2e: pause login") != std::string::npos) {
      notified = true;
    }
  }
  EXPECT_TRUE(notified) << "no operation webhook for the pause";
}

TEST_F(FailoverE2E, SwitchoverAndForcedFailoverThroughSteerctl) {
  StartSteerd();
  std::string out;
  ASSERT_EQ(Steerctl({"switchover", "login", "--to", "b", "--timeout", "10s"}, &out), 0) << out;
  EXPECT_NE(out.find("2/2 nameservers answer 198.51.100.20"), std::string::npos) << out;
  EXPECT_TRUE(BothAnswer(kB, seconds(1)));
  CutRegion(0);
  // a is down: a switchover to it is refused and names the rule...
  std::this_thread::sleep_for(milliseconds(600));
  EXPECT_EQ(Steerctl({"switchover", "login", "--to", "a"}, &out), 1);
  EXPECT_NE(out.find("refused by rule"), std::string::npos) << out;
  // ...a forced failover naming the rule goes through.
  ASSERT_EQ(Steerctl({"failover", "login", "--to", "a", "--force", "--override",
                      "at_least_one_serving", "--timeout", "10s"},
                     &out),
            0)
      << out;
  EXPECT_TRUE(BothAnswer(kA, seconds(1)));
}

TEST_F(FailoverE2E, InvalidReloadIsRefusedAndTheAgentKeepsWorking) {
  StartSteerd();
  dir_->Write("policy.yaml", "version: 1\nservices: [this is not a policy\n");
  std::string out;
  EXPECT_EQ(Steerctl({"reload"}, &out), 1);
  EXPECT_NE(out.find("running policy stays"), std::string::npos) << out;
  kill(steerd_->pid(), SIGHUP);  // the signal path refuses it too
  CutRegion(0);
  EXPECT_TRUE(BothAnswer(kB, seconds(5)));
}

TEST_F(FailoverE2E, KillNineMidOutageThenRestartDoesNotFlipFlop) {
  StartSteerd();
  CutRegion(0);
  ASSERT_TRUE(BothAnswer(kB, seconds(5)));
  KillSteerd();
  StartSteerd();
  for (int i = 0; i < 40; ++i) {  // 2 s of samples: never back to a
    ASSERT_EQ(Answer(primary_->dns_port()), kB) << "sample " << i;
    std::this_thread::sleep_for(milliseconds(50));
  }
  std::string history;
  ASSERT_EQ(Steerctl({"history", "login"}, &history), 0);
  EXPECT_NE(history.find("adopted b"), std::string::npos) << history;
}

TEST_F(FailoverE2E, ProviderApiDownDuringFailoverIsRetriedAndConverges) {
  StartSteerd();
  primary_->Stop();  // API (and that server's DNS) gone
  CutRegion(0);
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] {
        return Api("/api/v1/services/login").find("\"state\":\"retrying\"") != std::string::npos;
      },
      seconds(10)))
      << Api("/api/v1/services/login");
  EXPECT_NE(Answer(secondary_->dns_port()), kB);  // nothing could be written meanwhile
  primary_->Start();
  EXPECT_TRUE(BothAnswer(kB, seconds(10))) << Api("/api/v1/services/login");
  // The failure is announced once, not once per retry.
  int failing = 0;
  for (const auto& req : hook_->requests()) {
    if (req.body.find("DNS change failing, retrying") != std::string::npos) ++failing;
  }
  EXPECT_EQ(failing, 1);
}

TEST_F(FailoverE2E, OperationsWithoutTokenAreRefused) {
  StartSteerd();
  base::HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:" + std::to_string(api_port_) + "/api/v1/services/login/pause";
  request.body = "{}";
  request.timeout = milliseconds(2000);
  auto r = base::SendHttp(request);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  std::string out;
  EXPECT_NE(Steerctl({"pause", "login"}, &out, false), 0);
  std::string metrics = Api("/metrics");
  EXPECT_NE(metrics.find("steer_service_active_region{service=\"login\",region=\"a\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("steer_probe_phase_duration_seconds_bucket{region=\"a\",component="
                         "\"app\",probe=\"http\",phase=\"connect\""),
            std::string::npos)
      << metrics;
}

// An SRE rotates the token file and sends SIGHUP: the old token stops working, the new one
// works, and the audit log names the new token (never its value).
TEST_F(FailoverE2E, RotatedTokenFileTakesEffectOnSighup) {
  StartSteerd();
  std::string out;
  EXPECT_EQ(Steerctl({"resume", "login"}, &out), 0) << out;
  dir_->Write("tokens", "rotated:rotated-token-0123456789abc\n");
  kill(steerd_->pid(), SIGHUP);
  EXPECT_TRUE(testsupport::WaitUntil(
      [&] {
        return Steerctl({"resume", "login"}) != 0;
      },
      seconds(5)));
  dir_->Write("client-token", "rotated-token-0123456789abc\n");
  EXPECT_EQ(Steerctl({"resume", "login"}, &out), 0) << out;
  std::string history = Api("/api/v1/history?limit=20");
  EXPECT_NE(history.find("API tokens reloaded: 1 API token (rotated)"), std::string::npos)
      << history;
  EXPECT_NE(history.find("\"who\":\"rotated\""), std::string::npos) << history;
  EXPECT_EQ(history.find("rotated-token-0123456789abc"), std::string::npos);
}

}  // namespace
}  // namespace steer::e2e
