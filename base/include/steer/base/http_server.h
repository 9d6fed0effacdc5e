#pragma once

// The one HTTP/1.1 server of Steer (Boost.Beast), used by steer-authd's OpenID Provider and
// steerd's operator API. A server is a Handler — a plain function from ServerRequest to
// ServerResponse, tested without sockets — put behind a listening socket.
//
// Behaviour:
// - Binds in Start(): a taken port or bad address fails Start(); port 0 takes a free port,
//   reported by port() / address(). Then serves on `threads` background threads. With
//   listen_fd (socket activation, see InheritedListenSocket()) it serves that listening socket
//   instead of binding; address and port are then not used.
// - Keep-alive: a connection serves requests one after another while the client asks for it.
// - Limits: a request body over max_body_bytes gets 413, headers over max_header_bytes get 431,
//   a malformed request gets 400 (JSON body {"error":"invalid_request",...}); the connection is
//   then closed. Time limits (slowloris): see HttpServerOptions; a connection that misses one
//   is closed without a response. Over max_connections open connections, a new one is
//   accepted and closed at once, before any byte is read or written (the client sees the
//   connection closed; nothing queues).
// - TLS (OpenSSL, TLS 1.2+) when tls_cert_file is set; plain HTTP otherwise. With
//   tls_client_ca_file, mutual TLS: a client without a certificate signed by that CA fails the
//   handshake. ReloadTls() swaps the certificate, key and client CA for new connections. With
//   plain_http_loopback_only, plain HTTP on a non-loopback address fails Start().
// - The listening and accepted sockets are close-on-exec: child processes do not inherit them.
// - Every response carries X-Content-Type-Options: nosniff; a HEAD response has no body.
//   Repeated request headers are joined with "; " (the way HTTP/2 splits Cookie).
//
// - Shutdown(deadline) is the graceful stop of a restart: see below.
//
// Thread-safety: the handler is called concurrently from the server's threads (requests of one
// connection are serialised). Stop() may be called from any thread except a handler; it is
// idempotent and returns once no handler runs and none will. The destructor calls Stop().

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steer/base/error.h"

namespace steer::base {

// A request as the handler sees it. Plain value.
struct ServerRequest {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // without the query
  std::string query;                           // raw, without '?'
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote_ip;

  // The header's value, "" if absent. `lower_name` must be lower-case.
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// The handler's answer. Plain value. `headers` are added in order; a name may repeat
// (Set-Cookie).
struct ServerResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers{};
  // A body shared with the handler's cache, written without a copy; when set, `body` is not
  // used. For large documents served many times (the public status page).
  // (Every member has an initializer, so {status, type, body} stays a complete aggregate.)
  std::shared_ptr<const std::string> shared_body{};

  // The body as sent: shared_body's when set, else body.
  const std::string& Body() const { return shared_body ? *shared_body : body; }

  ServerResponse& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal
  uint16_t port = 0;                  // 0 = any free port; see HttpServer::port()
  int threads = 1;                    // >= 1
  size_t max_body_bytes = 64 * 1024;
  size_t max_header_bytes = 8 * 1024;
  // Open connections at most; 0 = no limit.
  size_t max_connections = 0;
  // A request (headers and body) must be read completely within read_timeout of its start,
  // and a response written within read_timeout.
  std::chrono::milliseconds read_timeout{10000};
  // The TLS handshake and the headers of a connection's first request must arrive within
  // header_timeout of the accept; a later request's headers within header_timeout of its
  // first byte (noticed at most header_timeout late: within twice header_timeout in all).
  // 0 = read_timeout. Capped by read_timeout.
  std::chrono::milliseconds header_timeout{0};
  // A kept-alive connection with no byte of a next request for idle_timeout is closed.
  // 0 = read_timeout.
  std::chrono::milliseconds idle_timeout{0};
  std::string tls_cert_file;       // PEM chain; empty = plain HTTP
  std::string tls_key_file;        // PEM
  std::string tls_client_ca_file;  // PEM CA bundle; set = clients must present a certificate
  bool plain_http_loopback_only = false;
  // A listening TCP socket to serve instead of binding address:port; the server owns it.
  // -1: bind.
  int listen_fd = -1;
};

class HttpServer {
 public:
  using Handler = std::function<ServerResponse(const ServerRequest&)>;

  // Binds, then serves in the background until Stop() or destruction.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   Handler handler);
  virtual ~HttpServer() = default;

  virtual uint16_t port() const = 0;
  // The bound address: "127.0.0.1:41234", "[::1]:41234".
  virtual std::string address() const = 0;
  // Stops accepting and serving, then joins the threads; open connections are closed when the
  // server is destroyed.
  virtual void Stop() = 0;
  // Graceful stop, for a restart without a failed request: stops accepting (closes this
  // process's listening descriptor; a socket also held by systemd or a parent keeps queueing
  // connections for the next process), closes idle keep-alive connections that have served a
  // request, lets every other connection finish the request it is reading or handling (the
  // response says Connection: close), then calls Stop() once no connection is open or
  // `deadline` has passed. Returns how many connections were still open at the deadline.
  // Call from one thread, not a handler; after Stop() it returns 0 at once. It closes the
  // acceptor on a server thread, so with every thread in a handler it first waits for one.
  virtual size_t Shutdown(std::chrono::milliseconds deadline) = 0;
  // Loads a new certificate chain, key and client CA ("" = no client certificate asked) for
  // the connections accepted from now on; open connections keep theirs. Nothing changes when
  // a file cannot be read, the key does not match the certificate, or the server serves plain
  // HTTP (an error says which). Thread-safe.
  virtual Result<void> ReloadTls(const std::string& cert_file, const std::string& key_file,
                                 const std::string& client_ca_file) = 0;
};

// Socket activation (systemd's sd_listen_fds protocol: LISTEN_PID names this process,
// LISTEN_FDS counts descriptors from 3): the listening TCP socket passed to this process, or
// -1 when none is. More than one socket, or a descriptor that is not a listening TCP socket,
// is an error, and so is LISTEN_FDS set with no socket for this process (LISTEN_FDS=0, or
// LISTEN_PID naming another process): socket activation was meant and did not happen. Unsets
// LISTEN_PID/LISTEN_FDS and marks the socket close-on-exec, so children do not inherit it.
Result<int> InheritedListenSocket();

// Splits "host:port" / "[v6]:port" (port 0..65535) into host and port.
Result<std::pair<std::string, int>> ParseListen(const std::string& listen);

}  // namespace steer::base
