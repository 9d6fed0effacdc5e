// InheritedListenSocket(): socket activation through libsystemd's sd_listen_fds.
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "steer/base/http_server.h"
#include "steer/base/inherited_sockets.h"

namespace steer::base {

namespace {

// LISTEN_FDS in the environment means a socket unit (or a parent) meant to pass a socket. When
// sd_listen_fds() then finds none (LISTEN_FDS=0, or LISTEN_PID names another process because
// a wrapper forked), binding `listen` instead would fail on the port the socket unit holds, or
// worse, serve a second socket that a restart does not keep: refuse with the reason.
Result<int> NothingPassed(const std::string& fds, const std::optional<std::string>& pid) {
  std::string why = "LISTEN_FDS=" + fds;
  if (!pid) {
    why += " without LISTEN_PID";
  } else if (std::to_string(getpid()) != *pid) {
    why += " for process " + *pid + ", not this one (" + std::to_string(getpid()) +
           "); was the daemon started through a wrapper that forked?";
  } else {
    why += ": no descriptor (check the socket unit's ListenStream=)";
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "socket activation: a socket was to be passed but none was: " + why);
}

// The descriptors passed to this process (3 .. 3+n-1), or why socket activation was meant
// and failed.
Result<int> PassedCount() {
  // Copied before sd_listen_fds() unsets them.
  const char* fds_env = std::getenv("LISTEN_FDS");
  const char* pid_env = std::getenv("LISTEN_PID");
  std::optional<std::string> fds, pid;
  if (fds_env != nullptr) fds = fds_env;
  if (pid_env != nullptr) pid = pid_env;
  int n = sd_listen_fds(1);  // unsets LISTEN_PID/LISTEN_FDS; the descriptors get FD_CLOEXEC
  if (n <= 0 && fds) return NothingPassed(*fds, pid);  // LISTEN_FDS=0 gives -EINVAL
  if (n < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string("socket activation: ") + std::strerror(-n));
  }
  return n;
}

}  // namespace

Result<size_t> AdoptInheritedSockets() {
  auto n = PassedCount();
  if (!n) return tl::unexpected(n.error());
  std::vector<int> fds;
  for (int i = 0; i < *n; ++i) fds.push_back(SD_LISTEN_FDS_START + i);
  AdoptSockets(fds);
  return fds.size();
}

Result<int> InheritedListenSocket() {
  auto passed = PassedCount();
  if (!passed) return tl::unexpected(passed.error());
  int n = *passed;
  if (n == 0) return -1;
  if (n > 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "socket activation: expected 1 listening socket, got " + std::to_string(n));
  }
  int fd = SD_LISTEN_FDS_START;
  if (sd_is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, 1, 0) <= 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "socket activation: descriptor 3 is not a listening TCP socket "
                     "(ListenStream= must be an address and port)");
  }
  return fd;
}

}  // namespace steer::base
