// Rules that apply to a kind of key wherever it appears: URLs never hold passwords, required
// lists are never empty, integers, numbers and booleans are never quoted.
#include <gtest/gtest.h>

#include "steer/config/loader.h"
#include "testdata.h"

namespace steer::config {
namespace {

// base.yaml with `from` replaced by `to` (`from` must occur).
std::string Base(const std::string& from = "", const std::string& to = "") {
  std::string text = ReadText(SourcePath("config/testdata/base.yaml"));
  if (from.empty()) return text;
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The messages of the diagnostics at exactly `path`, one per line ("" when the policy loads).
std::string ErrorsAt(const std::string& yaml, const std::string& path) {
  auto policy = ParsePolicy(yaml, "p.yaml");
  std::string out;
  if (policy) return out;
  for (const auto& d : policy.error()) {
    if (d.path == path) out += d.message + "\n";
  }
  return out;
}

std::string WithProvider(const std::string& provider) {
  return Base("providers:\n", "providers:\n" + provider);
}

std::string WithNotifier(const std::string& notifier) {
  return Base() + "notifications:\n  n:\n" + notifier;
}

std::string WithEtcd(const std::string& endpoints) {
  return Base("providers:\n", "coordination:\n  mode: etcd\n  etcd:\n    endpoints: " + endpoints +
                                  "\nproviders:\n");
}

TEST(PolicyRulesTest, BaseLoads) {
  auto policy = ParsePolicy(Base(), "p.yaml");
  ASSERT_TRUE(policy.has_value()) << policy.error().front().ToString();
  EXPECT_TRUE(ParsePolicy(WithEtcd("[http://127.0.0.1:2379]"), "p.yaml").has_value());
}

// Issue 11, defect 1: every URL-valued key refuses user:password@.
TEST(PolicyRulesTest, PasswordInAnyUrlIsRefused) {
  EXPECT_NE(ErrorsAt(Base("url: http://127.0.0.1:8080/healthz",
                          "url: http://u:pw@127.0.0.1:8080/healthz"),
                     "regions.us-east.components.app.probes[0].url")
                .find("password"),
            std::string::npos);
  EXPECT_NE(ErrorsAt(Base("api_url: http://127.0.0.1:8081", "api_url: http://u:pw@127.0.0.1:8081"),
                     "providers.pdns.api_url")
                .find("password"),
            std::string::npos);
  EXPECT_NE(ErrorsAt(WithProvider("  r53:\n    type: route53\n    hosted_zone_id: Z1\n"
                                  "    endpoint: https://k:s@route53.example.test\n"
                                  "    access_key_id: env:A\n    secret_access_key: env:B\n"),
                     "providers.r53.endpoint")
                .find("password"),
            std::string::npos);
  EXPECT_NE(ErrorsAt(WithProvider("  cf:\n    type: cloudflare\n    zone_id: z\n"
                                  "    endpoint: https://k:s@cf.example.test/client/v4\n"
                                  "    api_token: env:T\n"),
                     "providers.cf.endpoint")
                .find("password"),
            std::string::npos);
  EXPECT_NE(ErrorsAt(WithEtcd("[http://127.0.0.1:2379, http://root:pw@127.0.0.1:2380]"),
                     "coordination.etcd.endpoints[1]")
                .find("password"),
            std::string::npos);
  EXPECT_NE(ErrorsAt(WithNotifier("    type: webhook\n    url: https://u:pw@hooks.example.test/\n"),
                     "notifications.n.url")
                .find("password"),
            std::string::npos);
}

// A user name alone is no secret.
TEST(PolicyRulesTest, UserWithoutPasswordIsAccepted) {
  EXPECT_EQ(ErrorsAt(WithEtcd("[http://steer@127.0.0.1:2379]"), "coordination.etcd.endpoints[0]"),
            "");
}

// Issue 11, defect 9: the advice names a key the notifier type has.
TEST(PolicyRulesTest, NotifierPasswordAdviceFitsTheType) {
  std::string webhook =
      ErrorsAt(WithNotifier("    type: webhook\n    url: https://u:pw@hooks.example.test/\n"),
               "notifications.n.url");
  EXPECT_NE(webhook.find("url_secret"), std::string::npos) << webhook;
  EXPECT_EQ(webhook.find("password:"), std::string::npos) << webhook;
  std::string slack =
      ErrorsAt(WithNotifier("    type: slack\n    url: https://u:pw@chat.example.test/\n"),
               "notifications.n.url");
  EXPECT_NE(slack.find("url_secret"), std::string::npos) << slack;
  EXPECT_EQ(slack.find("password:"), std::string::npos) << slack;
  std::string smtp =
      ErrorsAt(WithNotifier("    type: smtp\n    url: smtp://u:pw@mail.example.test:587\n"
                            "    from: steer@example.test\n    to: [a@example.test]\n"),
               "notifications.n.url");
  EXPECT_NE(smtp.find("username"), std::string::npos) << smtp;
  EXPECT_NE(smtp.find("password: env:"), std::string::npos) << smtp;
}

// Issue 11, defect 4: a required list or map is never empty, whichever it is.
TEST(PolicyRulesTest, RequiredListsAreNeverEmpty) {
  EXPECT_NE(ErrorsAt(WithEtcd("[]"), "coordination.etcd.endpoints").find("empty"),
            std::string::npos);
  EXPECT_NE(
      ErrorsAt(Base("answers: [203.0.113.10]", "answers: []"), "services.login.regions[1].answers")
          .find("empty"),
      std::string::npos);
  std::string probes = Base(
      "        probes:\n          - name: healthz\n            type: http\n"
      "            url: http://127.0.0.1:8081/healthz\n",
      "        probes: []\n");
  EXPECT_NE(ErrorsAt(probes, "regions.eu-west.components.app.probes").find("empty"),
            std::string::npos);
  std::string components = Base(
      "  eu-west:\n    components:\n      app:\n        probes:\n          - name: healthz\n"
      "            type: http\n            url: http://127.0.0.1:8081/healthz\n",
      "  eu-west:\n    components: {}\n");
  EXPECT_NE(ErrorsAt(components, "regions.eu-west.components").find("empty"), std::string::npos);
}

// Issue 11, defect 7: the schema says integer, number or boolean; a quoted value is a string.
TEST(PolicyRulesTest, QuotedScalarsAreNotNumbersOrBooleans) {
  std::string ttl = ErrorsAt(Base("    provider: pdns\n", "    provider: pdns\n    ttl: \"30\"\n"),
                             "services.login.ttl");
  EXPECT_NE(ttl.find("quoted"), std::string::npos) << ttl;
  EXPECT_NE(ErrorsAt(Base("version: 1", "version: '1'"), "version").find("quoted"),
            std::string::npos);
  EXPECT_NE(ErrorsAt(Base("    provider: pdns\n", "    provider: pdns\n    stale_after: \"3\"\n"),
                     "services.login.stale_after")
                .find("quoted"),
            std::string::npos);
  EXPECT_NE(ErrorsAt(Base("    provider: pdns\n", "    provider: pdns\n    quorum: \"1\"\n"),
                     "services.login.quorum")
                .find("quoted"),
            std::string::npos);
  EXPECT_NE(ErrorsAt(Base("url: http://127.0.0.1:8080/healthz",
                          "url: http://127.0.0.1:8080/healthz\n            tls_verify: \"false\""),
                     "regions.us-east.components.app.probes[0].tls_verify")
                .find("quoted"),
            std::string::npos);
  // Unquoted, the same values load.
  EXPECT_TRUE(
      ParsePolicy(Base("    provider: pdns\n", "    provider: pdns\n    ttl: 30\n    quorum: 1\n"),
                  "p.yaml")
          .has_value());
}

std::string WithStatus(const std::string& status) { return Base() + "status:\n" + status; }

// Issue 15: the status section. Retention is whole days; the default is 90 days.
TEST(PolicyRulesTest, StatusRetentionIsWholeDays) {
  auto policy = ParsePolicy(Base(), "p.yaml");
  ASSERT_TRUE(policy.has_value());
  EXPECT_EQ(policy->status.retention, std::chrono::hours(24 * 90));
  auto thirty = ParsePolicy(WithStatus("  retention: 30d\n"), "p.yaml");
  ASSERT_TRUE(thirty.has_value()) << thirty.error().front().ToString();
  EXPECT_EQ(thirty->status.retention, std::chrono::hours(24 * 30));
  EXPECT_NE(ErrorsAt(WithStatus("  retention: 12h\n"), "status.retention"), "");
  EXPECT_NE(ErrorsAt(WithStatus("  retention: 3651d\n"), "status.retention"), "");
  EXPECT_NE(ErrorsAt(WithStatus("  retention: 90\n"), "status.retention"), "");
}

// The auto-resolve time: whole seconds from 10s to 7d, 5 minutes by default.
TEST(PolicyRulesTest, StatusResolveAfterIsWholeSecondsWithinBounds) {
  auto policy = ParsePolicy(Base(), "p.yaml");
  ASSERT_TRUE(policy.has_value());
  EXPECT_EQ(policy->status.resolve_after, std::chrono::minutes(5));
  auto quick = ParsePolicy(WithStatus("  resolve_after: 20s\n"), "p.yaml");
  ASSERT_TRUE(quick.has_value()) << quick.error().front().ToString();
  EXPECT_EQ(quick->status.resolve_after, std::chrono::seconds(20));
  EXPECT_EQ(ErrorsAt(WithStatus("  resolve_after: 7d\n"), "status.resolve_after"), "");
  EXPECT_NE(ErrorsAt(WithStatus("  resolve_after: 9s\n"), "status.resolve_after"), "");
  EXPECT_NE(ErrorsAt(WithStatus("  resolve_after: 10500ms\n"), "status.resolve_after"), "");
  EXPECT_NE(ErrorsAt(WithStatus("  resolve_after: 8d\n"), "status.resolve_after"), "");
  EXPECT_NE(ErrorsAt(WithStatus("  resolve_after: 30\n"), "status.resolve_after"), "");
}

TEST(PolicyRulesTest, StatusPublicUrlAndListen) {
  EXPECT_NE(
      ErrorsAt(WithStatus("  public_url: https://u:pw@status.example.test\n"), "status.public_url")
          .find("password"),
      std::string::npos);
  EXPECT_NE(ErrorsAt(WithStatus("  public_url: ftp://status.example.test\n"), "status.public_url"),
            "");
  EXPECT_NE(ErrorsAt(WithStatus("  listen: 8080\n"), "status.listen").find("host:port"),
            std::string::npos);
  EXPECT_NE(ErrorsAt(WithStatus("  listen: [127.0.0.1:8080]\n"), "status.listen"), "");
  EXPECT_NE(ErrorsAt(WithStatus("  listen: :0\n"), "status.listen"), "");
  EXPECT_EQ(ErrorsAt(WithStatus("  listen: 127.0.0.1:0\n"), "status.listen"), "");
  EXPECT_NE(ErrorsAt(WithStatus("  lissten: 127.0.0.1:8080\n"), "status.lissten").find("listen"),
            std::string::npos);
  auto ok = ParsePolicy(WithStatus("  listen: 127.0.0.1:8080\n  services: [login]\n"
                                   "  regions: [us-east]\n  title: Status\n"),
                        "p.yaml");
  ASSERT_TRUE(ok.has_value()) << ok.error().front().ToString();
  EXPECT_EQ(ok->status.listen, "127.0.0.1:8080");
  EXPECT_EQ(ok->status.services, std::vector<std::string>{"login"});
}

}  // namespace
}  // namespace steer::config

namespace steer::config {
namespace {

std::string WithAgent(const std::string& lines) {
  return Base("  api_token: env:STEER_TOKEN\n", "  api_token: env:STEER_TOKEN\n" + lines);
}

// The first diagnostic at `path` as file:line:col: message, "" when none.
std::string FirstAt(const std::string& yaml, const std::string& path) {
  auto policy = ParsePolicy(yaml, "p.yaml");
  if (policy) return "";
  for (const auto& d : policy.error()) {
    if (d.path == path) return d.ToString();
  }
  return "";
}

// The API off loopback needs TLS, or the explicit opt-out; loopback stays the default.
TEST(PolicyRulesTest, ApiListenOffLoopbackNeedsTls) {
  std::string e = FirstAt(WithAgent("  listen: 0.0.0.0:9053\n"), "agent.listen");
  EXPECT_NE(e.find("p.yaml:5:11: "), std::string::npos) << e;
  EXPECT_NE(e.find("not a loopback address: the API off loopback needs agent.tls"),
            std::string::npos)
      << e;
  EXPECT_NE(FirstAt(WithAgent("  listen: '[::]:9053'\n"), "agent.listen"), "");
  EXPECT_NE(FirstAt(WithAgent("  listen: 10.0.0.5:9053\n"), "agent.listen"), "");
  for (const char* ok : {"127.0.0.1:9053", "127.0.0.2:9053", "'[::1]:9053'", "localhost:9053"}) {
    EXPECT_EQ(FirstAt(WithAgent(std::string("  listen: ") + ok + "\n"), "agent.listen"), "") << ok;
  }
  EXPECT_TRUE(
      ParsePolicy(WithAgent("  listen: 0.0.0.0:9053\n  insecure_plain_http: true\n"), "p.yaml"));
  auto tls = ParsePolicy(WithAgent("  listen: 0.0.0.0:9053\n  tls:\n    cert_file: /e/api.pem\n"
                                   "    key_file: /e/api.key\n    client_ca_file: /e/ca.pem\n"),
                         "p.yaml");
  ASSERT_TRUE(tls) << tls.error().front().ToString();
  EXPECT_EQ(tls->agent.tls.client_ca_file, "/e/ca.pem");
}

TEST(PolicyRulesTest, ApiTlsAndLimitsMistakesAreAllReported) {
  std::string yaml = WithAgent(
      "  insecure_plain_http: true\n  tls:\n    cert_file: /e/api.pem\n    ca_file: /e/x\n"
      "  api_limits:\n    header_timeout: 20s\n    max_connections: 0\n    max_body: 1\n");
  auto policy = ParsePolicy(yaml, "p.yaml");
  ASSERT_FALSE(policy);
  std::string all;
  for (const auto& d : policy.error()) all += d.ToString() + "\n";
  EXPECT_NE(all.find("agent.tls.ca_file: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find("agent.api_limits.max_body: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find("agent.api_limits.max_connections"), std::string::npos) << all;
  // Cross-field checks run once the keys themselves are valid.
  policy = ParsePolicy(WithAgent("  tls:\n    cert_file: /e/api.pem\n"
                                 "  api_limits:\n    header_timeout: 20s\n"),
                       "p.yaml");
  ASSERT_FALSE(policy);
  all.clear();
  for (const auto& d : policy.error()) all += d.ToString() + "\n";
  EXPECT_NE(all.find("agent.tls.key_file: cert_file and key_file go together"), std::string::npos)
      << all;
  EXPECT_NE(all.find("agent.api_limits.header_timeout: must be at most request_timeout (10s)"),
            std::string::npos)
      << all;
}

}  // namespace
}  // namespace steer::config
