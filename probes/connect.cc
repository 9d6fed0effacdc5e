#include "connect.h"

#include <boost/asio/connect.hpp>
#include <memory>

namespace steer::probes {

namespace asio = boost::asio;
using asio::ip::tcp;

void ResolveAndConnect(tcp::resolver& resolver, tcp::socket& socket, const HostPort& where,
                       Phases& phases, ConnectDone done) {
  auto start = std::chrono::steady_clock::now();
  auto connect = [&socket, &phases, start, done](const tcp::resolver::results_type& results) {
    auto connect_start = std::chrono::steady_clock::now();
    phases.resolve = SinceUs(start);
    asio::async_connect(
        socket, results,
        [&phases, connect_start, done](const boost::system::error_code& ec, const tcp::endpoint&) {
          phases.connect = SinceUs(connect_start);
          done(ec, ec ? ErrorClass::kConnect : ErrorClass::kNone);
        });
  };
  boost::system::error_code parse_error;
  auto address = asio::ip::make_address(where.host, parse_error);
  if (!parse_error) {
    connect(tcp::resolver::results_type::create(tcp::endpoint(address, where.port), where.host,
                                                std::to_string(where.port)));
    return;
  }
  resolver.async_resolve(
      where.host, std::to_string(where.port),
      [connect, done](const boost::system::error_code& ec, tcp::resolver::results_type results) {
        if (ec) {
          done(ec, ErrorClass::kDns);
          return;
        }
        connect(results);
      });
}

}  // namespace steer::probes
