#include "tls_prober.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "connect.h"
#include "event_loop.h"

namespace steer::probes {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

int DaysUntilExpiry(const X509* cert) {
  int days = 0;
  int seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)) != 1) return 0;
  return days;
}

struct TlsProber::Attempt {
  Attempt(asio::io_context& io, ssl::context& ctx) : resolver(io), stream(io, ctx), timer(io) {}
  tcp::resolver resolver;
  ssl::stream<tcp::socket> stream;
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  Phases phases;
  std::optional<int> days_left;
  bool finished = false;
  ProbeDone done;
};

Result<std::unique_ptr<Prober>> TlsProber::Create(const Target& target, EventLoop& loop) {
  auto where = ParseHostPort(target.probe.address, 443);
  if (!where) return tl::unexpected(where.error());
  std::unique_ptr<TlsProber> p(new TlsProber(target, loop, std::move(*where)));
  if (auto ok = p->ConfigureContext(); !ok) return tl::unexpected(ok.error());
  return std::unique_ptr<Prober>(std::move(p));
}

TlsProber::TlsProber(const Target& target, EventLoop& loop, HostPort where)
    : loop_(loop),
      cfg_(target.probe),
      where_(std::move(where)),
      server_name_(cfg_.server_name.empty() ? where_.host : cfg_.server_name),
      ctx_(ssl::context::tls_client) {}

TlsProber::~TlsProber() {
  if (current_) {
    current_->finished = true;
    error_code ignored;
    current_->stream.lowest_layer().close(ignored);
  }
}

Result<void> TlsProber::ConfigureContext() {
  error_code ec;
  if (!cfg_.ca_file.empty()) {
    ctx_.load_verify_file(cfg_.ca_file, ec);
  } else {
    ctx_.set_default_verify_paths(ec);
  }
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "ca_file: " + ec.message());
  ctx_.set_verify_mode(cfg_.tls_verify ? ssl::verify_peer : ssl::verify_none);
  // No session cache: every probe performs a full handshake.
  SSL_CTX_set_session_cache_mode(ctx_.native_handle(), SSL_SESS_CACHE_OFF);
  return {};
}

void TlsProber::Start(ProbeDone done) {
  auto a = std::make_shared<Attempt>(loop_.io(), ctx_);
  a->done = std::move(done);
  current_ = a;
  a->timer.expires_after(cfg_.timeout);
  a->timer.async_wait([this, a](const error_code& ec) {
    if (!ec)
      Finish(a, ErrorClass::kTimeout,
             "timed out after " + std::to_string(cfg_.timeout.count()) + " ms");
  });
  ResolveAndConnect(a->resolver, a->stream.next_layer(), where_, a->phases,
                    [this, a](const error_code& ec, ErrorClass failed) {
                      if (a->finished) return;
                      if (ec) {
                        Finish(a, failed, ec.message());
                        return;
                      }
                      Handshake(a);
                    });
}

void TlsProber::Handshake(const std::shared_ptr<Attempt>& a) {
  SSL* s = a->stream.native_handle();
  // SSL_set_tlsext_host_name() is a macro with a C cast; call what it expands to.
  SSL_ctrl(s, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(server_name_.c_str()));
  if (cfg_.tls_verify) {
    // OpenSSL checks the name inside chain verification, so a mismatch gets a precise reason.
    X509_VERIFY_PARAM* param = SSL_get0_param(s);
    error_code not_ip;
    asio::ip::make_address(server_name_, not_ip);
    if (!not_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, server_name_.c_str());
    } else {
      SSL_set1_host(s, server_name_.c_str());
    }
  }
  auto tls_start = std::chrono::steady_clock::now();
  a->stream.async_handshake(ssl::stream_base::client, [this, a, tls_start](const error_code& ec) {
    if (a->finished) return;
    a->phases.tls = SinceUs(tls_start);
    OnHandshake(a, ec);
  });
}

void TlsProber::OnHandshake(const std::shared_ptr<Attempt>& a, const error_code& ec) {
  SSL* s = a->stream.native_handle();
  if (ec) {
    long verify = SSL_get_verify_result(s);
    std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : ec.message();
    Finish(a, ErrorClass::kTls, "handshake: " + why);
    return;
  }
  X509* cert = SSL_get1_peer_certificate(s);
  if (cert == nullptr) {
    Finish(a, ErrorClass::kTls, "no peer certificate");
    return;
  }
  a->days_left = DaysUntilExpiry(cert);
  X509_free(cert);
  if (cfg_.min_days_left > 0 && *a->days_left < cfg_.min_days_left) {
    Finish(a, ErrorClass::kCertExpiry,
           "certificate expires in " + std::to_string(*a->days_left) + " days, min " +
               std::to_string(cfg_.min_days_left));
    return;
  }
  Finish(a, ErrorClass::kNone, "");
}

void TlsProber::Finish(const std::shared_ptr<Attempt>& a, ErrorClass error, std::string message) {
  if (a->finished) return;
  a->finished = true;
  error_code ignored;
  a->timer.cancel();
  a->resolver.cancel();
  // Closing without close_notify: a probe does not need a graceful TLS shutdown.
  a->stream.lowest_layer().close(ignored);
  Observation obs;
  obs.phases = a->phases;
  obs.phases.total = SinceUs(a->start);
  obs.cert_days_left = a->days_left;
  obs.error = error;
  obs.ok = error == ErrorClass::kNone;
  obs.message = std::move(message);
  std::exchange(a->done, nullptr)(std::move(obs));
}

}  // namespace steer::probes
