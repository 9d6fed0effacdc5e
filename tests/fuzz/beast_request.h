#pragma once

// Shared by the request fuzz targets: raw bytes through Boost.Beast's request parser with the
// server's limits, then base::ToServerRequest (base/http_session.h), as base::HttpServer does
// for every request it reads.

#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <optional>

#include "http_session.h"

namespace steer::fuzz {

inline std::optional<base::ServerRequest> ParseWithBeast(const uint8_t* data, size_t size,
                                                         size_t max_body, size_t max_header) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(max_body);
  parser.header_limit(static_cast<uint32_t>(max_header));
  boost::system::error_code ec;
  size_t used = 0;
  while (used < size && !parser.is_done()) {
    size_t n = parser.put(boost::asio::const_buffer(data + used, size - used), ec);
    if (ec == http::error::need_more) break;
    if (ec) return std::nullopt;
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) {
    // The peer closed. As Beast's read does: before any byte of a message that is the end of
    // the stream (put_eof asserts got_some()); after, a body without length ends here.
    if (!parser.got_some()) return std::nullopt;
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return std::nullopt;
  }
  http::request<http::string_body> msg = parser.release();
  return base::ToServerRequest(msg, "127.0.0.1");
}

}  // namespace steer::fuzz
