#include "text_checks.h"

#include <arpa/inet.h>

#include <algorithm>
#include <regex>

namespace steer::config {

// Lowercase, for case-insensitive DNS name comparison.
std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool IsIPv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool IsIPv6(const std::string& s) {
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool IsHostname(const std::string& s) {
  static const std::regex kHost(
      R"(^([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$)");
  return !s.empty() && s.size() <= 254 && std::regex_match(s, kHost);
}

// host:port or [v6]:port with a port in 1..65535.
bool IsHostPort(const std::string& s) {
  std::string host, port;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find("]:");
    if (close == std::string::npos) return false;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    if (!IsIPv6(host)) return false;
  } else {
    size_t colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (!IsIPv4(host) && !IsHostname(host)) return false;
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int p = std::stoi(port);
  return p >= 1 && p <= 65535;
}

bool IsIpPort(const std::string& s) {
  if (!IsHostPort(s)) return false;
  return s[0] == '[' || IsIPv4(s.substr(0, s.rfind(':')));
}

bool IsNetwork(const std::string& s) {
  size_t slash = s.find('/');
  std::string ip = s.substr(0, slash);
  bool v4 = IsIPv4(ip);
  if (!v4 && !IsIPv6(ip)) return false;
  if (slash == std::string::npos) return true;
  std::string bits = s.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 ||
      !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return std::stoi(bits) <= (v4 ? 32 : 128);
}

bool IsLoopbackHostPort(const std::string& s) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (Lower(host) == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

// user:password@ in a URL is a secret written inline.
bool UrlHasPassword(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
  std::string authority = url.substr(scheme_end + 3, authority_end == std::string::npos
                                                         ? std::string::npos
                                                         : authority_end - scheme_end - 3);
  size_t at = authority.find('@');
  return at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos;
}

bool IsSensitiveHeader(const std::string& name) {
  std::string n = Lower(name);
  return n == "authorization" || n == "proxy-authorization" || n == "cookie" || n == "x-api-key" ||
         n == "x-auth-token";
}

}  // namespace steer::config
