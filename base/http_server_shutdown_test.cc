// HttpServer::Shutdown (the graceful stop of a restart) and serving an inherited listening
// socket (socket activation).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "http_test_client.h"
#include "steer/base/http_server.h"

namespace steer::base {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using testing::LoopbackClient;
using testing::Refused;
using testing::Reply;

// A handler whose /slow blocks until released.
struct Gate {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};
  HttpServer::Handler Handler() {
    return [this](const ServerRequest& r) {
      ServerResponse res;
      if (r.path == "/slow") {
        entered.set_value();
        released.wait();
      }
      res.body = "done " + r.path;
      return res;
    };
  }
};

TEST(HttpServerShutdown, FinishesTheRequestInProgressThenCloses) {
  Gate gate;
  HttpServerOptions options;
  options.threads = 2;  // one is held by /slow; Shutdown closes the acceptor on another
  auto server = HttpServer::Start(options, gate.Handler()).value();
  uint16_t port = server->port();
  LoopbackClient client(port);
  client.SendRaw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  gate.entered.get_future().wait();
  auto open = std::async(std::launch::async, [&] { return server->Shutdown(milliseconds(10000)); });
  while (!Refused(port)) std::this_thread::yield();  // no longer accepting
  gate.release.set_value();
  Reply reply = client.Read();
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(reply.body(), "done /slow");
  EXPECT_TRUE(client.Closed());
  EXPECT_EQ(open.get(), 0u);
}

TEST(HttpServerShutdown, ClosesIdleKeepAliveConnections) {
  Gate gate;
  auto server = HttpServer::Start({}, gate.Handler()).value();
  LoopbackClient client(server->port());
  EXPECT_EQ(client.Get("/a").body(), "done /a");
  EXPECT_EQ(client.Get("/b").body(), "done /b");
  EXPECT_EQ(server->Shutdown(milliseconds(10000)), 0u);  // without waiting for the deadline
  EXPECT_TRUE(client.Closed());
}

TEST(HttpServerShutdown, ServesARequestThatArrivesInPiecesDuringShutdown) {
  Gate gate;
  auto server = HttpServer::Start({}, gate.Handler()).value();
  uint16_t port = server->port();
  LoopbackClient client(port);
  EXPECT_EQ(client.Get("/first").body(), "done /first");
  client.SendRaw("GET /second HTTP/1.1\r\n");  // on loopback, in the server's queue once sent
  auto open = std::async(std::launch::async, [&] { return server->Shutdown(milliseconds(10000)); });
  while (!Refused(port)) std::this_thread::yield();
  client.SendRaw("Host: x\r\n\r\n");
  Reply reply = client.Read();
  EXPECT_EQ(reply.body(), "done /second");
  EXPECT_FALSE(reply.keep_alive());
  EXPECT_EQ(open.get(), 0u);
}

TEST(HttpServerShutdown, GivesUpOnAConnectionAtTheDeadline) {
  Gate gate;
  auto server = HttpServer::Start({}, gate.Handler()).value();
  LoopbackClient silent(server->port());  // never sends a request
  // Accepted in order: once a later connection is served, `silent` has been accepted.
  EXPECT_EQ(LoopbackClient(server->port()).Get("/later").body(), "done /later");
  EXPECT_EQ(server->Shutdown(milliseconds(100)), 1u);
  EXPECT_EQ(server->Shutdown(milliseconds(100)), 0u);  // stopped: returns at once
  server.reset();                                      // closes what is still open
  EXPECT_TRUE(silent.Closed());
}

// A listening socket created here and also held here, as systemd holds it: connections made
// between one server's Shutdown() and the next server's start wait in its queue.
int ListeningSocket(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  EXPECT_EQ(listen(fd, 64), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

TEST(HttpServerShutdown, HandsAnInheritedSocketToTheNextServer) {
  uint16_t port = 0;
  int held = ListeningSocket(&port);
  Gate gate;
  HttpServerOptions options;
  options.listen_fd = dup(held);
  auto first = HttpServer::Start(options, gate.Handler()).value();
  EXPECT_EQ(first->port(), port);
  EXPECT_EQ(LoopbackClient(port).Get("/one").body(), "done /one");
  EXPECT_EQ(first->Shutdown(milliseconds(10000)), 0u);
  LoopbackClient waiting(port);  // queued by the kernel: no server accepts now
  waiting.SendRaw("GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
  options.listen_fd = dup(held);
  auto second = HttpServer::Start(options, gate.Handler()).value();
  EXPECT_EQ(waiting.Read().body(), "done /two");
  close(held);
}

TEST(HttpServerShutdown, RefusesAnInheritedDescriptorThatIsNotASocket) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  HttpServerOptions options;
  options.listen_fd = fds[0];
  Gate gate;
  auto server = HttpServer::Start(options, gate.Handler());
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().message,
            "inherited descriptor " + std::to_string(fds[0]) + " is not a TCP socket");
  close(fds[0]);
  close(fds[1]);
}

TEST(InheritedListenSocket, NoneWithoutListenFds) {
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  EXPECT_EQ(InheritedListenSocket().value(), -1);
}

}  // namespace
}  // namespace steer::base
