#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "notify/dispatcher.h"
#include "notify/factory.h"
#include "notify/slack_notifier.h"
#include "notify/smtp_notifier.h"
#include "notify/webhook_notifier.h"
#include "steer/base/log.h"
#include "testing/http_listener.h"
#include "testing/smtp_responder.h"

namespace steer::agent::notify {
namespace {

using std::chrono::milliseconds;
using testing::HttpListener;
using Headers = std::vector<std::pair<std::string, std::string>>;

Notification Sample() {
  return Notification{"decision",
                      "login",
                      "login: failover a -> b",
                      {{"from", "a"}, {"to", "b"}, {"why", "a: 3 probes failed"}},
                      std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
}

DispatcherOptions Fast() { return DispatcherOptions{milliseconds(1), milliseconds(4), 100}; }

TEST(WebhookNotifierTest, PostsJsonWithHeaders) {
  HttpListener srv;
  WebhookNotifier n("ops", srv.url("/hook"), {{"X-Team", "sre"}}, milliseconds(2000));
  ASSERT_TRUE(n.Send(Sample()));
  auto reqs = srv.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/hook");
  EXPECT_EQ(reqs[0].content_type, "application/json");
  auto j = nlohmann::json::parse(reqs[0].body);
  EXPECT_EQ(j["event"], "decision");
  EXPECT_EQ(j["service"], "login");
  EXPECT_EQ(j["fields"]["to"], "b");
  EXPECT_EQ(j["time"], "2027-01-15T08:00:00Z");
}

TEST(WebhookNotifierTest, ClientErrorIsPermanentServerErrorRetryable) {
  HttpListener srv({400, 503});
  WebhookNotifier n("ops", srv.url(), {}, milliseconds(2000));
  auto first = n.Send(Sample());
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::kInvalidArgument);
  auto second = n.Send(Sample());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
}

TEST(SlackNotifierTest, PostsTextField) {
  HttpListener srv;
  SlackNotifier n("chat", srv.url("/services/T000/B000/XXXX"), milliseconds(2000));
  ASSERT_TRUE(n.Send(Sample()));
  auto j = nlohmann::json::parse(srv.requests().at(0).body);
  ASSERT_TRUE(j.contains("text"));
  EXPECT_NE(j["text"].get<std::string>().find("login: failover a -> b"), std::string::npos);
  EXPECT_NE(j["text"].get<std::string>().find("why: a: 3 probes failed"), std::string::npos);
}

TEST(DispatcherTest, RetriesWithBackoffUntilDelivered) {
  HttpListener srv({500, 503, 200});
  std::vector<Route> routes;
  routes.push_back(
      {std::make_unique<WebhookNotifier>("ops", srv.url(), Headers{}, milliseconds(2000)), {}, 5});
  Dispatcher d(std::move(routes), Fast());
  d.Submit(Sample());
  ASSERT_TRUE(d.WaitIdle(milliseconds(10000)));
  EXPECT_EQ(srv.requests().size(), 3u);
  auto st = d.stats();
  EXPECT_EQ(st.sent, 1u);
  EXPECT_EQ(st.retried, 2u);
  EXPECT_EQ(st.failed, 0u);
}

TEST(DispatcherTest, GivesUpAfterMaxAttemptsAndOnPermanentErrors) {
  HttpListener down({503});
  HttpListener refusing({403});
  std::vector<Route> routes;
  routes.push_back(
      {std::make_unique<WebhookNotifier>("a", down.url(), Headers{}, milliseconds(2000)), {}, 3});
  routes.push_back(
      {std::make_unique<WebhookNotifier>("b", refusing.url(), Headers{}, milliseconds(2000)),
       {},
       3});
  std::vector<std::pair<std::string, bool>> outcomes;
  Dispatcher d(std::move(routes), Fast(),
               [&](const std::string& name, bool ok) { outcomes.emplace_back(name, ok); });
  d.Submit(Sample());
  ASSERT_TRUE(d.WaitIdle(milliseconds(10000)));
  EXPECT_EQ(down.requests().size(), 3u);
  EXPECT_EQ(refusing.requests().size(), 1u);
  EXPECT_EQ(d.stats().failed, 2u);
  EXPECT_EQ(outcomes.size(), 2u);
}

TEST(DispatcherTest, RoutesOnlyConfiguredEvents) {
  HttpListener srv;
  std::vector<Route> routes;
  routes.push_back(
      {std::make_unique<WebhookNotifier>("ops", srv.url(), Headers{}, milliseconds(2000)),
       {"operation"},
       1});
  Dispatcher d(std::move(routes), Fast());
  d.Submit(Sample());  // a decision: not routed
  Notification op = Sample();
  op.event = "operation";
  d.Submit(op);
  ASSERT_TRUE(d.WaitIdle(milliseconds(10000)));
  ASSERT_EQ(srv.requests().size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(srv.requests()[0].body)["event"], "operation");
}

// The Slack URL is the credential: neither logs nor errors may contain it, even when the
// receiver is unreachable.
TEST(DispatcherTest, SecretUrlNeverLogged) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = base::Logger("agent");
  logger->sinks().push_back(sink);
  HttpListener srv({500});
  const std::string token = "T0KEN-s3cr3t-4242";
  setenv("STEER_TEST_SLACK_URL", srv.url("/services/" + token).c_str(), 1);
  config::NotifierConfig c;
  c.name = "chat";
  c.type = config::NotifierType::kSlack;
  c.url_secret = *base::ParseSecretRef("env:STEER_TEST_SLACK_URL");
  c.max_attempts = 2;
  auto routes = BuildRoutes({c});
  ASSERT_TRUE(routes);
  {
    Dispatcher d(std::move(*routes), Fast());
    d.Submit(Sample());
    ASSERT_TRUE(d.WaitIdle(milliseconds(10000)));
    EXPECT_EQ(d.stats().failed, 1u);
  }
  logger->sinks().pop_back();
  EXPECT_NE(captured.str().find("chat"), std::string::npos);
  EXPECT_EQ(captured.str().find(token), std::string::npos) << captured.str();
}

TEST(FactoryTest, MissingSecretNamesOnlyTheReference) {
  config::NotifierConfig c;
  c.name = "mail";
  c.type = config::NotifierType::kSmtp;
  c.url = "smtp://127.0.0.1:1";
  c.password = *base::ParseSecretRef("file:/nonexistent/steer-smtp-password");
  auto routes = BuildRoutes({c});
  ASSERT_FALSE(routes);
  EXPECT_NE(routes.error().message.find("file:/nonexistent/steer-smtp-password"),
            std::string::npos);
}

TEST(SmtpNotifierTest, DeliversMessageToEveryRecipient) {
  testing::SmtpResponder smtp;
  SmtpSettings s{"smtp://127.0.0.1:" + std::to_string(smtp.port()),
                 "steer@example.test",
                 {"oncall@example.test", "sre@example.test"},
                 "",
                 "",
                 milliseconds(5000)};
  SmtpNotifier n("mail", s);
  ASSERT_TRUE(n.Send(Sample()));
  auto sessions = smtp.sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].mail_from, "<steer@example.test>");
  EXPECT_EQ(sessions[0].rcpt_to.size(), 2u);
  EXPECT_NE(sessions[0].data.find("Subject: [steer] login: failover a -> b"), std::string::npos);
  EXPECT_NE(sessions[0].data.find("why: a: 3 probes failed"), std::string::npos);
  EXPECT_TRUE(sessions[0].auth.empty());
}

