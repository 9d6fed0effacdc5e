#include "steer/fakes/fake_http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <thread>

#include "steer/dns/aws_sigv4.h"

namespace steer::fakes {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// One connection: read a request, answer it, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handler& handler)
      : stream_(std::move(socket)), handler_(handler) {}

  void Read() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Answer();
                     });
  }

 private:
  void Answer() {
    auto response = std::make_shared<Response>(handler_(request_));
    response->prepare_payload();
    bool close = response->need_eof();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response, close](beast::error_code ec, size_t) {
                        if (ec || close) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Request request_;
  const Handler& handler_;
};

}  // namespace

struct FakeHttpServer::Impl {
  explicit Impl(Handler h)
      : handler(std::move(h)),
        acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // acceptor closed
      std::make_shared<Session>(std::move(socket), handler)->Read();
      Accept();
    });
  }

  Handler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::thread thread;
};

FakeHttpServer::FakeHttpServer(Handler handler)
    : impl_(std::make_unique<Impl>(std::move(handler))) {
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

FakeHttpServer::~FakeHttpServer() { Stop(); }

void FakeHttpServer::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->ioc.stop();
  impl_->thread.join();
}

int FakeHttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string FakeHttpServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

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

std::pair<std::string, std::string> SplitTarget(const Request& request) {
  std::string target(request.target());
  size_t q = target.find('?');
  if (q == std::string::npos) return {target, ""};
  return {target.substr(0, q), target.substr(q + 1)};
}

Response MakeResponse(const Request& request, int status, const std::string& content_type,
                      const std::string& body) {
  Response response{static_cast<http::status>(status), request.version()};
  response.set(http::field::server, "steer-fake");
  response.set(http::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = body;
  return response;
}

}  // namespace steer::fakes
