// base::HttpServer against hostile or numerous clients, over real loopback sockets: header and
// idle timeouts (slowloris), oversize headers, the connection cap, mutual TLS and the
// certificate reload.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "steer/base/http_server.h"
#include "steer/testsupport/test_pki.h"

namespace steer::base {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr char kGet[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

class Conn {
 public:
  explicit Conn(uint16_t port) : socket_(io_) {
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
  }
  bool Send(const std::string& bytes) {
    boost::system::error_code ec;
    net::write(socket_, net::buffer(bytes), ec);
    return !ec;
  }
  // Everything until the server closes or `limit` bytes; "" when closed with nothing.
  std::string ReadSome() {
    char buf[4096];
    boost::system::error_code ec;
    size_t n = socket_.read_some(net::buffer(buf), ec);
    return ec ? "" : std::string(buf, n);
  }
  // True once the server has closed its side (end of stream or reset).
  bool Closed() {
    char c;
    boost::system::error_code ec;
    socket_.read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  net::io_context io_;
  tcp::socket socket_;
};

ServerResponse Ok(const ServerRequest&) {
  ServerResponse r;
  r.body = "ok";
  return r;
}

std::unique_ptr<HttpServer> Serve(const HttpServerOptions& o) {
  auto s = HttpServer::Start(o, Ok);
  EXPECT_TRUE(s) << s.error().message;
  return s ? std::move(*s) : nullptr;
}

TEST(HttpServerLimitsTest, HeadersOverTheLimitGet431AndTheServerGoesOn) {
  HttpServerOptions o;
  o.max_header_bytes = 1024;
  auto server = Serve(o);
  Conn big(server->port());
  big.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  std::string reply = big.ReadSome();
  EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u) << reply;
  EXPECT_TRUE(big.Closed());
  Conn ok(server->port());
  ok.Send(kGet);
  EXPECT_EQ(ok.ReadSome().rfind("HTTP/1.1 200", 0), 0u);
}

// One header byte every 50 ms: a request that never completes its headers is cut off at the
// header timeout, long before the read timeout, while a normal client is served meanwhile.
TEST(HttpServerLimitsTest, SlowlorisIsCutOffAtTheHeaderTimeout) {
  HttpServerOptions o;
  o.read_timeout = milliseconds(10000);
  o.header_timeout = milliseconds(400);
  auto server = Serve(o);
  Conn slow(server->port());
  auto start = Clock::now();
  std::atomic<bool> cut{false};
  std::thread drip([&] {
    std::string bytes =
        "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for (size_t i = 0; i < bytes.size() && !cut; ++i) {
      if (!slow.Send(bytes.substr(i, 1))) break;
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  Conn normal(server->port());
  normal.Send(kGet);
  EXPECT_EQ(normal.ReadSome().rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_TRUE(slow.Closed());
  cut = true;
  drip.join();
  auto took = Clock::now() - start;
  EXPECT_GE(took, milliseconds(400));
  EXPECT_LT(took, milliseconds(2000));
}

// A kept-alive connection is closed after idle_timeout without a next request; the header
// timeout then applies from the next request's first byte, not from the previous response.
TEST(HttpServerLimitsTest, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  HttpServerOptions o;
  o.read_timeout = milliseconds(10000);
  o.header_timeout = milliseconds(300);
  o.idle_timeout = milliseconds(900);
  auto server = Serve(o);
  Conn busy(server->port());
  busy.Send(kGet);
  EXPECT_EQ(busy.ReadSome().rfind("HTTP/1.1 200", 0), 0u);
  std::this_thread::sleep_for(milliseconds(500));  // idle, past the header timeout
  // Timed from before the request: the server's idle timer starts when it has written the
  // response, which may be before this thread has read it (a start taken after the read made
  // the test fail at 895 ms).
  auto start = Clock::now();
  busy.Send(kGet);
  EXPECT_EQ(busy.ReadSome().rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_TRUE(busy.Closed());
  auto took = Clock::now() - start;
  EXPECT_GE(took, milliseconds(900));
  EXPECT_LT(took, milliseconds(3000));
}

// With max_connections open, the next connection is closed at once, without a response; once
// one closes, a new connection is served.
TEST(HttpServerLimitsTest, ConnectionsOverTheCapAreClosedAtOnce) {
  HttpServerOptions o;
  o.max_connections = 2;
  auto server = Serve(o);
  auto a = std::make_unique<Conn>(server->port());
  Conn b(server->port());
  a->Send(kGet);
  b.Send(kGet);
  EXPECT_EQ(a->ReadSome().rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(b.ReadSome().rfind("HTTP/1.1 200", 0), 0u);
  Conn over(server->port());
  over.Send(kGet);
  EXPECT_TRUE(over.Closed());
  a.reset();  // frees a slot once the server sees the close
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    Conn next(server->port());
    next.Send(kGet);
    served = next.ReadSome().rfind("HTTP/1.1 200", 0) == 0;
    if (!served) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(served);
}

struct TlsResult {
  bool ok = false;
  std::string reply;
  long serial = -1;  // of the server's certificate
};

// One GET over TLS, verifying the server with `ca`; with a client certificate when given.
TlsResult TlsGet(uint16_t port, const std::string& ca, const testsupport::CertFiles* client) {
  TlsResult out;
  net::io_context io;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(ca);
  ctx.set_verify_mode(ssl::verify_peer);
  if (client) {
    ctx.use_certificate_chain_file(client->cert_pem);
    ctx.use_private_key_file(client->key_pem, ssl::context::pem);
  }
  ssl::stream<tcp::socket> s(io, ctx);
  boost::system::error_code ec;
  s.next_layer().connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) s.handshake(ssl::stream_base::client, ec);
  if (ec) return out;
  if (X509* cert = SSL_get1_peer_certificate(s.native_handle())) {
    out.serial = ASN1_INTEGER_get(X509_get_serialNumber(cert));
    X509_free(cert);
  }
  net::write(s, net::buffer(std::string(kGet)), ec);
  char buf[4096];
  size_t n = ec ? 0 : s.read_some(net::buffer(buf), ec);
  out.reply.assign(buf, n);
  out.ok = !ec && out.reply.rfind("HTTP/1.1 200", 0) == 0;
  return out;
}

TEST(HttpServerLimitsTest, MutualTlsRefusesAClientWithoutACertificateSignedByTheCa) {
  testsupport::TestPki pki, other;
  auto server_cert = pki.Issue("server", {"127.0.0.1"}, -1, 30);
  auto client = pki.Issue("client", {"operator"}, -1, 30);
  auto stranger = other.Issue("stranger", {"operator"}, -1, 30);
  HttpServerOptions o;
  o.tls_cert_file = server_cert.cert_pem;
  o.tls_key_file = server_cert.key_pem;
  o.tls_client_ca_file = pki.ca_file();
  auto server = Serve(o);
  EXPECT_FALSE(TlsGet(server->port(), pki.ca_file(), nullptr).ok);
  EXPECT_FALSE(TlsGet(server->port(), pki.ca_file(), &stranger).ok);
  EXPECT_TRUE(TlsGet(server->port(), pki.ca_file(), &client).ok);
}

TEST(HttpServerLimitsTest, ReloadTlsServesTheNewCertificateAndRefusesABadOne) {
  testsupport::TestPki pki;
  auto first = pki.Issue("first", {"127.0.0.1"}, -1, 30);
  auto second = pki.Issue("second", {"127.0.0.1"}, -1, 30);
  HttpServerOptions o;
  o.tls_cert_file = first.cert_pem;
  o.tls_key_file = first.key_pem;
  auto server = Serve(o);
  TlsResult before = TlsGet(server->port(), pki.ca_file(), nullptr);
  ASSERT_TRUE(before.ok) << before.reply;
  ASSERT_TRUE(server->ReloadTls(second.cert_pem, second.key_pem, ""));
  TlsResult after = TlsGet(server->port(), pki.ca_file(), nullptr);
  EXPECT_TRUE(after.ok);
  EXPECT_NE(after.serial, before.serial);
  // A key that does not match, a missing file and a garbage CA: refused, the second stays.
  auto mismatched = server->ReloadTls(first.cert_pem, second.key_pem, "");
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().message.find("does not match"), std::string::npos);
  EXPECT_FALSE(server->ReloadTls(pki.dir() + "/missing.crt", first.key_pem, ""));
  std::ofstream(pki.dir() + "/garbage.pem") << "not a certificate\n";
  EXPECT_FALSE(server->ReloadTls(first.cert_pem, first.key_pem, pki.dir() + "/garbage.pem"));
  TlsResult still = TlsGet(server->port(), pki.ca_file(), nullptr);
  EXPECT_TRUE(still.ok);
  EXPECT_EQ(still.serial, after.serial);
}

TEST(HttpServerLimitsTest, ReloadTlsOfAPlainServerIsRefused) {
  testsupport::TestPki pki;
  auto cert = pki.Issue("server", {"127.0.0.1"}, -1, 30);
  auto server = Serve(HttpServerOptions{});
  auto r = server->ReloadTls(cert.cert_pem, cert.key_pem, "");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("plain HTTP"), std::string::npos);
}

}  // namespace
}  // namespace steer::base
