// InheritedListenSocket(): socket activation through libsystemd's sd_listen_fds.
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cstring>
#include <string>

#include "steer/base/http_server.h"

namespace steer::base {

Result<int> InheritedListenSocket() {
  int n = sd_listen_fds(1);  // unsets LISTEN_PID/LISTEN_FDS; the descriptors get FD_CLOEXEC
  if (n < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string("socket activation: ") + std::strerror(-n));
  }
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
