#include "steer/base/http_server.h"

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "http_test_client.h"
#include "steer/testsupport/test_pki.h"

namespace steer::base {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using testing::LoopbackClient;
using testing::Refused;
using testing::Reply;

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    auto s = HttpServer::Start(options, [this](const ServerRequest& r) {
      ++calls_;
      ServerResponse out;
      out.status = 201;
      out.content_type = "text/plain";
      out.body = r.method + " " + r.path + " ?" + r.query + " " + r.Header("x-test") + " " +
                 r.body + " from " + r.remote_ip;
      return out.With("Set-Cookie", "a=1").With("Set-Cookie", "b=2").With("X-Extra", "yes");
    });
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
  }
  std::atomic<int> calls_{0};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesTwoRequestsOnOneKeptAliveConnection) {
  StartServer();
  ASSERT_NE(server_->port(), 0);
  EXPECT_EQ(server_->address(), "127.0.0.1:" + std::to_string(server_->port()));
  LoopbackClient c(server_->port());
  Reply first = c.Exchange(http::verb::get, "/one?x=1");
  EXPECT_EQ(first.body(), "GET /one ?x=1 a; b  from 127.0.0.1");
  EXPECT_TRUE(first.keep_alive());
  Reply second = c.Exchange(http::verb::post, "/two", "hello");
  EXPECT_EQ(second.body(), "POST /two ? a; b hello from 127.0.0.1");
  EXPECT_EQ(calls_, 2);
}

// A handler that throws (a defect: handlers return errors as values) costs its request a 500,
// not the process: before, the exception left the server thread and called std::terminate.
TEST(HttpServerHandlerTest, AnExceptionFromTheHandlerIsA500AndTheServerGoesOn) {
  auto s = HttpServer::Start({}, [](const ServerRequest& r) {
    if (r.path == "/throw") throw std::runtime_error("boom");
    if (r.path == "/throw-int") throw 7;
    ServerResponse out;
    out.body = "fine";
    return out;
  });
  ASSERT_TRUE(s) << s.error().message;
  LoopbackClient c((*s)->port());
  EXPECT_EQ(c.Exchange(http::verb::get, "/throw").result_int(), 500);
  LoopbackClient d((*s)->port());
  EXPECT_EQ(d.Exchange(http::verb::get, "/throw-int").result_int(), 500);
  LoopbackClient e((*s)->port());
  Reply ok = e.Exchange(http::verb::get, "/");
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(ok.body(), "fine");
}

TEST_F(HttpServerTest, ReturnsTheHandlersStatusAndHeaders) {
  StartServer();
  LoopbackClient c(server_->port());
  Reply r = c.Exchange(http::verb::get, "/");
  EXPECT_EQ(r.result_int(), 201);
  EXPECT_EQ(r[http::field::content_type], "text/plain");
  EXPECT_EQ(r["X-Extra"], "yes");
  EXPECT_EQ(r["X-Content-Type-Options"], "nosniff");
  std::vector<std::string> cookies;
  for (auto it = r.find(http::field::set_cookie);
       it != r.end() && it->name_string() == "Set-Cookie"; ++it) {
    cookies.emplace_back(it->value());
  }
  EXPECT_EQ(cookies, (std::vector<std::string>{"a=1", "b=2"}));
  Reply head = c.Exchange(http::verb::head, "/");
  EXPECT_EQ(head.result_int(), 201);
  EXPECT_EQ(head.body(), "");
}

TEST_F(HttpServerTest, RefusesABodyOverTheLimitWith413AndCloses) {
  HttpServerOptions o;
  o.max_body_bytes = 100;
  StartServer(o);
  LoopbackClient ok(server_->port());
  EXPECT_EQ(ok.Exchange(http::verb::post, "/", std::string(100, 'a')).result_int(), 201);
  LoopbackClient big(server_->port());
  Reply r = big.Exchange(http::verb::post, "/", std::string(101, 'a'));
  EXPECT_EQ(r.result_int(), 413);
  EXPECT_NE(r.body().find("too large"), std::string::npos);
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(big.Closed());
  EXPECT_EQ(calls_, 1);
}

