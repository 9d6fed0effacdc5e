// steerd's reload of the API tokens, in process: a real Daemon (zone file provider, probes
// against a loopback listener) and real HTTP against its API on a free port.
#include "daemon.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "steer/base/http_client.h"
#include "testing/http_listener.h"

namespace steer::agent {
namespace {

const std::string kOld = "old-token-0123456789abcdef";
const std::string kNew = "new-token-0123456789abcdef";
const std::string kOther = "other-token-0123456789abcd";

class DaemonTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-daemon-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/state");
  }
  void TearDown() override {
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::trunc) << text;
    return path;
  }

  // A valid policy; `api_token` is agent.api_token ("" for none). No DNS server answers on
  // 127.0.0.1:1, so propagation checks fail: these tests look only at the API.
  void WritePolicy(const std::string& api_token = "") {
    std::string probe = R"({name: http, type: http, url: ")" + region_.url("/healthz") +
                        R"(", interval: 100ms, timeout: 80ms, healthy_threshold: 1})";
    Write("policy.yaml",
          "version: 1\nagent:\n  vantage: test\n  tick: 50ms\n" +
              (api_token.empty() ? "" : "  api_token: " + api_token + "\n") +
              "coordination:\n  mode: local\nproviders:\n  zone:\n"
              "    type: zonefile\n    path: " +
              dir_ +
              "/demo.zone\n"
              "    origin: demo.test.\nregions:\n"
              "  a:\n    components:\n      app:\n        probes:\n          - " +
              probe +
              "\n  b:\n    components:\n      app:\n        probes:\n"
              "          - " +
              probe +
              "\nservices:\n  login:\n"
              "    dns_name: login.demo.test.\n    zone: demo.test.\n"
              "    provider: zone\n    nameservers: [\"127.0.0.1:1\"]\n    regions:\n"
              "      - {region: a, answers: [198.51.100.10]}\n"
              "      - {region: b, answers: [198.51.100.20]}\n");
  }

  void Start(bool with_token_file, int listen_fd = -1) {
    DaemonOptions o;
    o.config_path = dir_ + "/policy.yaml";
    o.state_dir = dir_ + "/state";
    o.listen = "127.0.0.1:0";
    o.listen_fd = listen_fd;
    if (with_token_file) o.token_file = dir_ + "/tokens";
    auto d = Daemon::Start(o);
    ASSERT_TRUE(d) << d.error().message;
    daemon_ = std::move(*d);
  }

  base::HttpResponse Send(const std::string& method, const std::string& path,
                          const std::string& token = "") {
    base::HttpRequest r;
    r.method = method;
    r.url = "http://" + daemon_->api_address() + path;
    r.timeout = kTimeout;
    if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
    auto resp = base::SendHttp(r);
    EXPECT_TRUE(resp) << (resp ? "" : resp.error().message);
    return resp ? *resp : base::HttpResponse{};
  }
  // A harmless authenticated operation: 200 if `token` is accepted, 401 if not.
  long Resume(const std::string& token) { return Send("POST", "/api/v1/resume", token).status; }

  static constexpr std::chrono::milliseconds kTimeout{5000};
  std::string dir_;
  testing::HttpListener region_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(DaemonTokenTest, RewrittenTokenFileTakesEffectOnReload) {
  WritePolicy();
  Write("tokens", "alice:" + kOld + "\n");
  ASSERT_NO_FATAL_FAILURE(Start(true));
  EXPECT_EQ(Resume(kOld), 200);
  Write("tokens", "# rotated\nbob:" + kNew + "\ncarol:" + kOther + "\n");
  auto reload = Send("POST", "/api/v1/reload", kOld);
  EXPECT_EQ(reload.status, 200) << reload.body;
  EXPECT_NE(reload.body.find("API tokens reloaded: 2 API tokens (bob, carol)"), std::string::npos)
      << reload.body;
  EXPECT_EQ(Resume(kOld), 401);
  EXPECT_EQ(Resume(kNew), 200);
  EXPECT_EQ(Resume(kOther), 200);
  std::string history = Send("GET", "/api/v1/history?limit=100").body;
  EXPECT_NE(history.find("API tokens reloaded: 2 API tokens (bob, carol)"), std::string::npos);
  EXPECT_NE(history.find("\"who\":\"bob\""), std::string::npos) << history;
  for (const auto& t : {kOld, kNew, kOther}) EXPECT_EQ(history.find(t), std::string::npos);
}

