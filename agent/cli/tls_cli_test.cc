// steerctl's client against steerd's API over TLS (a real server on port 0, certificates of a
// throw-away CA): --cacert verifies the server, --cert/--key satisfy mutual TLS, and the
// flags are refused where they cannot apply.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "api/router.h"
#include "cli/command.h"
#include "steer/testsupport/test_pki.h"

namespace steer::agent::cli {
int RunStatus(int argc, char** argv);
int RunPause(int argc, char** argv);

namespace {

using json = nlohmann::json;

class OkBackend : public api::Backend {
 public:
  json Status() override { return {{"services", json::array()}, {"regions", json::array()}}; }
  std::optional<json> Service(const std::string&) override { return std::nullopt; }
  json History(const api::HistoryRequest&) override { return json::array(); }
  bool Healthy(std::string*) override { return true; }
  std::string Metrics() override { return ""; }
  api::OperationOutcome Operate(const api::OperationRequest&) override {
    ++ops;
    return {api::OperationOutcome::Status::kOk, "accepted", "", {}};
  }
  int ops = 0;
};

class TlsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-tlscli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/token") << "cli-token-0123456789\n";
    store_ = std::move(*StateStore::Open(dir_));
    router_ = std::make_unique<api::Router>(backend_, auth_, *store_, nullptr);
    server_cert_ = pki_.Issue("server", {"127.0.0.1"}, -1, 30);
    client_ = pki_.Issue("client", {"operator"}, -1, 30);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Serve(bool mutual) {
    config::AgentConfig agent;
    agent.tls.cert_file = server_cert_.cert_pem;
    agent.tls.key_file = server_cert_.key_pem;
    if (mutual) agent.tls.client_ca_file = pki_.ca_file();
    auto o = api::ApiServerOptions("127.0.0.1:0", agent);
    ASSERT_TRUE(o) << o.error().message;
    auto s = api::ServeApi(*o, *router_);
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
    api_ = "https://" + server_->address();
  }
  int Run(int (*fn)(int, char**), std::vector<std::string> args) {
    args.insert(args.end(), {"--token-file", dir_ + "/token"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    int rc = fn(static_cast<int>(argv.size()), argv.data());
    out_ = ::testing::internal::GetCapturedStdout();
    err_ = ::testing::internal::GetCapturedStderr();
    return rc;
  }

  testsupport::TestPki pki_;
  testsupport::CertFiles server_cert_, client_;
  std::string dir_, api_, out_, err_;
  OkBackend backend_;
  api::TokenHolder auth_{api::TokenAuth::Single("alice", "cli-token-0123456789")};
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<base::HttpServer> server_;
};

TEST_F(TlsCliTest, CacertVerifiesTheApiAndAnOperationGoesThrough) {
  Serve(false);
  ASSERT_EQ(Run(RunPause, {"pause", "login", "--api", api_, "--cacert", pki_.ca_file()}), kExitOk)
      << err_;
  EXPECT_NE(out_.find("accepted"), std::string::npos) << out_;
  EXPECT_EQ(backend_.ops, 1);
  // Without the CA the server's certificate is not trusted, and nothing is sent.
  EXPECT_EQ(Run(RunPause, {"pause", "login", "--api", api_}), kExitFailed);
  EXPECT_NE(err_.find("certificate"), std::string::npos) << err_;
  EXPECT_EQ(backend_.ops, 1);
}

TEST_F(TlsCliTest, MutualTlsNeedsAClientCertificateOfTheCa) {
  Serve(true);
  EXPECT_EQ(Run(RunStatus, {"status", "--api", api_, "--cacert", pki_.ca_file()}), kExitFailed);
  testsupport::TestPki other;
  auto stranger = other.Issue("stranger", {"operator"}, -1, 30);
  EXPECT_EQ(Run(RunStatus, {"status", "--api", api_, "--cacert", pki_.ca_file(), "--cert",
                            stranger.cert_pem, "--key", stranger.key_pem}),
            kExitFailed);
  EXPECT_EQ(Run(RunPause, {"pause", "login", "--api", api_, "--cacert", pki_.ca_file(), "--cert",
                           client_.cert_pem, "--key", client_.key_pem}),
            kExitOk)
      << err_;
  EXPECT_EQ(backend_.ops, 1);
}

TEST_F(TlsCliTest, TlsFlagsNeedHttpsAndCertNeedsKey) {
  Serve(false);
  EXPECT_NE(Run(RunStatus, {"status", "--api", "http://127.0.0.1:1", "--cacert", pki_.ca_file()}),
            kExitOk);
  EXPECT_NE(err_.find("need an https:// --api URL"), std::string::npos) << err_;
  EXPECT_NE(Run(RunStatus, {"status", "--api", api_, "--cert", client_.cert_pem}), kExitOk);
  EXPECT_NE(err_.find("--cert and --key go together"), std::string::npos) << err_;
}

// steerd's API off loopback over plain HTTP is refused at start (a --listen override or an
// inherited socket does not get past the policy check), unless insecure_plain_http says so.
TEST_F(TlsCliTest, PlainHttpOffLoopbackIsRefusedAtStart) {
  auto o = api::ApiServerOptions("0.0.0.0:0", config::AgentConfig{});
  ASSERT_TRUE(o);
  auto s = api::ServeApi(*o, *router_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("plain HTTP only on loopback"), std::string::npos);
  config::AgentConfig opted_out;
  opted_out.insecure_plain_http = true;
  EXPECT_FALSE(api::ApiServerOptions("0.0.0.0:0", opted_out)->plain_http_loopback_only);
}

}  // namespace
}  // namespace steer::agent::cli
