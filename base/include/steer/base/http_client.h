#pragma once

// The one outbound HTTP client: blocking, over libcurl, one easy handle per request. Used by
// DNS providers, notifications, steerctl and tests. Behind a small interface so that callers
// are tested with a fake (no sockets in unit tests).
//
// Thread-safety: SendHttp and every HttpClient here are safe to call from several threads.
// Transport failures are Errors (kUnavailable: connect/DNS/TLS/reset, kDeadlineExceeded:
// timeout); any HTTP status, 5xx included, is a response. Error messages name the method and
// the host only: a URL's path or query may embed a token (Slack webhooks do), and header
// values may be secrets.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steer/base/error.h"

namespace steer::base {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;  // values may be secrets: never log a request's headers
  std::string body;
  std::chrono::milliseconds timeout{10000};  // whole request, connect included
  // https only. "" = the default for each: the system CA store, no client certificate.
  std::string ca_file;    // PEM CA bundle that verifies the server (replaces the system store)
  std::string cert_file;  // PEM client certificate (mutual TLS)
  std::string key_file;   // PEM key of cert_file
};

struct HttpResponse {
  int status = 0;
  Headers headers;  // names as received
  std::string body;

  // The first header with this name (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// A Retry-After header's value (RFC 9110 10.2.3) as a wait from `now`: delta-seconds
// ("120") or an HTTP-date (IMF-fixdate, and the obsolete RFC 850 and asctime forms), the
// date measured against `now` (a date in the past is 0). Bounded: a wait over
// kMaxRetryAfter (digits beyond 9 included) is kMaxRetryAfter. Anything else (empty, negative,
// fractional, a malformed date) is nullopt: the caller's own backoff applies.
inline constexpr std::chrono::seconds kMaxRetryAfter{24 * 3600};
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// One request with libcurl: http and https only, no redirects followed, no proxy credentials,
// the request's timeout honoured. Calls curl_global_init once, thread-safely.
Result<HttpResponse> SendHttp(const HttpRequest& request);

// An HttpClient that calls SendHttp.
std::unique_ptr<HttpClient> MakeCurlHttpClient();

}  // namespace steer::base
