#include "tcp_prober.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "connect.h"
#include "event_loop.h"

namespace steer::probes {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

inline constexpr size_t kReplyCap = 64 * 1024;

// One probe's sockets and state; handlers hold it alive, `finished` makes late ones no-ops.
struct TcpProber::Attempt {
  explicit Attempt(asio::io_context& io) : resolver(io), socket(io), timer(io) {}
  tcp::resolver resolver;
  tcp::socket socket;
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point connected;
  Phases phases;
  std::string reply;
  char buf[4096];
  bool finished = false;
  ProbeDone done;
};

Result<std::unique_ptr<Prober>> TcpProber::Create(const Target& target, EventLoop& loop) {
  auto where = ParseHostPort(target.probe.address);
  if (!where) return tl::unexpected(where.error());
  return std::unique_ptr<Prober>(new TcpProber(target, loop, std::move(*where)));
}

TcpProber::TcpProber(const Target& target, EventLoop& loop, HostPort where)
    : loop_(loop), cfg_(target.probe), where_(std::move(where)) {}

TcpProber::~TcpProber() {
  if (current_) {
    current_->finished = true;
    error_code ignored;
    current_->socket.close(ignored);
  }
}

void TcpProber::Start(ProbeDone done) {
  auto a = std::make_shared<Attempt>(loop_.io());
  a->done = std::move(done);
  current_ = a;
  a->timer.expires_after(cfg_.timeout);
  a->timer.async_wait([this, a](const error_code& ec) {
    if (!ec)
      Finish(a, ErrorClass::kTimeout,
             "timed out after " + std::to_string(cfg_.timeout.count()) + " ms");
  });
  ResolveAndConnect(a->resolver, a->socket, where_, a->phases,
                    [this, a](const error_code& ec, ErrorClass failed) {
                      if (a->finished) return;
                      if (ec) {
                        Finish(a, failed, ec.message());
                        return;
                      }
                      a->connected = std::chrono::steady_clock::now();
                      OnConnected(a);
                    });
}

void TcpProber::OnConnected(const std::shared_ptr<Attempt>& a) {
  auto after_send = [this, a] {
    if (cfg_.expect_reply.empty()) {
      Finish(a, ErrorClass::kNone, "");
    } else {
      ReadSome(a);
    }
  };
  if (cfg_.send.empty()) {
    after_send();
    return;
  }
  asio::async_write(a->socket, asio::buffer(cfg_.send),
                    [this, a, after_send](const error_code& ec, size_t) {
                      if (a->finished) return;
                      if (ec) {
                        Finish(a, ErrorClass::kConnect, "send: " + ec.message());
                        return;
                      }
                      after_send();
                    });
}

void TcpProber::ReadSome(const std::shared_ptr<Attempt>& a) {
  a->socket.async_read_some(asio::buffer(a->buf), [this, a](const error_code& ec, size_t n) {
    if (a->finished) return;
    if (a->reply.empty() && n > 0) a->phases.first_byte = SinceUs(a->connected);
    a->reply.append(a->buf, std::min(n, kReplyCap - a->reply.size()));
    if (a->reply.find(cfg_.expect_reply) != std::string::npos) {
      Finish(a, ErrorClass::kNone, "");
    } else if (ec == asio::error::eof || a->reply.size() >= kReplyCap) {
      Finish(a, ErrorClass::kReplyMismatch,
             "reply does not contain '" + cfg_.expect_reply + "' (" +
                 std::to_string(a->reply.size()) + " bytes read)");
    } else if (ec) {
      Finish(a, ErrorClass::kConnect, "receive: " + ec.message());
    } else {
      ReadSome(a);
    }
  });
}

void TcpProber::Finish(const std::shared_ptr<Attempt>& a, ErrorClass error, std::string message) {
  if (a->finished) return;
  a->finished = true;
  error_code ignored;
  a->timer.cancel();
  a->resolver.cancel();
  a->socket.close(ignored);
  Observation obs;
  obs.phases = a->phases;
  obs.phases.total = SinceUs(a->start);
  obs.error = error;
  obs.ok = error == ErrorClass::kNone;
  obs.message = std::move(message);
  std::exchange(a->done, nullptr)(std::move(obs));
}

}  // namespace steer::probes
