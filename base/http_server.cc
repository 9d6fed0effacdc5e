#include "steer/base/http_server.h"

#include <fcntl.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "http_session.h"

namespace steer::base {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// A child process (tests spawn daemons) must not inherit the server's sockets, or a stopped
// server would leave its port or connections open in the child.
void CloseOnExec(int fd) { fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC); }

class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerOptions& o, Handler h)
      : options_(o),
        handler_(std::move(h)),
        ioc_(o.threads),
        acceptor_(ioc_),
        ssl_ctx_(ssl::context::tls_server) {}

  ~BeastServer() override { Stop(); }

  Result<void> Init() {
    if (options_.threads < 1) return MakeError(ErrorCode::kInvalidArgument, "threads must be >= 1");
    boost::system::error_code ec;
    auto addr = net::ip::make_address(options_.address, ec);
    if (ec) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "listen: bad address '" + options_.address + "'");
    }
    if (options_.tls_cert_file.empty() && options_.plain_http_loopback_only &&
        !addr.is_loopback()) {
      return MakeError(ErrorCode::kFailedPrecondition, "plain HTTP only on loopback");
    }
    if (auto r = InitTls(); !r) return r;
    tcp::endpoint ep(addr, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (!ec) CloseOnExec(acceptor_.native_handle());
    if (ec) {
      return MakeError(ErrorCode::kUnavailable, "cannot listen on " + options_.address + ":" +
                                                    std::to_string(options_.port) + ": " +
                                                    ec.message());
    }
    local_ = acceptor_.local_endpoint();
    return {};
  }

  void Run() {
    Accept();
    for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }

  uint16_t port() const override { return local_.port(); }

  std::string address() const override {
    auto a = local_.address();
    std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    return host + ":" + std::to_string(local_.port());
  }

  void Stop() override {
    std::lock_guard lock(stop_mu_);
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  Result<void> InitTls() {
    if (options_.tls_cert_file.empty()) return {};
    boost::system::error_code ec;
    ssl_ctx_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    ssl_ctx_.use_certificate_chain_file(options_.tls_cert_file, ec);
    if (!ec) ssl_ctx_.use_private_key_file(options_.tls_key_file, ssl::context::pem, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot load TLS certificate or key");
    tls_ = true;
    return {};
  }

  // The session's timer and socket share its strand, so it starts there.
  template <typename Session>
  static void StartOnStrand(std::shared_ptr<Session> s) {
    auto ex = s->executor();
    net::dispatch(ex, [s = std::move(s)] { s->Start(); });
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_.get_executor()),
                           [this](boost::system::error_code ec, PlainStream socket) {
                             if (!ec) {
                               CloseOnExec(socket.native_handle());
                               SessionLimits limits{options_.max_body_bytes,
                                                    options_.max_header_bytes,
                                                    options_.read_timeout};
                               if (tls_) {
                                 StartOnStrand(std::make_shared<HttpSession<TlsStream>>(
                                     TlsStream(std::move(socket), ssl_ctx_), limits, handler_));
                               } else {
                                 StartOnStrand(std::make_shared<HttpSession<PlainStream>>(
                                     std::move(socket), limits, handler_));
                               }
                             }
                             if (acceptor_.is_open()) Accept();
                           });
  }

  HttpServerOptions options_;
  Handler handler_;  // before ioc_: sessions (destroyed with ioc_) refer to it
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  ssl::context ssl_ctx_;
  bool tls_ = false;
  tcp::endpoint local_;
  std::mutex stop_mu_;
  std::vector<std::thread> threads_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      Handler handler) {
  auto server = std::make_unique<BeastServer>(options, std::move(handler));
  if (auto r = server->Init(); !r) return tl::unexpected(r.error());
  server->Run();
  return std::unique_ptr<HttpServer>(std::move(server));
}

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "listen: expected host:port, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) {
      return MakeError(ErrorCode::kInvalidArgument, "listen: bad port in '" + listen + "'");
    }
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return MakeError(ErrorCode::kInvalidArgument, "listen: port out of range");
  return std::make_pair(host, port);
}

}  // namespace steer::base
