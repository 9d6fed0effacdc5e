#pragma once

// Small predicates over the text of policy values (addresses, names, URLs). Pure, thread-safe.

#include <string>

namespace steer::config {

std::string Lower(std::string s);
bool IsIPv4(const std::string& s);
bool IsIPv6(const std::string& s);
// A DNS host name, with or without the trailing dot.
bool IsHostname(const std::string& s);
// host:port or [v6]:port with a port in 1..65535.
bool IsHostPort(const std::string& s);
// IPv4:port or [IPv6]:port (no host names).
bool IsIpPort(const std::string& s);
// "192.0.2.0/24", "2001:db8::/32" or a single address.
bool IsNetwork(const std::string& s);
// host:port whose host is a loopback address (127.0.0.0/8, ::1, ::ffff:127.x) or localhost.
bool IsLoopbackHostPort(const std::string& s);
// user:password@ in a URL is a secret written inline.
bool UrlHasPassword(const std::string& url);
bool IsSensitiveHeader(const std::string& name);

}  // namespace steer::config
