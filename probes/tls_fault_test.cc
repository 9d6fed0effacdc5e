// HTTPS (libcurl) and TLS (Asio + OpenSSL) probes against a local TLS server whose
// certificates come from a CA made in the test: valid, expired, wrong hostname, unknown CA.
#include <gtest/gtest.h>

#include "steer/testsupport/test_pki.h"
#include "testing/probe_test_util.h"

namespace steer::probes {
namespace {

using testing::AddressTarget;
using testing::HttpResponseText;
using testing::HttpTarget;
using testing::TcpServer;

class TlsFault : public testing::FdLeakTest {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testsupport::TestPki();
    valid_ = pki_->Issue("valid", {"svc.test", "127.0.0.1"}, -1, 30);
    expired_ = pki_->Issue("expired", {"svc.test", "127.0.0.1"}, -10, -1);
    wrong_ = pki_->Issue("wrong", {"other.test"}, -1, 30);
  }
  static void TearDownTestSuite() { delete pki_; }

  static testing::ConnectionHandler Serve(const testsupport::CertFiles& c) {
    return testing::TlsRespondWith(c.cert_pem, c.key_pem, HttpResponseText(200, "ok"));
  }
  static Target Https(const TcpServer& s, const std::string& host = "127.0.0.1") {
    Target t = HttpTarget("https://" + host + ":" + std::to_string(s.port()) + "/");
    t.probe.ca_file = pki_->ca_file();
    if (host != "127.0.0.1") t.probe.connect_to = s.address();
    return t;
  }
  static Target Tls(const TcpServer& s, const std::string& name = "127.0.0.1") {
    Target t = AddressTarget(config::ProbeType::kTls, s.address());
    t.probe.ca_file = pki_->ca_file();
    t.probe.server_name = name;
    return t;
  }

  static inline testsupport::TestPki* pki_ = nullptr;
  static inline testsupport::CertFiles valid_, expired_, wrong_;
};

TEST_F(TlsFault, HttpsValidCertificatePasses) {
  TcpServer server(Serve(valid_));
  auto obs = ProbeOnce(Https(server));
  EXPECT_TRUE(obs.ok) << obs.message;
  EXPECT_GT(obs.phases.tls.count(), 0);
}

TEST_F(TlsFault, HttpsConnectToKeepsSniAndHost) {
  TcpServer server(Serve(valid_));
  auto obs = ProbeOnce(Https(server, "svc.test"));
  EXPECT_TRUE(obs.ok) << obs.message;
}

TEST_F(TlsFault, HttpsExpiredCertificateIsTls) {
  TcpServer server(Serve(expired_));
  auto obs = ProbeOnce(Https(server));
  EXPECT_EQ(obs.error, ErrorClass::kTls) << obs.message;
}

TEST_F(TlsFault, HttpsWrongHostnameIsTls) {
  TcpServer server(Serve(wrong_));
  auto obs = ProbeOnce(Https(server, "svc.test"));
  EXPECT_EQ(obs.error, ErrorClass::kTls) << obs.message;
}

TEST_F(TlsFault, HttpsUnknownCaIsTlsUnlessVerificationIsOff) {
  TcpServer server(Serve(valid_));
  Target t = Https(server);
  t.probe.ca_file.clear();  // system trust store: does not know the test CA
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kTls);
  t.probe.tls_verify = false;
  EXPECT_TRUE(ProbeOnce(t).ok);
}

TEST_F(TlsFault, HttpsMinDaysLeftIsCertExpiry) {
  TcpServer server(Serve(valid_));
  Target t = Https(server);
  t.probe.min_days_left = 60;
  auto obs = ProbeOnce(t);
  EXPECT_EQ(obs.error, ErrorClass::kCertExpiry) << obs.message;
  ASSERT_TRUE(obs.cert_days_left.has_value());
  EXPECT_GE(*obs.cert_days_left, 28);
  EXPECT_LE(*obs.cert_days_left, 30);
}

TEST_F(TlsFault, HttpsToPlainServerIsTls) {
  TcpServer server(testing::RespondWith(HttpResponseText(200, "plain")));
  EXPECT_EQ(ProbeOnce(Https(server)).error, ErrorClass::kTls);
}

TEST_F(TlsFault, TlsProbeReportsDaysLeft) {
  TcpServer server(Serve(valid_));
  auto obs = ProbeOnce(Tls(server, "svc.test"));
  EXPECT_TRUE(obs.ok) << obs.message;
  ASSERT_TRUE(obs.cert_days_left.has_value());
  EXPECT_GE(*obs.cert_days_left, 28);
  EXPECT_GT(obs.phases.tls.count(), 0);
}

TEST_F(TlsFault, TlsProbeExpiredWrongHostAndMinDays) {
  {
    TcpServer server(Serve(expired_));
    auto obs = ProbeOnce(Tls(server));
    EXPECT_EQ(obs.error, ErrorClass::kTls);
    EXPECT_NE(obs.message.find("expired"), std::string::npos) << obs.message;
  }
  {
    TcpServer server(Serve(wrong_));
    auto obs = ProbeOnce(Tls(server, "svc.test"));
    EXPECT_EQ(obs.error, ErrorClass::kTls);
    EXPECT_NE(obs.message.find("mismatch"), std::string::npos) << obs.message;
  }
  {
    TcpServer server(Serve(valid_));
    Target t = Tls(server);
    t.probe.min_days_left = 45;
    EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kCertExpiry);
  }
}

TEST_F(TlsFault, TlsProbeWithoutVerificationStillReportsExpiry) {
  TcpServer server(Serve(expired_));
  Target t = Tls(server);
  t.probe.tls_verify = false;
  auto obs = ProbeOnce(t);
  EXPECT_TRUE(obs.ok) << obs.message;
  ASSERT_TRUE(obs.cert_days_left.has_value());
  EXPECT_LT(*obs.cert_days_left, 0);
}

TEST_F(TlsFault, TlsProbeSilentServerIsTimeoutAndRefusedIsConnect) {
  TcpServer server(testing::NeverAnswer());
  Target t = Tls(server);
  t.probe.timeout = std::chrono::milliseconds(300);
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kTimeout);
  Target closed =
      AddressTarget(config::ProbeType::kTls, "127.0.0.1:" + std::to_string(testing::ClosedPort()));
  EXPECT_EQ(ProbeOnce(closed).error, ErrorClass::kConnect);
}

}  // namespace
}  // namespace steer::probes
