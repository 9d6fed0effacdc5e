#pragma once

// Test support: a real HTTP/1.1 listener (base::HttpServer) on 127.0.0.1, port 0, on its own
// thread. Records every request and answers with scripted statuses (the last one repeats).
// Stops in the destructor.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "steer/base/http_server.h"

namespace steer::agent::testing {

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string body;
  std::string authorization;
  std::string content_type;
};

class HttpListener {
 public:
  // `port` 0 picks a free one; a fixed port lets a test bring a "region" back where it was.
  explicit HttpListener(std::vector<int> statuses = {200}, unsigned short port = 0)
      : statuses_(std::move(statuses)) {
    base::HttpServerOptions options;
    options.port = port;
    options.max_body_bytes = 1024 * 1024;
    auto server = base::HttpServer::Start(
        options, [this](const base::ServerRequest& r) { return Answer(r); });
    if (!server) {
      std::fprintf(stderr, "HttpListener: %s\n", server.error().message.c_str());
      std::abort();
    }
    server_ = std::move(*server);
  }
  ~HttpListener() { server_.reset(); }

  int port() const { return server_->port(); }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }
  std::vector<RecordedRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  base::ServerResponse Answer(const base::ServerRequest& r) {
    std::lock_guard lock(mu_);
    std::string target = r.query.empty() ? r.path : r.path + "?" + r.query;
    requests_.push_back(
        {r.method, target, r.body, r.Header("authorization"), r.Header("content-type")});
    size_t i = std::min(requests_.size() - 1, statuses_.size() - 1);
    return base::ServerResponse{statuses_[i], "text/plain", "ok", {}, {}};
  }

  std::vector<int> statuses_;
  std::mutex mu_;
  std::vector<RecordedRequest> requests_;
  std::unique_ptr<base::HttpServer> server_;  // last: stopped before the records go
};

}  // namespace steer::agent::testing
