#pragma once

// Private to steer_dns: the embedded authoritative server's sockets. UDP and TCP (RFC 7766:
// two-byte length prefix, several queries per connection, answered in order) on each listen
// address. TCP and one UDP socket per address are served by Boost.Asio on one thread of its
// own; each further UDP thread (udp_threads, one per core by default) serves a socket of its
// own on the same address (SO_REUSEPORT) and takes datagrams in batches (recvmmsg / sendmmsg).
// Every query is answered from the ZoneStore's snapshot at the moment it arrives
// (auth_zone.h), so a Store() is served by the next query. TCP connections are closed after
// `tcp_idle_timeout` without a complete query, and at most `max_tcp_connections` are open at once
// (more are closed at accept).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "auth_zone.h"
#include "steer/base/error.h"

namespace steer::dns::auth {

struct ListenAddress {
  std::string host;    // IP literal
  uint16_t port = 53;  // 0: any free port (tests)
};

struct AuthServerOptions {
  std::vector<ListenAddress> listen;
  uint16_t max_udp_size = 1232;
  std::chrono::milliseconds tcp_idle_timeout{10000};
  size_t max_tcp_connections = 256;
  // UDP threads per listen address, each on a socket of its own (SO_REUSEPORT), as gdnsd's
  // udp_threads: while one thread is descheduled the others keep answering. 0: one per core.
  unsigned udp_threads = 0;
};

class AuthServer {
 public:
  // Binds every address (UDP and TCP on the same port) or fails naming the one that could
  // not be bound; then serves until destroyed.
  static Result<std::unique_ptr<AuthServer>> Start(const AuthServerOptions& options,
                                                   std::shared_ptr<const ZoneStore> store);
  virtual ~AuthServer() = default;
  // The bound port of each listen address, in order (the real one when 0 was asked for).
  virtual std::vector<uint16_t> Ports() const = 0;
};

}  // namespace steer::dns::auth