TEST_F(DaemonTokenTest, BrokenTokenFileRefusesTheReloadAndTheOldTokenStays) {
  WritePolicy();
  Write("tokens", "alice:" + kOld + "\n");
  ASSERT_NO_FATAL_FAILURE(Start(true));
  Write("tokens", "bob:" + kNew + "\n" + kOther + "\n");  // line 2 has no name
  auto reload = Send("POST", "/api/v1/reload", kOld);
  EXPECT_EQ(reload.status, 400) << reload.body;
  EXPECT_NE(reload.body.find("tokens:2: expected name:token"), std::string::npos) << reload.body;
  EXPECT_EQ(reload.body.find(kNew), std::string::npos);
  EXPECT_EQ(reload.body.find(kOther), std::string::npos);
  EXPECT_EQ(Resume(kOld), 200);
  EXPECT_EQ(Resume(kNew), 401);

  // SIGHUP's path: an unreadable token file is refused the same way.
  std::filesystem::remove(dir_ + "/tokens");
  std::vector<std::string> diagnostics;
  auto again = daemon_->Reload(&diagnostics);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("API tokens stay"), std::string::npos);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0], "API tokens: cannot read token file " + dir_ + "/tokens");
  EXPECT_EQ(Resume(kOld), 200);
  std::string metrics = Send("GET", "/metrics").body;
  EXPECT_NE(metrics.find("steer_config_reloads_total{result=\"refused\"} 2"), std::string::npos)
      << metrics;
}

TEST_F(DaemonTokenTest, InvalidPolicyLeavesTheTokensAsTheyWere) {
  WritePolicy();
  Write("tokens", "alice:" + kOld + "\n");
  ASSERT_NO_FATAL_FAILURE(Start(true));
  Write("tokens", "bob:" + kNew + "\n");
  Write("policy.yaml", "version: 1\nservices: {login: {dns_name: 3}}\n");
  std::vector<std::string> diagnostics;
  EXPECT_FALSE(daemon_->Reload(&diagnostics));
  EXPECT_FALSE(diagnostics.empty());
  EXPECT_EQ(Resume(kOld), 200);
  EXPECT_EQ(Resume(kNew), 401);
  WritePolicy();  // fixed: now both the policy and the rotated file are taken
  diagnostics.clear();
  auto ok = daemon_->Reload(&diagnostics);
  ASSERT_TRUE(ok) << (diagnostics.empty() ? "" : diagnostics[0]);
  EXPECT_EQ(Resume(kOld), 401);
  EXPECT_EQ(Resume(kNew), 200);
}

TEST_F(DaemonTokenTest, PolicyApiTokenIsReadAgainOnReload) {
  std::string secret = Write("api-token", kOld + "\n");
  WritePolicy("file:" + secret);
  ASSERT_NO_FATAL_FAILURE(Start(false));
  EXPECT_EQ(Resume(kOld), 200);
  Write("api-token", kNew + "\n");
  EXPECT_EQ(Resume(kOld), 200);  // nothing changes before the reload
  auto reload = Send("POST", "/api/v1/reload", kOld);
  EXPECT_EQ(reload.status, 200) << reload.body;
  EXPECT_NE(reload.body.find("1 API token (operator)"), std::string::npos) << reload.body;
  EXPECT_EQ(Resume(kOld), 401);
  EXPECT_EQ(Resume(kNew), 200);
  Write("api-token", "tiny-secret\n");
  reload = Send("POST", "/api/v1/reload", kNew);
  EXPECT_EQ(reload.status, 400) << reload.body;
  EXPECT_NE(reload.body.find("token too short"), std::string::npos) << reload.body;
  EXPECT_EQ(reload.body.find("tiny-secret"), std::string::npos);
  EXPECT_EQ(Resume(kNew), 200);
}

}  // namespace
}  // namespace steer::agent

namespace steer::agent {
namespace {

// socket activation: the API socket is held here as systemd holds steerd.socket; a request
// made while no steerd runs waits in its queue and the next steerd answers it.
TEST_F(DaemonTokenTest, ApiRequestMadeDuringARestartIsAnsweredByTheNextDaemon) {
  WritePolicy("file:" + Write("api-token", kOld + "\n"));
  int held = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(held, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(held, 16), 0);
  socklen_t len = sizeof(a);
  getsockname(held, reinterpret_cast<sockaddr*>(&a), &len);
  std::string address = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  Start(false, dup(held));
  EXPECT_EQ(daemon_->api_address(), address);
  EXPECT_EQ(Resume(kOld), 200);
  daemon_.reset();  // stops as on SIGTERM: the API shuts down gracefully
  auto queued = std::async(std::launch::async, [&] {
    base::HttpRequest r;
    r.url = "http://" + address + "/healthz";
    r.timeout = std::chrono::seconds(20);
    return base::SendHttp(r);
  });
  // Answered by the next daemon whether it reaches the held socket's queue before it starts
  // or after.
  Start(false, dup(held));
  auto answered = queued.get();
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_EQ(answered->status, 200);
  close(held);
}

}  // namespace
}  // namespace steer::agent
