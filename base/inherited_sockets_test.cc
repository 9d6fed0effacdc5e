// The adopted-socket set with real sockets on loopback.
#include "steer/base/inherited_sockets.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace steer::base {
namespace {

// A socket of `type` bound to 127.0.0.1:0 (listening for TCP); its port in *port.
int Bound(int type, uint16_t* port, bool listen_too = true) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  if (type == SOCK_STREAM && listen_too) {
    EXPECT_EQ(listen(fd, 8), 0);
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

TEST(InheritedSockets, EachListenerTakesItsOwnByTypeAndAddress) {
  uint16_t tcp_port = 0, udp_port = 0, idle_port = 0;
  int tcp_fd = Bound(SOCK_STREAM, &tcp_port);
  int udp_fd = Bound(SOCK_DGRAM, &udp_port);
  int idle_fd = Bound(SOCK_STREAM, &idle_port, false);  // bound, not listening
  AdoptSockets({tcp_fd, udp_fd, idle_fd});
  EXPECT_EQ(TakeInheritedSocket(SOCK_DGRAM, "127.0.0.1", tcp_port), -1);   // wrong port
  EXPECT_EQ(TakeInheritedSocket(SOCK_STREAM, "127.0.0.2", tcp_port), -1);  // wrong address
  EXPECT_EQ(TakeInheritedSocket(SOCK_STREAM, "::1", tcp_port), -1);
  EXPECT_EQ(TakeInheritedSocket(SOCK_STREAM, "127.0.0.1", idle_port), -1);  // not listening
  EXPECT_EQ(TakeInheritedSocket(SOCK_STREAM, "127.0.0.1", tcp_port), tcp_fd);
  EXPECT_EQ(TakeInheritedSocket(SOCK_STREAM, "127.0.0.1", tcp_port), -1);  // taken once
  EXPECT_EQ(DescribeSocket(udp_fd), "udp 127.0.0.1:" + std::to_string(udp_port));
  EXPECT_EQ(TakeRemainingSockets(SOCK_DGRAM), std::vector<int>{udp_fd});
  EXPECT_EQ(TakeRemainingSockets(SOCK_STREAM), std::vector<int>{idle_fd});
  EXPECT_TRUE(TakeRemainingSockets(SOCK_STREAM).empty());
  for (int fd : {tcp_fd, udp_fd, idle_fd}) close(fd);
}

TEST(InheritedSockets, NothingAdoptedWithoutListenFds) {
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  auto n = AdoptInheritedSockets();
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 0u);
}

}  // namespace
}  // namespace steer::base
