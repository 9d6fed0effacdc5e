#pragma once

// Shared by the TCP and TLS probers: resolve a host (skipped for IP literals) and connect a
// socket with Asio, timing both phases. Not thread-safe: runs on the socket's io_context.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>

#include "host_port.h"
#include "steer/probes/observation.h"

namespace steer::probes {

inline std::chrono::microseconds SinceUs(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               t);
}

// On failure `failed` is kDns (resolution) or kConnect and `ec` says why. `phases` (resolve,
// connect) must outlive the operation, as must `resolver` and `socket`.
using ConnectDone = std::function<void(const boost::system::error_code& ec, ErrorClass failed)>;
void ResolveAndConnect(boost::asio::ip::tcp::resolver& resolver,
                       boost::asio::ip::tcp::socket& socket, const HostPort& where, Phases& phases,
                       ConnectDone done);

}  // namespace steer::probes
