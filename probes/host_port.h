#pragma once

// "host:port" and "[v6]:port" parsing for tcp, tls and dns targets. Thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "steer/base/error.h"

namespace steer::probes {

struct HostPort {
  std::string host;  // without brackets
  uint16_t port = 0;
};

// `default_port` applies when the port is omitted (0 = a port is required).
Result<HostPort> ParseHostPort(std::string_view text, uint16_t default_port = 0);

}  // namespace steer::probes
