#pragma once

// Test support: a real HTTP/1.1 listener (Boost.Beast) on 127.0.0.1, port 0, on its own
// thread. Records every request and answers with scripted statuses (the last one repeats).
// Stops and joins in the destructor.

#include <fcntl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace steer::agent::testing {

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string body;
  std::string authorization;
  std::string content_type;
};

class HttpListener {
 public:
  // `port` 0 picks a free one; a fixed port lets a test bring a "region" back where it was.
  explicit HttpListener(std::vector<int> statuses = {200}, unsigned short port = 0)
      : statuses_(std::move(statuses)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), port}, true) {
    // Children spawned by a test (steerd) must not inherit the listening socket, or cutting
    // this "region" off would leave the port open in the child.
    fcntl(acceptor_.native_handle(), F_SETFD, FD_CLOEXEC);
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~HttpListener() {
    stop_ = true;
    boost::system::error_code ec;
    // Wake the blocking accept with a throwaway connection.
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<RecordedRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (!stop_) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket sock(io_);
      acceptor_.accept(sock, ec);
      if (ec || stop_) continue;
      boost::beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(sock, buf, req, ec);
      if (ec) continue;
      int status;
      {
        std::lock_guard lock(mu_);
        requests_.push_back({std::string(req.method_string()), std::string(req.target()),
                             req.body(), std::string(req[http::field::authorization]),
                             std::string(req[http::field::content_type])});
        size_t i = std::min(requests_.size() - 1, statuses_.size() - 1);
        status = statuses_[i];
      }
      http::response<http::string_body> resp(static_cast<http::status>(status), 11);
      resp.body() = "ok";
      resp.keep_alive(false);
      resp.prepare_payload();
      http::write(sock, resp, ec);
      sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  std::vector<int> statuses_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<RecordedRequest> requests_;
  std::thread thread_;
};

}  // namespace steer::agent::testing
