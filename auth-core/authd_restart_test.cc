// The built steer-authd restarted 5 times while clients hammer it (keep-alive connections and a
// new connection per request; discovery and token requests). Through a listening socket the
// test holds and passes as descriptor 3 (LISTEN_FDS/LISTEN_PID, as systemd's
// steer-authd.socket does), with SIGTERM's graceful shutdown, no request fails. The same
// restarts with steer-authd binding its port itself refuse some (the test can fail).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "steer/base/http_client.h"
#include "steer/testsupport/process.h"

namespace steer::auth {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using testsupport::TempDir;

// Requests answered (any status below 500) and failed (no answer, or a 5xx), from clients
// that behave as HTTP/1.1 clients do: a request on a reused keep-alive connection that the
// server closed before any byte of the response is sent again on a new connection.
class Load {
 public:
  explicit Load(uint16_t port) : port_(port) {
    for (int i = 0; i < 3; ++i) threads_.emplace_back([this, i] { KeepAlive(i); });
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { NewConnections(); });
  }
  ~Load() { Finish(); }
  void Finish() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int ok() const { return ok_; }
  int failed() const { return failed_; }
  int resent() const { return resent_; }
  std::string errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }

 private:
  void Fail(const std::string& what) {
    ++failed_;
    std::lock_guard lock(mu_);
    if (errors_.size() < 2000) errors_ += what + "\n";
  }

  void Count(int status) { status < 500 ? ++ok_ : (Fail("status " + std::to_string(status)), 0); }

  http::request<http::string_body> Request(int n) {
    if (n % 2 == 0) {
      http::request<http::string_body> r(http::verb::get, "/.well-known/openid-configuration", 11);
      r.set(http::field::host, "127.0.0.1");
      return r;
    }
    http::request<http::string_body> r(http::verb::post, "/token", 11);
    r.set(http::field::host, "127.0.0.1");
    r.set(http::field::content_type, "application/x-www-form-urlencoded");
    r.body() = "grant_type=authorization_code&code=nope&client_id=nobody";
    r.prepare_payload();
    return r;
  }

  void KeepAlive(int seed) {
    net::io_context io;
    std::unique_ptr<tcp::socket> socket;
    boost::beast::flat_buffer buffer;
    for (int n = seed; !stop_; ++n) {
      bool reused = socket != nullptr;
      boost::system::error_code ec;
      if (!socket) {
        socket = std::make_unique<tcp::socket>(io);
        socket->connect({net::ip::make_address("127.0.0.1"), port_}, ec);
        timeval tv{10, 0};
        setsockopt(socket->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (ec) {
          Fail("keep-alive connect: " + ec.message());
          socket.reset();
          continue;
        }
      }
      auto request = Request(n);
      http::write(*socket, request, ec);
      http::response_parser<http::string_body> parser;
      if (!ec) http::read(*socket, buffer, parser, ec);
      if (ec) {
        socket.reset();
        buffer.clear();
        if (reused && !parser.got_some()) {
          ++resent_;
          --n;  // the same request again, on a new connection
          continue;
        }
        Fail("keep-alive: " + ec.message());
        continue;
      }
      Count(parser.get().result_int());
      if (!parser.get().keep_alive()) socket.reset();
    }
  }

  void NewConnections() {
    for (int n = 0; !stop_; ++n) {
      base::HttpRequest r;
      auto request = Request(n);
      r.method = std::string(request.method_string());
      r.url = "http://127.0.0.1:" + std::to_string(port_) + std::string(request.target());
      r.body = request.body();
      if (!r.body.empty()) r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
      auto response = base::SendHttp(r);
      response ? Count(response->status) : Fail("new connection: " + response.error().message);
    }
  }

  uint16_t port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0}, failed_{0}, resent_{0};
  std::mutex mu_;
  std::string errors_;
  std::vector<std::thread> threads_;
};

