#pragma once

// DNS probes: ask the configured server (address) for query_name/query_type without recursion
// and compare the rcode and the answers (every expected answer must be present).
// Not thread-safe: lives on its EventLoop's thread.

#include <memory>

#include "steer/probes/dns_query.h"
#include "steer/probes/prober.h"

namespace steer::probes {

class DnsProber final : public Prober {
 public:
  static Result<std::unique_ptr<Prober>> Create(const Target& target, EventLoop& loop);

  void Start(ProbeDone done) override;

 private:
  DnsProber(const Target& target, std::unique_ptr<DnsClient> client, int type, int rcode);
  Observation Judge(const DnsResult& result) const;

  const config::ProbeConfig& cfg_;  // the target outlives the prober
  std::unique_ptr<DnsClient> client_;
  int type_;
  int want_rcode_;
};

}  // namespace steer::probes
