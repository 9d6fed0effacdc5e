#include "steer/auth/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>
#include <vector>

#include "http_session.h"
#include "steer/config/authd_config.h"

namespace steer::auth {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerOptions& o, Handler h)
      : options_(o),
        handler_(std::move(h)),
        ioc_(o.threads),
        acceptor_(ioc_),
        signals_(ioc_, SIGINT, SIGTERM),
        ssl_ctx_(ssl::context::tls_server) {}

  Result<void> Init() {
    boost::system::error_code ec;
    auto addr = net::ip::make_address(options_.address, ec);
    if (ec) return MakeError(ErrorCode::kInvalidArgument, "bad listen address");
    if (options_.tls_cert_file.empty() && !config::IsLoopbackHost(options_.address)) {
      return MakeError(ErrorCode::kFailedPrecondition, "plain HTTP only on loopback");
    }
    if (!options_.tls_cert_file.empty()) {
      ssl_ctx_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1);
      ssl_ctx_.use_certificate_chain_file(options_.tls_cert_file, ec);
      if (!ec) ssl_ctx_.use_private_key_file(options_.tls_key_file, ssl::context::pem, ec);
      if (ec) return MakeError(ErrorCode::kIo, "cannot load TLS certificate or key");
      tls_ = true;
    }
    tcp::endpoint ep(addr, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return MakeError(ErrorCode::kIo, "cannot listen on " + options_.address + ":" +
                                           std::to_string(options_.port) + ": " + ec.message());
    return {};
  }

  uint16_t port() const override { return acceptor_.local_endpoint().port(); }

  void Run() override {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) Stop();
    });
    Accept();
    std::vector<std::thread> threads;
    for (int i = 1; i < options_.threads; ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
  }

  void Stop() override { ioc_.stop(); }

 private:
  void Accept() {
    acceptor_.async_accept(
        net::make_strand(ioc_), [this](boost::system::error_code ec, tcp::socket socket) {
          if (!ec) {
            SessionLimits limits{options_.max_body_bytes, options_.max_header_bytes};
            if (tls_) {
              std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), ssl_ctx_),
                                                       limits, handler_)
                  ->Start();
            } else {
              std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)), limits,
                                                         handler_)
                  ->Start();
            }
          }
          if (acceptor_.is_open()) Accept();
        });
  }

  HttpServerOptions options_;
  Handler handler_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  ssl::context ssl_ctx_;
  bool tls_ = false;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const HttpServerOptions& options,
                                                       Handler handler) {
  auto server = std::make_unique<BeastServer>(options, std::move(handler));
  if (auto r = server->Init(); !r) return tl::unexpected(r.error());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace steer::auth
