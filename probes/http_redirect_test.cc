// HTTP redirects on real local servers: not followed by default (the 3xx is judged), followed
// with follow_redirects (the last response is judged), and a loop is an http_status failure.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include "testing/probe_test_util.h"

namespace steer::probes {
namespace {

using testing::HttpResponseText;
using testing::HttpTarget;
using testing::TcpServer;

// Answers GET /ok with 200 "ok"; any other path with a 302 to `location`.
testing::ConnectionHandler Redirector(std::string location) {
  return [location](int fd, const std::atomic<bool>&) {
    char buf[4096];
    pollfd p{fd, POLLIN, 0};
    ssize_t n = poll(&p, 1, 2000) == 1 ? recv(fd, buf, sizeof buf - 1, 0) : 0;
    std::string request(buf, n > 0 ? static_cast<size_t>(n) : 0);
    std::string reply = request.rfind("GET /ok ", 0) == 0
                            ? HttpResponseText(200, "ok")
                            : HttpResponseText(302, "", "Location: " + location + "\r\n");
    (void)!send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
  };
}

class HttpRedirect : public testing::FdLeakTest {};

TEST_F(HttpRedirect, NotFollowedByDefault) {
  TcpServer server(Redirector("/ok"));
  Observation obs = ProbeOnce(HttpTarget("http://" + server.address() + "/start"));
  EXPECT_FALSE(obs.ok);
  EXPECT_EQ(obs.http_status, 302);
  EXPECT_EQ(obs.error, ErrorClass::kHttpStatus) << obs.message;
}

TEST_F(HttpRedirect, FollowedWhenAsked) {
  TcpServer server(Redirector("/ok"));
  Target t = HttpTarget("http://" + server.address() + "/start");
  t.probe.follow_redirects = true;
  t.probe.expect.body_contains = "ok";
  Observation obs = ProbeOnce(t);
  EXPECT_TRUE(obs.ok) << obs.message;
  EXPECT_EQ(obs.http_status, 200);
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(HttpRedirect, LoopIsHttpStatusFailure) {
  TcpServer server(Redirector("/again"));
  Target t = HttpTarget("http://" + server.address() + "/start");
  t.probe.follow_redirects = true;
  Observation obs = ProbeOnce(t);
  EXPECT_FALSE(obs.ok);
  EXPECT_EQ(obs.error, ErrorClass::kHttpStatus) << obs.message;
  EXPECT_EQ(server.accepted(), 11);  // the first request and 10 redirects
}

TEST_F(HttpRedirect, OnlyToHttpOrHttps) {
  TcpServer server(Redirector("ftp://127.0.0.1/x"));
  Target t = HttpTarget("http://" + server.address() + "/start");
  t.probe.follow_redirects = true;
  Observation obs = ProbeOnce(t);
  EXPECT_FALSE(obs.ok);
  EXPECT_EQ(server.accepted(), 1);
}

}  // namespace
}  // namespace steer::probes
