#include "host_port.h"

#include <charconv>

namespace steer::probes {

Result<HostPort> ParseHostPort(std::string_view text, uint16_t default_port) {
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "missing ']' in '" + std::string(text) + "'");
    }
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() == ':') port_text = rest.substr(1);
  } else {
    size_t colon = text.rfind(':');
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "missing host in '" + std::string(text) + "'");
  }
  if (port_text.empty()) {
    if (default_port == 0) {
      return MakeError(ErrorCode::kInvalidArgument, "missing port in '" + std::string(text) + "'");
    }
    out.port = default_port;
    return out;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
      value > 65535) {
    return MakeError(ErrorCode::kInvalidArgument, "bad port in '" + std::string(text) + "'");
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

}  // namespace steer::probes
