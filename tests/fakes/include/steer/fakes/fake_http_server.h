#pragma once

// A tiny HTTP/1.1 server for test fakes: Boost.Beast on 127.0.0.1, port 0 (the kernel picks a
// free port), one thread running an io_context. Each request is passed to the handler, which
// returns the response; keep-alive is honoured. Test-only code (library steer_cloud_fakes).
// Thread-safety: the handler runs on the server thread only; Start/Stop from the owner.

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace steer::fakes {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Handler = std::function<Response(const Request&)>;

class FakeHttpServer {
 public:
  explicit FakeHttpServer(Handler handler);
  ~FakeHttpServer();  // stops the server
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const;
  std::string base_url() const;  // http://127.0.0.1:PORT
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "a=1&b=x%20y" -> {a: "1", b: "x y"} (percent-decoded; '+' stays '+').
std::map<std::string, std::string> ParseQuery(const std::string& query);
// The request target split at '?': {path, query}.
std::pair<std::string, std::string> SplitTarget(const Request& request);

// A response with `status`, `content_type` and `body`, keep-alive as the request asked.
Response MakeResponse(const Request& request, int status, const std::string& content_type,
                      const std::string& body);

}  // namespace steer::fakes
