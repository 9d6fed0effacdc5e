#pragma once

// The HTTP(S) front of steer-authd: Boost.Beast, asynchronous, keep-alive, run on N threads.
// TLS (OpenSSL) unless bound to loopback with no certificate configured. Requests over the
// size limits get 413 (body) or 400 (headers, malformed) and the connection is closed.
// Handler calls are concurrent; Stop() may be called from any thread.

#include <functional>
#include <memory>
#include <string>

#include "steer/auth/http_types.h"
#include "steer/base/error.h"

namespace steer::auth {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 = any free port; see HttpServer::port()
  int threads = 2;
  size_t max_body_bytes = 16 * 1024;
  size_t max_header_bytes = 8 * 1024;
  std::string tls_cert_file;  // empty = plain HTTP (loopback only)
  std::string tls_key_file;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  static Result<std::unique_ptr<HttpServer>> Create(const HttpServerOptions& options,
                                                    Handler handler);
  virtual ~HttpServer() = default;
  virtual uint16_t port() const = 0;
  // Serves until Stop() or SIGINT/SIGTERM; returns after all threads have finished.
  virtual void Run() = 0;
  virtual void Stop() = 0;
};

}  // namespace steer::auth