TEST(SmtpNotifierTest, AuthenticatesAndReportsDenial) {
  // base64("\0steer\0hunter2")
  testing::SmtpResponder smtp("AHN0ZWVyAGh1bnRlcjI=");
  SmtpSettings s{"smtp://127.0.0.1:" + std::to_string(smtp.port()),
                 "steer@example.test",
                 {"oncall@example.test"},
                 "steer",
                 "hunter2",
                 milliseconds(5000)};
  ASSERT_TRUE(SmtpNotifier("mail", s).Send(Sample()));
  s.password = "wrong";
  auto denied = SmtpNotifier("mail", s).Send(Sample());
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(denied.error().message.find("wrong"), std::string::npos);
}

TEST(SmtpNotifierTest, HeaderInjectionIsNeutralised) {
  Notification n = Sample();
  n.summary = "x\r\nBcc: victim@example.test";
  SmtpSettings s{"smtp://x", "a@example.test", {"b@example.test"}, "", "", milliseconds(1)};
  std::string msg = BuildMessage(s, n);
  std::string headers = msg.substr(0, msg.find("\r\n\r\n"));
  EXPECT_EQ(headers.find("\r\nBcc:"), std::string::npos) << headers;
  EXPECT_NE(headers.find("Subject: [steer] x  Bcc:"), std::string::npos) << headers;
}

}  // namespace
}  // namespace steer::agent::notify
