#include "steer/base/http_server.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <future>
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

// A server TLS context (TLS 1.2+) with this chain and key, and with a client CA, mutual TLS.
Result<std::shared_ptr<ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                     const std::string& key_file,
                                                     const std::string& client_ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot load TLS certificate " + cert_file);
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    return MakeError(ErrorCode::kIo, "cannot load TLS key " + key_file +
                                         " (unreadable, or it does not match the certificate)");
  }
  if (client_ca_file.empty()) return ctx;
  ctx->load_verify_file(client_ca_file, ec);
  STACK_OF(X509_NAME)* names = ec ? nullptr : SSL_load_client_CA_file(client_ca_file.c_str());
  if (names == nullptr) {
    return MakeError(ErrorCode::kIo, "cannot load TLS client CA " + client_ca_file);
  }
  SSL_CTX_set_client_CA_list(ctx->native_handle(), names);  // takes ownership
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  return ctx;
}

class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerOptions& o, Handler h)
      : options_(o), handler_(std::move(h)), ioc_(o.threads), acceptor_(net::make_strand(ioc_)) {}

  ~BeastServer() override { Stop(); }

  Result<void> Init() {
    if (options_.threads < 1) return MakeError(ErrorCode::kInvalidArgument, "threads must be >= 1");
    boost::system::error_code ec;
    auto addr = net::ip::make_address(options_.address, ec);
    if (ec) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "listen: bad address '" + options_.address + "'");
    }
    if (auto r = InitTls(); !r) return r;
    if (options_.listen_fd >= 0) return Adopt(options_.listen_fd);
    if (!PlainAllowed(addr)) {
      return MakeError(ErrorCode::kFailedPrecondition, "plain HTTP only on loopback");
    }
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

  Result<void> ReloadTls(const std::string& cert_file, const std::string& key_file,
                         const std::string& client_ca_file) override {
    if (!TlsContext()) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "the server serves plain HTTP: TLS needs a restart");
    }
    auto ctx = MakeTlsContext(cert_file, key_file, client_ca_file);
    if (!ctx) return tl::unexpected(ctx.error());
    std::lock_guard lock(tls_mu_);
    ssl_ctx_.swap(*ctx);
    return {};
  }

  size_t Shutdown(std::chrono::milliseconds deadline) override {
    {
      std::lock_guard lock(stop_mu_);
      if (threads_.empty()) return 0;  // stopped
      // Closed on the acceptor's strand: no accept is in progress while it closes.
      // The accept loop ends in the handler of the accept that the close cancels (or that
      // completed just before it), so every accepted connection is tracked once it returns.
      net::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
      });
      accept_done_.get_future().wait();
    }
    tracker_.BeginDrain();
    size_t open = tracker_.WaitEmpty(deadline);
    Stop();
    return open;
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
  bool PlainAllowed(const net::ip::address& addr) const {
    return ssl_ctx_ != nullptr || !options_.plain_http_loopback_only || addr.is_loopback();
  }

  // Serves an inherited listening socket (checked by InheritedListenSocket()).
  Result<void> Adopt(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0 ||
        (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "inherited descriptor " + std::to_string(fd) + " is not a TCP socket");
    }
    boost::system::error_code ec;
    acceptor_.assign(ss.ss_family == AF_INET ? tcp::v4() : tcp::v6(), fd, ec);
    if (!ec) local_ = acceptor_.local_endpoint(ec);
    if (ec) return MakeError(ErrorCode::kUnavailable, "inherited socket: " + ec.message());
    CloseOnExec(fd);
    if (!PlainAllowed(local_.address())) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "plain HTTP only on loopback (inherited socket " + address() + ")");
    }
    return {};
  }

  Result<void> InitTls() {
    if (options_.tls_cert_file.empty()) return {};
    auto ctx =
        MakeTlsContext(options_.tls_cert_file, options_.tls_key_file, options_.tls_client_ca_file);
    if (!ctx) return tl::unexpected(ctx.error());
    ssl_ctx_ = std::move(*ctx);
    return {};
  }

  std::shared_ptr<ssl::context> TlsContext() {
    std::lock_guard lock(tls_mu_);
    return ssl_ctx_;
  }

  SessionLimits Limits() const {
    auto or_read = [this](std::chrono::milliseconds t) {
      return t.count() > 0 ? t : options_.read_timeout;
    };
    return SessionLimits{options_.max_body_bytes, options_.max_header_bytes, options_.read_timeout,
                         std::min(or_read(options_.header_timeout), options_.read_timeout),
                         or_read(options_.idle_timeout)};
  }

  // The session's timer and socket share its strand, so it starts there.
  template <typename Session>
  static void StartOnStrand(std::shared_ptr<Session> s) {
    s->Track();  // before Shutdown() can see no session
    auto ex = s->executor();
    net::dispatch(ex, [s = std::move(s)] { s->Start(); });
  }

  void Accept() {
    acceptor_.async_accept(
        net::make_strand(ioc_.get_executor()),
        [this](boost::system::error_code ec, PlainStream socket) {
          if (!ec && options_.max_connections > 0 && tracker_.size() >= options_.max_connections) {
            boost::system::error_code ignored;
            socket.close(ignored);  // over the cap: refused, not queued
          } else if (!ec) {
            CloseOnExec(socket.native_handle());
            if (auto ctx = TlsContext()) {
              auto s = std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), *ctx),
                                                                Limits(), handler_, tracker_);
              s->KeepAlive(std::move(ctx));  // a reload must not free it under the session
              StartOnStrand(std::move(s));
            } else {
              StartOnStrand(std::make_shared<HttpSession<PlainStream>>(std::move(socket), Limits(),
                                                                       handler_, tracker_));
            }
          }
          if (acceptor_.is_open()) {
            Accept();
          } else {
            accept_done_.set_value();
          }
        });
  }

  HttpServerOptions options_;
  Handler handler_;         // before ioc_: sessions (destroyed with ioc_) refer to it
  SessionTracker tracker_;  // likewise
  net::io_context ioc_;
  net::basic_socket_acceptor<tcp, net::strand<net::io_context::executor_type>> acceptor_;
  std::mutex tls_mu_;
  std::shared_ptr<ssl::context> ssl_ctx_;  // null: plain HTTP; replaced by ReloadTls()
  tcp::endpoint local_;
  std::promise<void> accept_done_;  // set when the accept loop ends
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
