#pragma once

// One HTTP/1.1 connection (plain or TLS) of base::HttpServer: read a bounded request, call the
// handler, write the response, repeat while keep-alive. Private to http_server.cc. Each
// session runs on its own strand, so its members need no locking.
//
// Timeouts: one timer per connection, armed once, instead of Beast's tcp_stream re-arming a
// timer on every read and write (two timer operations and their wake-ups per request). Each
// read or write moves the connection's deadline; the timer, when it fires, waits again until
// the deadline if that has moved, and otherwise acts by phase: an idle connection that has
// received bytes of a request moves to the header phase (header_timeout from then), one that
// has not is closed at its idle deadline (checked every header_timeout meanwhile); a request
// whose headers are complete moves to the body phase (timeout from the request's start); any
// other phase is over, and the socket is closed. A deadline earlier than the timer's expiry
// (a shorter timeout than the last) re-arms the timer.
//
// Graceful shutdown: every session registers with the server's SessionTracker. Once the
// tracker drains, a session answers its current request with Connection: close, and one that
// is idle between requests (it has served one, and nothing of the next has arrived) is closed.

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "steer/base/http_server.h"
#include "steer/base/log.h"

namespace steer::base {

// The method and path only: a query or header may carry a secret.
inline void LogHandlerFailure(const ServerRequest& req, const char* what) {
  Logger("http")->error("{} {}: the handler threw ({}); answered 500", req.method, req.path, what);
}

// A connection's socket, bound to its strand (a concrete executor: no type erasure per
// operation).
using SessionExecutor = boost::asio::strand<boost::asio::io_context::executor_type>;
using PlainStream = boost::asio::basic_stream_socket<boost::asio::ip::tcp, SessionExecutor>;
using TlsStream = boost::beast::ssl_stream<PlainStream>;

struct SessionLimits {
  size_t max_body_bytes;
  size_t max_header_bytes;
  std::chrono::milliseconds timeout;         // a whole request, a response
  std::chrono::milliseconds header_timeout;  // <= timeout
  std::chrono::milliseconds idle_timeout;
};

// The handler's view of a request Beast parsed: the target split into path and query, header
// names lower-cased, repeated headers joined. Moves the body out of `msg`. (Also the entry point
// of the request fuzz targets in tests/fuzz, behind Beast's parser.)
inline ServerRequest ToServerRequest(
    boost::beast::http::request<boost::beast::http::string_body>& msg,
    const std::string& remote_ip) {
  ServerRequest req;
  req.method = std::string(msg.method_string());
  std::string_view target(msg.target().data(), msg.target().size());
  size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');  // ASCII, no locale
    }
    std::string& slot = req.headers[std::move(name)];
    // Repeated Cookie headers are joined the way HTTP/2 splits them.
    slot = slot.empty() ? std::string(field.value()) : slot + "; " + std::string(field.value());
  }
  req.body = std::move(msg.body());
  req.remote_ip = remote_ip;
  return req;
}

// What the tracker knows of a session: it can be told to drain (from any thread).
class DrainableSession {
 public:
  virtual ~DrainableSession() = default;
  virtual void Drain() = 0;
};

// The server's open sessions, for Shutdown(). Thread-safe.
class SessionTracker {
 public:
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  size_t size() {
    std::lock_guard lock(mu_);
    return sessions_.size();
  }

  void Add(const std::shared_ptr<DrainableSession>& s) {
    std::lock_guard lock(mu_);
    sessions_[s.get()] = s;
  }

  // From the session's destructor.
  void Remove(DrainableSession* s) {
    std::lock_guard lock(mu_);
    sessions_.erase(s);
    if (sessions_.empty()) cv_.notify_all();
  }

  // Marks the server draining and tells every open session.
  void BeginDrain() {
    draining_.store(true, std::memory_order_release);
    std::vector<std::weak_ptr<DrainableSession>> open;
    {
      std::lock_guard lock(mu_);
      for (const auto& [ptr, weak] : sessions_) open.push_back(weak);
    }
    // Outside the lock: dropping the last reference runs the destructor, which calls Remove().
    for (const auto& weak : open) {
      if (auto s = weak.lock()) s->Drain();
    }
  }

