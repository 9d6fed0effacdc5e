#include "api/api_server.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <thread>

#include "steer/base/log.h"

namespace steer::agent::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr size_t kBodyLimit = 64 * 1024;
constexpr unsigned kHeaderLimit = 8 * 1024;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Router& router) : stream_(std::move(socket)), router_(router) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kRequestTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    auto& req = parser_->get();
    Request r{std::string(req.method_string()), std::string(req.target()),
              std::string(req[http::field::authorization]), req.body()};
    Response out = router_.Handle(r);
    auto resp = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(out.status), req.version());
    resp->set(http::field::server, "steerd");
    resp->set(http::field::content_type, out.content_type);
    resp->set(http::field::cache_control, "no-store");
    for (const auto& [k, v] : out.headers) resp->set(k, v);
    resp->body() = req.method() == http::verb::head ? "" : std::move(out.body);
    resp->keep_alive(req.keep_alive());
    resp->prepare_payload();
    http::async_write(stream_, *resp,
                      [self = shared_from_this(), resp](beast::error_code wec, size_t) {
                        if (!wec && resp->keep_alive()) self->Read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Router& router_;
};

}  // namespace

class ApiServer::Impl {
 public:
  Impl(Router& router) : router_(router), acceptor_(io_) {}

  Result<void> Bind(const std::string& host, int port) {
    beast::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec) return MakeError(ErrorCode::kInvalidArgument, "listen: bad address '" + host + "'");
    tcp::endpoint ep(addr, static_cast<unsigned short>(port));
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return MakeError(ErrorCode::kUnavailable,
                       "listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
    }
    local_ = acceptor_.local_endpoint();
    return {};
  }

  void Run() {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  tcp::endpoint local_;

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) std::make_shared<Session>(std::move(socket), router_)->Read();
      if (acceptor_.is_open()) Accept();
    });
  }

  Router& router_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

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

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiServer::~ApiServer() = default;

Result<std::unique_ptr<ApiServer>> ApiServer::Start(const std::string& listen, Router& router) {
  auto hp = ParseListen(listen);
  if (!hp) return tl::unexpected(hp.error());
  auto impl = std::make_unique<Impl>(router);
  if (auto ok = impl->Bind(hp->first, hp->second); !ok) return tl::unexpected(ok.error());
  impl->Run();
  base::Logger("agent")->info("API listening on {}:{}", hp->first, impl->local_.port());
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

std::string ApiServer::address() const {
  auto a = impl_->local_.address();
  std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(impl_->local_.port());
}

int ApiServer::port() const { return impl_->local_.port(); }

}  // namespace steer::agent::api
