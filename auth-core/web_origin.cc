#include "steer/auth/web_origin.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>

#include "steer/config/authd_config.h"

namespace steer::auth {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Error BadOrigin(std::string_view text, const std::string& why) {
  return Error{ErrorCode::kInvalidArgument,
               "web origin '" + std::string(text) + "': " + why +
                   " (expected scheme://host[:port], e.g. https://app.example.com)"};
}

// The host as a browser serialises it, or "" when it is not a valid host.
std::string NormalizeHost(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address_v6(std::string(host.substr(1, host.size() - 2)), ec);
    return ec ? "" : "[" + addr.to_string() + "]";
  }
  std::string out = Lower(host);
  bool ok = !out.empty() && out.size() <= 253 && out.front() != '.' && out.front() != '-';
  for (char c : out)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-');
  return ok ? out : "";
}

}  // namespace

Result<std::string> NormalizeWebOrigin(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return tl::unexpected(BadOrigin(text, "no scheme"));
  std::string scheme = Lower(text.substr(0, sep));
  if (scheme != "https" && scheme != "http") {
    return tl::unexpected(BadOrigin(text, "the scheme must be https (http only for loopback)"));
  }
  std::string_view rest = text.substr(sep + 3);
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return tl::unexpected(
        BadOrigin(text, "an origin has no path, query or fragment, not even a trailing '/'"));
  }
  if (rest.find('@') != std::string_view::npos) {
    return tl::unexpected(BadOrigin(text, "an origin has no user info"));
  }
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find(']', colon) != std::string_view::npos) {
    colon = std::string_view::npos;  // the colon is inside an IPv6 literal
  }
  std::string host = NormalizeHost(rest.substr(0, colon));
  if (host.empty()) {
    return tl::unexpected(BadOrigin(
        text, "the host must be a DNS name (xn-- form), an IPv4 address or a bracketed IPv6"));
  }
  std::string port;
  if (colon != std::string_view::npos) {
    std::string_view digits = rest.substr(colon + 1);
    bool ok =
        !digits.empty() && digits.size() <= 5 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    int value = ok ? std::stoi(std::string(digits)) : 0;
    if (value < 1 || value > 65535) return tl::unexpected(BadOrigin(text, "port must be 1-65535"));
    bool default_port = (scheme == "https" && value == 443) || (scheme == "http" && value == 80);
    if (!default_port) port = ":" + std::to_string(value);
  }
  std::string bare = host.front() == '[' ? host.substr(1, host.size() - 2) : host;
  if (scheme == "http" && !config::IsLoopbackHost(bare)) {
    return tl::unexpected(BadOrigin(
        text,
        "http is allowed only for a loopback host (localhost, 127.0.0.0/8, [::1]); use https"));
  }
  return scheme + "://" + host + port;
}

bool WebOriginIndex::Contains(std::string_view origin) {
  if (origin.empty()) return false;
  auto now = std::chrono::steady_clock::now();
  {
    std::shared_lock lock(mu_);
    if (expires_ > now) return origins_.count(origin) > 0;
  }
  auto clients = store_.ListClients();
  if (!clients) return false;
  std::set<std::string, std::less<>> fresh;
  for (const auto& c : *clients) fresh.insert(c.web_origins.begin(), c.web_origins.end());
  bool found = fresh.count(origin) > 0;
  std::unique_lock lock(mu_);
  origins_ = std::move(fresh);
  expires_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(ttl_));
  return found;
}

}  // namespace steer::auth
