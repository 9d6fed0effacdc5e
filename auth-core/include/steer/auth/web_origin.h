#pragma once

// Browser origins (RFC 6454) that clients register for CORS, and the index of every
// registered origin that answers CORS preflights (which carry no client_id).

#include <chrono>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "steer/auth/store.h"
#include "steer/base/error.h"

namespace steer::auth {

// `scheme://host[:port]` in the form a browser sends in its Origin header: scheme and host
// lower-cased, an IPv6 host compressed in brackets, the default port (443, 80) dropped.
// https, or http only for a loopback host (localhost, 127.0.0.0/8, [::1]). No path (not even
// "/"), query, fragment or user info; an international name in its xn-- form. Anything else
// is kInvalidArgument with a message that names the origin and what is wrong.
Result<std::string> NormalizeWebOrigin(std::string_view text);

// Every web origin registered by any client, read from the ClientStore at most every
// `ttl_seconds` (the same schedule as ClientCache, so a client change takes effect for
// preflights and actual requests together). A failed read answers false and is retried on
// the next call. Thread-safe.
class WebOriginIndex {
 public:
  WebOriginIndex(ClientStore& store, double ttl_seconds) : store_(store), ttl_(ttl_seconds) {}

  bool Contains(std::string_view origin);

 private:
  ClientStore& store_;
  double ttl_;
  std::shared_mutex mu_;
  std::set<std::string, std::less<>> origins_;       // guarded by mu_
  std::chrono::steady_clock::time_point expires_{};  // guarded by mu_; epoch = never loaded
};

}  // namespace steer::auth
