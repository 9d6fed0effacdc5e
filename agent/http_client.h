#pragma once

// A small blocking HTTP client over libcurl, for notifications and steerctl. Each call uses its
// own easy handle, so calls from different threads are independent. Error messages never
// contain the URL (it may embed a token) nor header values; only the operation and curl's
// generic reason.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "steer/config/error.h"

namespace steer::agent {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{5000};
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

// Transport failures (refused, timeout, DNS) are errors (kUnavailable / kDeadlineExceeded);
// any HTTP status, 5xx included, is a response.
Result<HttpResponse> SendHttp(const HttpRequest& request);

}  // namespace steer::agent
