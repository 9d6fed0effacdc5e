#pragma once

// TCP probes with Asio: connect, optionally send a string and wait until the reply contains
// the expected text (read capped at 64 KiB). A fresh connection per probe.
// Not thread-safe: lives on its EventLoop's thread.

#include <memory>

#include "host_port.h"
#include "steer/probes/prober.h"

namespace steer::probes {

class TcpProber final : public Prober {
 public:
  static Result<std::unique_ptr<Prober>> Create(const Target& target, EventLoop& loop);
  ~TcpProber() override;

  void Start(ProbeDone done) override;

 private:
  struct Attempt;
  TcpProber(const Target& target, EventLoop& loop, HostPort where);
  void OnConnected(const std::shared_ptr<Attempt>& a);
  void ReadSome(const std::shared_ptr<Attempt>& a);
  void Finish(const std::shared_ptr<Attempt>& a, ErrorClass error, std::string message);

  EventLoop& loop_;
  const config::ProbeConfig& cfg_;  // the target outlives the prober
  HostPort where_;
  std::shared_ptr<Attempt> current_;
};

}  // namespace steer::probes
