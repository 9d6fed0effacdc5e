// HTTP probes against real misbehaving local servers: each fault gets its error class, no
// crash, no leaked descriptor.
#include <gtest/gtest.h>

#include "testing/probe_test_util.h"

namespace steer::probes {
namespace {

using testing::HttpResponseText;
using testing::HttpTarget;
using testing::TcpServer;

std::string Url(const TcpServer& s, const std::string& path = "/") {
  return "http://" + s.address() + path;
}

class HttpFault : public testing::FdLeakTest {};

TEST_F(HttpFault, HealthyServerPassesWithPhases) {
  TcpServer server(testing::RespondWith(HttpResponseText(200, "ok")));
  Observation obs = ProbeOnce(HttpTarget(Url(server)), "eu");
  EXPECT_TRUE(obs.ok) << obs.message;
  EXPECT_EQ(obs.http_status, 200);
  EXPECT_EQ(obs.error, ErrorClass::kNone);
  EXPECT_EQ(obs.target_id, 7u);
  EXPECT_EQ(obs.vantage, "eu");
  EXPECT_GT(obs.phases.total.count(), 0);
  EXPECT_GT(obs.phases.connect.count(), 0);
  EXPECT_GE(obs.phases.total, obs.phases.connect + obs.phases.first_byte);
}

TEST_F(HttpFault, RefusedIsConnect) {
  auto obs = ProbeOnce(HttpTarget("http://127.0.0.1:" + std::to_string(testing::ClosedPort())));
  EXPECT_FALSE(obs.ok);
  EXPECT_EQ(obs.error, ErrorClass::kConnect) << obs.message;
}

TEST_F(HttpFault, SilentServerIsTimeout) {
  TcpServer server(testing::NeverAnswer());
  auto obs = ProbeOnce(HttpTarget(Url(server), 300));
  EXPECT_EQ(obs.error, ErrorClass::kTimeout) << obs.message;
  EXPECT_LT(obs.phases.total, std::chrono::milliseconds(1500));
}

TEST_F(HttpFault, TricklingServerIsTimeout) {
  TcpServer server(testing::Trickle("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", 30));
  auto obs = ProbeOnce(HttpTarget(Url(server), 300));
  EXPECT_EQ(obs.error, ErrorClass::kTimeout) << obs.message;
}

TEST_F(HttpFault, HugeBodyIsCappedAndStillJudged) {
  TcpServer server(testing::HugeBody(20 * 1024 * 1024));
  Target t = HttpTarget(Url(server));
  t.probe.expect.body_contains = "aaaa";
  auto ok = ProbeOnce(t);
  EXPECT_TRUE(ok.ok) << ok.message;
  t.probe.expect.body_contains = "zzz";
  auto bad = ProbeOnce(t);
  EXPECT_EQ(bad.error, ErrorClass::kBodyMismatch);
  EXPECT_NE(bad.message.find("truncated"), std::string::npos) << bad.message;
}

TEST_F(HttpFault, ResetMidResponseIsConnect) {
  TcpServer server(testing::ResetMidResponse("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc"));
  auto obs = ProbeOnce(HttpTarget(Url(server)));
  EXPECT_EQ(obs.error, ErrorClass::kConnect) << obs.message;
}

TEST_F(HttpFault, GarbageReplyIsConnect) {
  TcpServer server(testing::RespondWith("SSH-2.0-nope\r\n"));
  auto obs = ProbeOnce(HttpTarget(Url(server)));
  EXPECT_EQ(obs.error, ErrorClass::kConnect) << obs.message;
}

TEST_F(HttpFault, ServerErrorIsHttpStatus) {
  TcpServer server(testing::RespondWith(HttpResponseText(503, "down")));
  auto obs = ProbeOnce(HttpTarget(Url(server)));
  EXPECT_EQ(obs.error, ErrorClass::kHttpStatus);
  EXPECT_EQ(obs.http_status, 503);
}

TEST_F(HttpFault, JsonHeaderAndLatencyConditions) {
  TcpServer server(testing::RespondWith(
      HttpResponseText(200, R"({"status":"up","items":[{"id":4}]})", "X-Region: eu-west\r\n")));
  Target t = HttpTarget(Url(server, "/health"));
  t.probe.expect.json = {{"$.status", "up"}, {"$.items[0].id", "4"}};
  t.probe.expect.headers = {{"x-region", "eu"}};
  auto ok = ProbeOnce(t);
  EXPECT_TRUE(ok.ok) << ok.message;
  t.probe.expect.json = {{"$.items[0].id", "5"}};
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kBodyMismatch);
  t.probe.expect.json.clear();
  t.probe.expect.headers = {{"X-Missing", ""}};
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kHeaderMismatch);
  t.probe.expect.headers.clear();
  t.probe.expect.max_latency = std::chrono::milliseconds(0);
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kLatency);
}

TEST_F(HttpFault, ConnectToDialsTheGivenAddressKeepingTheUrlHost) {
  TcpServer server(testing::RespondWith(HttpResponseText(200, "ok")));
  Target t = HttpTarget("http://svc.invalid:" + std::to_string(server.port()) + "/");
  t.probe.connect_to = server.address();
  auto obs = ProbeOnce(t);
  EXPECT_TRUE(obs.ok) << obs.message;
}

TEST_F(HttpFault, BadConfigurationIsInternal) {
  EXPECT_EQ(ProbeOnce(HttpTarget("ftp://127.0.0.1/")).error, ErrorClass::kInternal);
  Target t = HttpTarget("http://127.0.0.1/");
  t.probe.expect.body_regex = "(";
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kInternal);
}

}  // namespace
}  // namespace steer::probes
