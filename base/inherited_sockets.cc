// The process-wide set of adopted sockets (inherited_sockets.h).
#include "steer/base/inherited_sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace steer::base {
namespace {

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}

std::vector<int>& Adopted() {  // guarded by Mu()
  static std::vector<int> fds;
  return fds;
}

int TypeOf(int fd) {
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return -1;
  return type;
}

bool Listening(int fd) {
  int on = 0;
  socklen_t len = sizeof on;
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on != 0;
}

bool Matches(int fd, int type, const std::string& host, uint16_t port) {
  if (TypeOf(fd) != type || (type == SOCK_STREAM && !Listening(fd))) return false;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return false;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    in_addr want{};
    return inet_pton(AF_INET, host.c_str(), &want) == 1 && ntohs(a->sin_port) == port &&
           a->sin_addr.s_addr == want.s_addr;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    in6_addr want{};
    return inet_pton(AF_INET6, host.c_str(), &want) == 1 && ntohs(a->sin6_port) == port &&
           std::memcmp(&a->sin6_addr, &want, sizeof want) == 0;
  }
  return false;
}

}  // namespace

void AdoptSockets(const std::vector<int>& fds) {
  std::lock_guard lock(Mu());
  Adopted().insert(Adopted().end(), fds.begin(), fds.end());
}

int TakeInheritedSocket(int type, const std::string& host, uint16_t port) {
  std::lock_guard lock(Mu());
  auto& fds = Adopted();
  auto it =
      std::find_if(fds.begin(), fds.end(), [&](int fd) { return Matches(fd, type, host, port); });
  if (it == fds.end()) return -1;
  int fd = *it;
  fds.erase(it);
  return fd;
}

std::vector<int> TakeRemainingSockets(int type) {
  std::lock_guard lock(Mu());
  auto& fds = Adopted();
  std::vector<int> out;
  auto keep = std::remove_if(fds.begin(), fds.end(), [&](int fd) {
    if (TypeOf(fd) != type) return false;
    out.push_back(fd);
    return true;
  });
  fds.erase(keep, fds.end());
  return out;
}

std::string DescribeSocket(int fd) {
  std::string kind = TypeOf(fd) == SOCK_DGRAM ? "udp" : "tcp";
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  char ip[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (ss.ss_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
      inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
      port = ntohs(a->sin_port);
      return kind + " " + ip + ":" + std::to_string(port);
    }
    if (ss.ss_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
      inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
      port = ntohs(a->sin6_port);
      return kind + " [" + ip + "]:" + std::to_string(port);
    }
  }
  return kind + " descriptor " + std::to_string(fd);
}

}  // namespace steer::base
