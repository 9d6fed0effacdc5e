// steerd's API over TLS, in process: a real Daemon with agent.tls, requests over HTTPS with the
// shared curl client, and the certificate reloaded the way SIGHUP does it (Daemon::Reload): a
// renewed certificate written over the old files is served to new connections; a broken one
// is refused and the old one stays.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "daemon.h"
#include "steer/base/http_client.h"
#include "steer/testsupport/test_pki.h"
#include "testing/http_listener.h"

namespace steer::agent {
namespace {

namespace fs = std::filesystem;

class DaemonTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-daemon-tls-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/state");
    Install(first_.Issue("server", {"127.0.0.1"}, -1, 30));
    std::string probe = R"({name: http, type: http, url: ")" + region_.url("/healthz") +
                        R"(", interval: 100ms, timeout: 80ms, healthy_threshold: 1})";
    std::ofstream(dir_ + "/policy.yaml")
        << "version: 1\nagent:\n  vantage: test\n  tick: 50ms\n  tls:\n    cert_file: " << dir_
        << "/api.pem\n    key_file: " << dir_ << "/api.key\n"
        << "regions:\n  a:\n    components:\n      app:\n"
        << "        probes:\n          - " << probe << "\n";
  }
  void TearDown() override {
    daemon_.reset();
    fs::remove_all(dir_);
  }
  // Writes a certificate and key over the files the policy names (as a renewal does).
  void Install(const testsupport::CertFiles& c) {
    fs::copy_file(c.cert_pem, dir_ + "/api.pem", fs::copy_options::overwrite_existing);
    fs::copy_file(c.key_pem, dir_ + "/api.key", fs::copy_options::overwrite_existing);
  }
  void Start() {
    DaemonOptions o;
    o.config_path = dir_ + "/policy.yaml";
    o.state_dir = dir_ + "/state";
    o.listen = "127.0.0.1:0";
    auto d = Daemon::Start(o);
    ASSERT_TRUE(d) << d.error().message;
    daemon_ = std::move(*d);
  }
  // GET /healthz over HTTPS, trusting only `ca`: the status, or 0 when TLS fails.
  long Health(const testsupport::TestPki& ca) {
    base::HttpRequest r;
    r.url = "https://" + daemon_->api_address() + "/healthz";
    r.ca_file = ca.ca_file();
    r.timeout = std::chrono::seconds(5);
    auto resp = base::SendHttp(r);
    return resp ? resp->status : 0;
  }

  testsupport::TestPki first_, second_;
  std::string dir_;
  testing::HttpListener region_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(DaemonTlsTest, ReloadServesTheRenewedCertificateAndRefusesABrokenOne) {
  Start();
  EXPECT_EQ(Health(first_), 200);
  EXPECT_EQ(Health(second_), 0);  // the served certificate is first_'s
  Install(second_.Issue("server", {"127.0.0.1"}, -1, 30));
  std::vector<std::string> diagnostics;
  auto ok = daemon_->Reload(&diagnostics);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_NE(ok->find("API certificate reloaded"), std::string::npos) << *ok;
  EXPECT_EQ(Health(second_), 200);
  EXPECT_EQ(Health(first_), 0);
  // A key that does not match the certificate: refused, and second_'s certificate stays.
  fs::copy_file(first_.Issue("other", {"127.0.0.1"}, -1, 30).key_pem, dir_ + "/api.key",
                fs::copy_options::overwrite_existing);
  diagnostics.clear();
  auto refused = daemon_->Reload(&diagnostics);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("API certificate refused"), std::string::npos);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].find("does not match the certificate"), std::string::npos)
      << diagnostics[0];
  EXPECT_EQ(Health(second_), 200);
}

}  // namespace
}  // namespace steer::agent
