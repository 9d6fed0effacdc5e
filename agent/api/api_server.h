#pragma once

// The HTTP/1.1 server of steerd's API (Boost.Beast), on its own io_context thread. Requests
// go to a Router. Bounded: 64 KiB bodies, 8 KiB headers, 10 s per request, keep-alive.
//
// Thread-safety: Start() and the destructor from one thread; the router is called from the
// server's thread only.

#include <memory>
#include <string>

#include "api/router.h"
#include "steer/base/error.h"

namespace steer::agent::api {

class ApiServer {
 public:
  // Binds `listen` ("127.0.0.1:9053", "[::1]:0") now, so a taken port fails the start and port
  // 0 resolves before this returns; then serves on a new thread.
  static Result<std::unique_ptr<ApiServer>> Start(const std::string& listen, Router& router);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // "127.0.0.1:41234"
  std::string address() const;
  int port() const;

 private:
  class Impl;
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" / "[v6]:port".
Result<std::pair<std::string, int>> ParseListen(const std::string& listen);

}  // namespace steer::agent::api
