#pragma once

// A minimal blocking HTTP client, so providers are testable with a fake (no sockets in unit
// tests). The libcurl implementation makes one easy handle per request.
//
// Thread-safety: implementations are safe to call from several threads at once.
// Transport failures are Errors (kUnavailable: connect/DNS/TLS/reset, kDeadlineExceeded:
// timeout); any HTTP status, 5xx included, is a response.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steer/config/error.h"

namespace steer::dns {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;  // values may be secrets: never log a request's headers
  std::string body;
  std::chrono::milliseconds timeout{10000};  // whole request, connect included
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

// The libcurl client. Follows no redirects and sends no proxy credentials; honours the
// request timeout. Needs curl_global_init to have run (it calls it once, thread-safely).
std::unique_ptr<HttpClient> MakeCurlHttpClient();

// Maps a non-2xx response to the provider error codes (see provider.h): 429 ->
// kResourceExhausted, 5xx -> kUnavailable, 401/403 -> kPermissionDenied, 404 -> kNotFound,
// other 4xx -> kInvalidArgument. `what` leads the message, the body's first 200 bytes end it.
Error HttpStatusError(const HttpResponse& response, std::string_view what);

}  // namespace steer::dns
