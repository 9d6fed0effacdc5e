#include "steer/fakes/fake_http.h"

#include <cstdio>
#include <cstdlib>

#include "steer/dns/aws_sigv4.h"

namespace steer::fakes {

std::unique_ptr<base::HttpServer> StartFakeServer(base::HttpServer::Handler handler) {
  base::HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 1;
  options.max_body_bytes = 8 * 1024 * 1024;
  options.read_timeout = std::chrono::seconds(30);
  auto server = base::HttpServer::Start(options, std::move(handler));
  if (!server) {
    std::fprintf(stderr, "fake HTTP server: %s\n", server.error().message.c_str());
    std::abort();
  }
  return std::move(*server);
}

std::string BaseUrl(const base::HttpServer& server) { return "http://" + server.address(); }

std::map<std::string, std::string> ParseQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (!query.empty()) {
    size_t end = query.find('&', start);
    std::string item = query.substr(start, end == std::string::npos ? end : end - start);
    size_t eq = item.find('=');
    if (!item.empty()) {
      out[dns::aws::PercentDecode(item.substr(0, eq))] =
          eq == std::string::npos ? "" : dns::aws::PercentDecode(item.substr(eq + 1));
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

base::ServerResponse MakeResponse(int status, const std::string& content_type,
                                  const std::string& body) {
  base::ServerResponse response{status, content_type, body, {}};
  return response.With("Server", "steer-fake");
}

}  // namespace steer::fakes
