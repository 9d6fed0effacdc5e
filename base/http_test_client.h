#pragma once

// Test helpers for HttpServer: a synchronous client on one loopback connection, and a check
// that nothing listens on a port. Not thread-safe; one per test thread.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>

namespace steer::base::testing {

using Reply = boost::beast::http::response<boost::beast::http::string_body>;

class LoopbackClient {
 public:
  explicit LoopbackClient(uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }
  // One request (with a repeated X-Test header) and its reply.
  Reply Exchange(boost::beast::http::verb method, const std::string& target,
                 const std::string& body = "") {
    boost::beast::http::request<boost::beast::http::string_body> req(method, target, 11);
    req.set(boost::beast::http::field::host, "x");
    req.set("X-Test", "a");
    req.insert("X-Test", "b");
    req.body() = body;
    req.prepare_payload();
    boost::beast::http::write(socket_, req);
    return Read();
  }
  Reply Get(const std::string& target) {
    SendRaw("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    return Read();
  }
  // Sends `bytes` as they are (a request in pieces, or several at once).
  void SendRaw(const std::string& bytes) {
    boost::asio::write(socket_, boost::asio::buffer(bytes));
  }
  Reply Read() {
    Reply reply;
    boost::system::error_code ec;
    boost::beast::http::read(socket_, buffer_, reply, ec);
    EXPECT_FALSE(ec) << ec.message();
    return reply;
  }
  // True once the server has closed its side.
  bool Closed() {
    char c;
    boost::system::error_code ec;
    socket_.read_some(boost::asio::buffer(&c, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// True if nothing listens on 127.0.0.1:`port`. The client binds 127.0.0.2 so that its own
// ephemeral port can never be `port` (a TCP self-connect would look like a listener).
inline bool Refused(uint16_t port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.open(boost::asio::ip::tcp::v4(), ec);
  s.bind({boost::asio::ip::make_address("127.0.0.2"), 0}, ec);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  return ec == boost::asio::error::connection_refused;
}

}  // namespace steer::base::testing
