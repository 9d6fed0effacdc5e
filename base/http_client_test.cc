#include "steer/base/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "steer/base/http_server.h"
#include "steer/testsupport/test_pki.h"

namespace steer::base {
namespace {

// One connection on a loopback port chosen by the kernel; answers `reply` to the first request
// and keeps what it received.
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 1);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotServer() {
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  const std::string& received() const { return received_; }

 private:
  void Serve() {
    int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    char buf[4096];
    while (received_.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      received_.append(buf, static_cast<size_t>(n));
    }
    if (write(c, reply_.data(), reply_.size()) < 0) received_ += "<write failed>";
    close(c);
  }

  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::string received_;
  std::thread thread_;
};

TEST(HttpClientTest, StatusHeadersAndBodyAreAResponse) {
  OneShotServer server(
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 4\r\n"
      "Connection: close\r\n\r\nbusy");
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/x";
  req.headers = {{"X-Test", "1"}};
  auto resp = MakeCurlHttpClient()->Send(req);
  ASSERT_TRUE(resp) << resp.error().message;
  EXPECT_EQ(resp->status, 503);
  EXPECT_EQ(resp->body, "busy");
  EXPECT_EQ(resp->Header("retry-after"), "7");
  EXPECT_NE(server.received().find("X-Test: 1"), std::string::npos);
}

TEST(HttpClientTest, TransportErrorNamesHostButNeverPathOrCredentials) {
  HttpRequest req;
  req.method = "POST";
  req.url = "http://user:hunter2@127.0.0.1:1/services/T0KEN?key=s3cret";
  req.timeout = std::chrono::milliseconds(2000);
  auto resp = SendHttp(req);
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(resp.error().message.find("POST 127.0.0.1:1"), std::string::npos)
      << resp.error().message;
  for (const char* secret : {"T0KEN", "s3cret", "hunter2", "user"}) {
    EXPECT_EQ(resp.error().message.find(secret), std::string::npos) << resp.error().message;
  }
}

TEST(HttpClientTest, OnlyHttpAndHttps) {
  HttpRequest req;
  req.url = "file:///etc/passwd";
  auto resp = SendHttp(req);
  ASSERT_FALSE(resp);
}

// An https server with a certificate of a test CA: the request's ca_file is what verifies it,
// and cert_file/key_file are handed to TLS (a missing client certificate file is refused).
class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = pki_.Issue("server", {"127.0.0.1"}, -1, 30);
    client_ = pki_.Issue("client", {"client"}, -1, 30);
    HttpServerOptions options;
    options.tls_cert_file = cert.cert_pem;
    options.tls_key_file = cert.key_pem;
    auto server = HttpServer::Start(options, [](const ServerRequest&) {
      ServerResponse out;
      out.body = "ok";
      return out;
    });
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    request_.url = "https://127.0.0.1:" + std::to_string(server_->port()) + "/p?token=s3cret";
    request_.timeout = std::chrono::milliseconds(5000);
  }
  testsupport::TestPki pki_;
  testsupport::CertFiles client_;
  std::unique_ptr<HttpServer> server_;
  HttpRequest request_;
};

TEST_F(HttpsClientTest, TheCaFileVerifiesTheServer) {
  request_.ca_file = pki_.ca_file();
  auto resp = SendHttp(request_);
  ASSERT_TRUE(resp) << resp.error().message;
  EXPECT_EQ(resp->body, "ok");
}

TEST_F(HttpsClientTest, WithoutTheCaFileVerificationFailsAndSaysWhy) {
  auto resp = SendHttp(request_);  // the system store does not know the test CA
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(resp.error().message.find("certificate"), std::string::npos) << resp.error().message;
  EXPECT_EQ(resp.error().message.find("s3cret"), std::string::npos) << resp.error().message;
}

TEST_F(HttpsClientTest, TheClientCertificateIsSent) {
  request_.ca_file = pki_.ca_file();
  request_.cert_file = client_.cert_pem;
  request_.key_file = client_.key_pem;
  auto resp = SendHttp(request_);  // the server does not ask for it: still fine
  ASSERT_TRUE(resp) << resp.error().message;
  request_.cert_file = pki_.dir() + "/missing.crt";
  resp = SendHttp(request_);
  ASSERT_FALSE(resp);
  EXPECT_NE(resp.error().message.find("certificate"), std::string::npos) << resp.error().message;
}

}  // namespace
}  // namespace steer::base
