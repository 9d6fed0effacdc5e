#pragma once

// Transport-neutral HTTP request/response used between the Beast server and the OIDC
// handlers, so the handlers are tested without sockets. Plain values; no thread-safety needs.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace steer::auth {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // without the query
  std::string query;                           // raw, without '?'
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote_ip;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Location, Set-Cookie, ...

  HttpResponse& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

}  // namespace steer::auth
