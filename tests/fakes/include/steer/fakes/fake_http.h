#pragma once

// What the local cloud API fakes share: each is a handler behind base::HttpServer on
// 127.0.0.1, port 0 (the kernel picks a free port), one thread, keep-alive. Test-only code
// (library steer_cloud_fakes). Thread-safety: StartFakeServer's handler runs on the server's
// one thread.

#include <map>
#include <memory>
#include <string>

#include "steer/base/http_server.h"

namespace steer::fakes {

// Serves `handler` on 127.0.0.1:0; aborts the test binary if no port can be bound.
std::unique_ptr<base::HttpServer> StartFakeServer(base::HttpServer::Handler handler);

// "http://127.0.0.1:PORT"
std::string BaseUrl(const base::HttpServer& server);

// "a=1&b=x%20y" -> {a: "1", b: "x y"} (percent-decoded; '+' stays '+').
std::map<std::string, std::string> ParseQuery(const std::string& query);

// A response with `status`, `content_type` and `body`, from server "steer-fake".
base::ServerResponse MakeResponse(int status, const std::string& content_type,
                                  const std::string& body);

}  // namespace steer::fakes