// An idle keep-alive connection and a request that stops half way are closed once read_timeout
// has passed, and not before.
TEST_F(HttpServerTest, ClosesIdleAndStalledConnectionsAfterTheReadTimeout) {
  using std::chrono::steady_clock;
  HttpServerOptions o;
  o.read_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  auto start = steady_clock::now();
  LoopbackClient idle(server_->port());
  EXPECT_EQ(idle.Exchange(http::verb::get, "/").result_int(), 201);
  LoopbackClient stalled(server_->port());
  stalled.SendRaw("GET / HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(idle.Closed());
  EXPECT_TRUE(stalled.Closed());
  EXPECT_GE(steady_clock::now() - start, o.read_timeout);
  EXPECT_EQ(calls_, 1);
}

// A TLS client that never completes its handshake is closed after read_timeout too.
TEST_F(HttpServerTest, ClosesAStalledTlsHandshakeAfterTheReadTimeout) {
  testsupport::TestPki pki;
  auto cert = pki.Issue("server", {"127.0.0.1"}, -1, 30);
  HttpServerOptions o;
  o.tls_cert_file = cert.cert_pem;
  o.tls_key_file = cert.key_pem;
  o.read_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  auto start = std::chrono::steady_clock::now();
  LoopbackClient silent(server_->port());
  EXPECT_TRUE(silent.Closed());
  EXPECT_GE(std::chrono::steady_clock::now() - start, o.read_timeout);
}

// The timeout bounds each read, not the connection: requests that keep coming within it keep
// the connection open for longer than the timeout in all.
TEST_F(HttpServerTest, EveryRequestRestartsTheReadTimeout) {
  HttpServerOptions o;
  o.read_timeout = std::chrono::milliseconds(500);
  StartServer(o);
  LoopbackClient c(server_->port());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(c.Exchange(http::verb::get, "/").result_int(), 201);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(c.Exchange(http::verb::get, "/").result_int(), 201);
  EXPECT_EQ(calls_, 5);
}

TEST_F(HttpServerTest, TakenPortAndBadAddressFailStart) {
  StartServer();
  HttpServerOptions o;
  o.port = server_->port();
  EXPECT_FALSE(HttpServer::Start(o, [](const ServerRequest&) { return ServerResponse{}; }));
  o.port = 0;
  o.address = "not-an-address";
  EXPECT_FALSE(HttpServer::Start(o, [](const ServerRequest&) { return ServerResponse{}; }));
}

TEST_F(HttpServerTest, PlainHttpOffLoopbackRefusedWhenAsked) {
  HttpServerOptions o;
  o.address = "0.0.0.0";
  o.plain_http_loopback_only = true;
  EXPECT_FALSE(HttpServer::Start(o, [](const ServerRequest&) { return ServerResponse{}; }));
}

TEST_F(HttpServerTest, StopIsIdempotentAndEndsServing) {
  StartServer();
  uint16_t port = server_->port();
  server_->Stop();
  server_->Stop();
  EXPECT_TRUE(Refused(port));  // the listener is closed
  EXPECT_EQ(calls_, 0);
}

// Sockets of process `pid`, from /proc.
int SocketCount(pid_t pid) {
  int n = 0;
  for (const auto& fd :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(fd.path(), ec).string().rfind("socket:", 0) == 0) ++n;
  }
  return n;
}

// A child started while the server runs inherits neither its listener nor its connections.
TEST_F(HttpServerTest, ChildProcessesDoNotInheritTheSockets) {
  StartServer();
  LoopbackClient c(server_->port());  // the test's own socket, inherited: the child's only one
  EXPECT_EQ(c.Exchange(http::verb::get, "/").result_int(), 201);
  pid_t child = 0;
  char sleep_path[] = "/bin/sleep", arg[] = "60";
  char* argv[] = {sleep_path, arg, nullptr};
  ASSERT_EQ(posix_spawn(&child, sleep_path, nullptr, nullptr, argv, environ), 0);
  EXPECT_EQ(SocketCount(child), 1);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

TEST(ParseListenTest, Forms) {
  EXPECT_EQ(*ParseListen("127.0.0.1:9053"), std::make_pair(std::string("127.0.0.1"), 9053));
  EXPECT_EQ(*ParseListen("[::1]:0"), std::make_pair(std::string("::1"), 0));
  EXPECT_FALSE(ParseListen("127.0.0.1"));
  EXPECT_FALSE(ParseListen("127.0.0.1:99999"));
  EXPECT_FALSE(ParseListen("127.0.0.1:x"));
}

}  // namespace
}  // namespace steer::base