  // Waits until no session is open or the deadline passes; returns how many are open.
  size_t WaitEmpty(std::chrono::milliseconds deadline) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, deadline, [this] { return sessions_.empty(); });
    return sessions_.size();
  }

 private:
  std::atomic<bool> draining_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<DrainableSession*, std::weak_ptr<DrainableSession>> sessions_;
};

using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// The response message as the handler's answer goes on the wire: Content-Type, nosniff, the
// handler's headers in order, Connection as keep-alive needs, Content-Length (0 for HEAD).
inline BeastResponse MakeBeastResponse(const ServerResponse& r, bool keep_alive, unsigned version,
                                       bool head) {
  namespace http = boost::beast::http;
  BeastResponse res(static_cast<http::status>(r.status), version);
  res.set(http::field::content_type, r.content_type);
  res.set("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : r.headers) res.insert(name, value);
  if (!head) res.body() = r.Body();
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// Writes into `out` the exact bytes Beast's serializer writes for MakeBeastResponse(...), in
// one buffer: Beast's generic buffer sequences cost more than the rest of a small request.
// Returns false, leaving the response to Beast, for the shapes Beast treats specially: a
// status without a body (1xx, 204, 304), framing headers set by the handler, and values with
// leading or trailing blanks (Beast trims them).
inline bool SerializeResponse(const ServerResponse& r, bool keep_alive, unsigned version, bool head,
                              std::string& out) {
  namespace http = boost::beast::http;
  auto blank = [](std::string_view v) {
    return !v.empty() &&
           (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t');
  };
  if (r.status < 200 || r.status > 999 || r.status == 204 || r.status == 304 ||
      blank(r.content_type)) {
    return false;
  }
  for (const auto& [name, value] : r.headers) {
    auto f = http::string_to_field(name);
    if (f == http::field::connection || f == http::field::content_length ||
        f == http::field::transfer_encoding || blank(value)) {
      return false;
    }
  }
  auto line = [&out](std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
  };
  out.clear();
  out.append("HTTP/").append(std::to_string(version / 10)).append(".");
  out.append(std::to_string(version % 10)).append(" ").append(std::to_string(r.status));
  auto reason = http::obsolete_reason(static_cast<http::status>(r.status));
  out.append(" ").append(reason.data(), reason.size());
  out.append("\r\n");
  line("Content-Type", r.content_type);
  line("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : r.headers) line(name, value);
  if (version >= 11 && !keep_alive) line("Connection", "close");
  if (version < 11 && keep_alive) line("Connection", "keep-alive");
  line("Content-Length", std::to_string(head ? 0 : r.Body().size()));
  out.append("\r\n");
  if (!head && !r.shared_body) out.append(r.body);  // a shared body is written from its buffer
  return true;
}

template <typename Stream>
class HttpSession : public DrainableSession,
                    public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  // `handler` and `tracker` must outlive the session (the server destroys its io_context
  // first). Call Track() once the session is owned by a shared_ptr.
  HttpSession(Stream&& stream, SessionLimits limits, const HttpServer::Handler& handler,
              SessionTracker& tracker)
      : stream_(std::move(stream)),
        timer_(Socket().get_executor()),
        limits_(limits),
        handler_(handler),
        tracker_(tracker) {
    // Beast reads as much as the buffer has room for, at least 512 bytes, and its parser takes
    // every byte read, so the buffer never grows past 512: a 600-byte request (an introspection
    // with its token) took two recv calls every time (strace of steer-authd). 2 KiB holds a
    // request with a token, or a browser's headers, in one: +15 % introspection throughput
    // (docs/benchmarks.md).
    buffer_.reserve(2048);
  }
  ~HttpSession() override { tracker_.Remove(this); }

  void Track() { tracker_.Add(this->shared_from_this()); }
  // Something the session keeps alive as long as it lives (its TLS context).
  void KeepAlive(std::shared_ptr<void> p) { kept_ = std::move(p); }

  SessionExecutor executor() { return Socket().get_executor(); }

  void Drain() override {
    boost::asio::post(executor(), [self = this->shared_from_this()] { self->CloseIfIdle(); });
  }

  // Call on the session's strand.
  void Start() {
    boost::system::error_code ec;
    auto ep = Socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
    request_start_ = Clock::now();
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      Arm(Phase::kHeader, request_start_ + limits_.header_timeout);
      stream_.async_handshake(boost::asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](boost::system::error_code e) {
                                if (!e) self->Read();
                              });
    } else {
      Read();
    }
  }

 private:
  using Message = boost::beast::http::request<boost::beast::http::string_body>;
  using Clock = std::chrono::steady_clock;

  PlainStream& Socket() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  // kIdle: waiting for a next request; kHeader: reading a request's headers (or the TLS
  // handshake); kBody: its body; kWrite: writing a response or closing.
  enum class Phase { kIdle, kHeader, kBody, kWrite };

  // The current operation must finish by `deadline`.
  void Arm(Phase phase, Clock::time_point deadline) {
    phase_ = phase;
    deadline_ = deadline;
    if (!timer_waiting_) return Wait();
    if (deadline_ < timer_.expiry()) {
      rearm_ = true;
      timer_.cancel();  // the handler waits again, until the new deadline
    }
  }

  // A response: written within the timeout from now.
  void ArmWrite() { Arm(Phase::kWrite, Clock::now() + limits_.timeout); }

  // The timer does not keep the session alive: a session without pending I/O is done.
  void Wait() {
    timer_waiting_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([weak = this->weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self) return;
      self->timer_waiting_ = false;
      if (ec && !std::exchange(self->rearm_, false)) return;
      if (ec || Clock::now() < self->deadline_ || self->NextPhase()) return self->Wait();
      boost::system::error_code ignored;
      self->Socket().close(ignored);  // pending reads and writes fail, and the session ends
    });
  }

  // At the deadline: true (with a new deadline) when the connection may go on.
  bool NextPhase() {
    auto now = Clock::now();
    if (phase_ == Phase::kIdle && reading_ && (parser_->got_some() || buffer_.size() > 0)) {
      phase_ = Phase::kHeader;  // a request has begun
      request_start_ = now;
      deadline_ = now + limits_.header_timeout;
      return true;
    }
    if (phase_ == Phase::kIdle && now < idle_deadline_) {
      deadline_ = std::min(idle_deadline_, now + limits_.header_timeout);
      return true;
    }
    if (phase_ == Phase::kHeader && reading_ && parser_->is_header_done()) {
      phase_ = Phase::kBody;
      deadline_ = request_start_ + limits_.timeout;
      return now < deadline_;
    }
    return false;
  }

  // Between requests, with nothing of the next one read: the client has not sent it (or it is
  // still in flight, and the client retries it on a new connection, as HTTP/1.1 clients do
  // for a reused connection closed before any byte of the response).
  void CloseIfIdle() {
    if (!reading_ || parser_->got_some() || !NothingReceived()) return;
    // Cancelled, not closed: a read the reactor has already done (its bytes on their way to
    // OnRead) still completes with them; one still waiting fails, and OnRead closes.
    idle_cancelled_ = true;
    boost::system::error_code ignored;
    Socket().cancel(ignored);
  }

  // Has served a request and holds no byte of the next one, read or not. (A fresh connection
  // accepted while draining still gets its request served.)
  bool NothingReceived() {
    boost::system::error_code ec;
    return served_ > 0 && buffer_.size() == 0 && Socket().available(ec) == 0 && !ec;
  }

  void Read() {
    if (tracker_.draining() && NothingReceived()) return Close();
    reading_ = true;
    parser_.emplace();
    parser_->body_limit(limits_.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(limits_.max_header_bytes));
    if (served_ > 0 && buffer_.size() == 0) {
      // Kept alive: the next request's first byte is noticed at the latest header_timeout
      // after it arrives.
      auto now = Clock::now();
      idle_deadline_ = now + limits_.idle_timeout;
      Arm(Phase::kIdle, std::min(idle_deadline_, now + limits_.header_timeout));
    } else {
      if (served_ > 0) request_start_ = Clock::now();  // pipelined: its bytes are here
      Arm(Phase::kHeader, request_start_ + limits_.header_timeout);
    }
    boost::beast::http::async_read(stream_, buffer_, *parser_,
                                   [self = this->shared_from_this()](boost::system::error_code ec,
                                                                     size_t) { self->OnRead(ec); });
  }

  void OnRead(boost::system::error_code ec) {
    namespace http = boost::beast::http;
    reading_ = false;
    if (idle_cancelled_ && ec == boost::asio::error::operation_aborted) {
      idle_cancelled_ = false;
      if (!parser_->got_some() && buffer_.size() == 0) return Close();
      if (!parser_->got_some()) return Read();  // bytes arrived: serve them
      return Close();
    }
    ++served_;
    if (ec == http::error::body_limit) return SendError(413, "request body too large");
    if (ec == http::error::header_limit) return SendError(431, "request header too large");
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return SendError(400, "malformed request");
    }
    if (ec) return Close();
    Message& msg = parser_->get();
    ServerRequest req = ToServerRequest(msg, remote_ip_);
    bool head = msg.method() == http::verb::head;
    ServerResponse res = CallHandler(req);
    Send(res, msg.keep_alive() && !tracker_.draining(), msg.version(), head);
  }

  // Handlers report failures as values; an exception that escapes one anyway (a defect) would
  // leave the server thread and end the process, so one request could stop steerd or
  // steer-authd. It becomes a 500 for that request and an error in the log instead.
  ServerResponse CallHandler(const ServerRequest& req) {
    try {
      return handler_(req);
    } catch (const std::exception& e) {
      LogHandlerFailure(req, e.what());
    } catch (...) {
      LogHandlerFailure(req, "unknown exception");
    }
    ServerResponse r;
    r.status = 500;
    r.body = "{\"error\":\"server_error\",\"error_description\":\"internal error\"}";
    return r;
  }

  void SendError(int status, const char* what) {
    ServerResponse r;
    r.status = status;
    r.body = std::string("{\"error\":\"invalid_request\",\"error_description\":\"") + what + "\"}";
    Send(r, false, 11, false);
  }

  void Send(const ServerResponse& r, bool keep_alive, unsigned version, bool head) {
    if (!SerializeResponse(r, keep_alive, version, head, out_)) {
      return SendWithBeast(r, keep_alive, version, head);
    }
    ArmWrite();
    auto done = [self = this->shared_from_this(), keep_alive](boost::system::error_code ec,
                                                              size_t) {
      self->shared_body_.reset();
      if (ec || !keep_alive) return self->Close();
      self->Read();
    };
    if (r.shared_body && !head) {
      shared_body_ = r.shared_body;  // kept until written
      std::array<boost::asio::const_buffer, 2> buffers{boost::asio::buffer(out_),
                                                       boost::asio::buffer(*shared_body_)};
      return boost::asio::async_write(stream_, buffers, std::move(done));
    }
    boost::asio::async_write(stream_, boost::asio::buffer(out_), std::move(done));
  }

  void SendWithBeast(const ServerResponse& r, bool keep_alive, unsigned version, bool head) {
    res_ = MakeBeastResponse(r, keep_alive, version, head);
    ArmWrite();
    boost::beast::http::async_write(
        stream_, res_,
        [self = this->shared_from_this(), keep_alive](boost::system::error_code ec, size_t) {
          if (ec || !keep_alive) return self->Close();
          self->Read();
        });
  }

  void Close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      ArmWrite();
      stream_.async_shutdown([self = this->shared_from_this()](boost::system::error_code) {});
    } else {
      boost::system::error_code ec;
      stream_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  boost::asio::basic_waitable_timer<Clock, boost::asio::wait_traits<Clock>, SessionExecutor> timer_;
  Clock::time_point deadline_;
  Clock::time_point request_start_;  // the request's (or the connection's) start
  Clock::time_point idle_deadline_;  // kIdle: closed then, when no byte has come
  Phase phase_ = Phase::kHeader;
  bool timer_waiting_ = false;
  bool rearm_ = false;  // the timer was cancelled for an earlier deadline
  SessionLimits limits_;
  const HttpServer::Handler& handler_;
  SessionTracker& tracker_;
  bool reading_ = false;         // a read of the next request is pending
  bool idle_cancelled_ = false;  // CloseIfIdle cancelled that read
  int served_ = 0;               // requests read (answered or being answered)
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  BeastResponse res_;
  std::string out_;                                 // the serialised response while it is written
  std::shared_ptr<const std::string> shared_body_;  // its shared body, while written
  std::string remote_ip_;
  std::shared_ptr<void> kept_;
};

}  // namespace steer::base