int ListeningSocket(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  EXPECT_EQ(listen(fd, SOMAXCONN), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

class AuthdRestart : public ::testing::Test {
 protected:
  std::string Configure(uint16_t port) {
    std::string keys = dir_.File("keys");
    EXPECT_EQ(
        testsupport::RunCommand({STEER_AUTHD_PATH, "admin", "keys", "generate", "--dir", keys},
                                dir_.File("keys.log")),
        0);
    std::string p = std::to_string(port);
    return dir_.Write("authd.yaml", "issuer: http://127.0.0.1:" + p +
                                        "\nlisten: {address: 127.0.0.1, port: " + p +
                                        ", shutdown_timeout: 10s}\nkeys_dir: keys\n"
                                        "store: {sqlite: authd.db}\nlog: {level: info}\n");
  }

  std::unique_ptr<testsupport::ChildProcess> Start(const std::string& cfg, int fd) {
    return std::make_unique<testsupport::ChildProcess>(
        std::vector<std::string>{STEER_AUTHD_PATH, "--config", cfg}, dir_.File("authd.log"), fd);
  }

  // Starts steer-authd, then restarts it 5 times under load (SIGTERM, wait for the exit, start
  // the next), and returns the load's counts.
  void RestartUnderLoad(uint16_t port, const std::string& cfg, int fd, Load** out) {
    auto authd = Start(cfg, fd);
    ASSERT_TRUE(testsupport::WaitUntil([&] { return testsupport::TcpPortOpen(port); },
                                       std::chrono::seconds(10)));
    load_ = std::make_unique<Load>(port);
    for (int restart = 0; restart < 5; ++restart) {
      int before = load_->ok();
      ASSERT_TRUE(testsupport::WaitUntil([&] { return load_->ok() >= before + 50; },
                                         std::chrono::seconds(20)))
          << testsupport::ReadFile(dir_.File("authd.log"));
      authd->Stop();  // SIGTERM, then wait for the exit
      ASSERT_TRUE(authd->wait_status().has_value());
      EXPECT_TRUE(WIFEXITED(*authd->wait_status()) && WEXITSTATUS(*authd->wait_status()) == 0);
      authd = Start(cfg, fd);
    }
    int before = load_->ok();
    ASSERT_TRUE(testsupport::WaitUntil([&] { return load_->ok() >= before + 50; },
                                       std::chrono::seconds(20)));
    load_->Finish();
    std::cout << "5 restarts: " << load_->ok() << " requests answered, " << load_->failed()
              << " failed, " << load_->resent()
              << " resent on a new connection (keep-alive closed while idle)\n";
    *out = load_.get();
  }

  TempDir dir_{"steer-authd-restart"};
  std::unique_ptr<Load> load_;
};

TEST_F(AuthdRestart, ThroughAnInheritedSocketNoRequestFails) {
  uint16_t port = 0;
  int fd = ListeningSocket(&port);
  std::string cfg = Configure(port);
  Load* load = nullptr;
  RestartUnderLoad(port, cfg, fd, &load);
  ASSERT_NE(load, nullptr);
  EXPECT_EQ(load->failed(), 0) << load->errors();
  std::string log = testsupport::ReadFile(dir_.File("authd.log"));
  EXPECT_NE(log.find("finishing requests in progress"), std::string::npos) << log;
  close(fd);
}

TEST_F(AuthdRestart, SigtermFinishesARequestInProgress) {
  uint16_t port = 0;
  int fd = ListeningSocket(&port);
  std::string cfg = Configure(port);
  auto authd = Start(cfg, fd);
  ASSERT_TRUE(testsupport::WaitUntil([&] { return testsupport::TcpPortOpen(port); },
                                     std::chrono::seconds(10)));
  net::io_context io;
  tcp::socket socket(io);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  timeval tv{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  const std::string head = "GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> first, second;
  net::write(socket, net::buffer(head + "\r\n"));
  http::read(socket, buffer, first);
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_TRUE(first.keep_alive()) << first;
  net::write(socket, net::buffer(head));  // the next request, in part: a slow client
  kill(authd->pid(), SIGTERM);
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        return testsupport::ReadFile(dir_.File("authd.log")).find("finishing requests") !=
               std::string::npos;
      },
      std::chrono::seconds(10)));
  boost::system::error_code ec;
  net::write(socket, net::buffer(std::string("\r\n")), ec);
  if (!ec) http::read(socket, buffer, second, ec);
  EXPECT_FALSE(ec) << ec.message() << testsupport::ReadFile(dir_.File("authd.log"));
  EXPECT_EQ(second.result_int(), 200);
  char byte;
  socket.read_some(net::buffer(&byte, 1), ec);  // then the connection closes
  EXPECT_EQ(ec, net::error::eof) << ec.message();
  EXPECT_TRUE(testsupport::WaitUntil([&] { return !authd->Running(); }, std::chrono::seconds(10)));
  ASSERT_TRUE(authd->wait_status().has_value());
  EXPECT_TRUE(WIFEXITED(*authd->wait_status()) && WEXITSTATUS(*authd->wait_status()) == 0);
  close(fd);
}

TEST_F(AuthdRestart, BindingItsOwnPortRefusesConnections) {
  uint16_t port = testsupport::FreePort();
  std::string cfg = Configure(port);
  Load* load = nullptr;
  RestartUnderLoad(port, cfg, -1, &load);
  ASSERT_NE(load, nullptr);
  EXPECT_GT(load->failed(), 0);
}

}  // namespace
}  // namespace steer::auth
