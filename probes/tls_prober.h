#pragma once

// TLS probes: connect, handshake with OpenSSL through an Asio ssl::stream, verify the chain and
// the hostname (unless tls_verify is off) and report the days until the leaf certificate
// expires; fewer than min_days_left is a failure (cert_expiry).
// Not thread-safe: lives on its EventLoop's thread.

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "host_port.h"
#include "steer/probes/prober.h"

namespace steer::probes {

class TlsProber final : public Prober {
 public:
  static Result<std::unique_ptr<Prober>> Create(const Target& target, EventLoop& loop);
  ~TlsProber() override;

  void Start(ProbeDone done) override;

 private:
  struct Attempt;
  TlsProber(const Target& target, EventLoop& loop, HostPort where);
  Result<void> ConfigureContext();
  void Handshake(const std::shared_ptr<Attempt>& a);
  void OnHandshake(const std::shared_ptr<Attempt>& a, const boost::system::error_code& ec);
  void Finish(const std::shared_ptr<Attempt>& a, ErrorClass error, std::string message);

  EventLoop& loop_;
  const config::ProbeConfig& cfg_;  // the target outlives the prober
  HostPort where_;
  std::string server_name_;
  boost::asio::ssl::context ctx_;
  std::shared_ptr<Attempt> current_;
};

// Days from now until the certificate's notAfter (negative once expired).
int DaysUntilExpiry(const X509* cert);

}  // namespace steer::probes
