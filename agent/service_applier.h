#pragma once

// One service's desired answers carried into every one of its providers (`providers: [a, b]`):
// one DnsApplier per provider, each on its own thread with that provider's SafeWriter (rate
// limit, retries, guard, fencing check) and its own authoritative servers to verify. The
// decision is taken once; SetDesired() hands it to every provider's applier and returns at
// once, so a provider that is down or slow never blocks the decision loop nor the others.
//
// status() is the service-level view: done once every provider serves the desired records,
// the nameservers counted over all providers, the first failing provider's error. providers()
// is the per-provider view (phase, matching/total, last_error).
//
// Thread-safety: SetDesired(), status() and providers() from any thread; Stop() from the owner.

#include <memory>
#include <string>
#include <vector>

#include "dns_applier.h"

namespace steer::agent {

struct ProviderApplyStatus {
  std::string provider;
  ApplyStatus status;
};

class ServiceApplier {
 public:
  struct Target {
    std::string provider;
    std::unique_ptr<DnsApplier> applier;
  };
  explicit ServiceApplier(std::vector<Target> targets);

  void SetDesired(const std::string& region, const dns::RRset& rrset);
  ApplyStatus status() const;
  std::vector<ProviderApplyStatus> providers() const;
  int serving() const;  // providers whose applier is done: they serve the desired records
  int size() const { return static_cast<int>(targets_.size()); }
  void Stop();  // joins every applier; idempotent

 private:
  std::vector<Target> targets_;
};

// The service-level view of the per-provider ones (see ServiceApplier::status()).
ApplyStatus Combine(const std::vector<ProviderApplyStatus>& providers);

}  // namespace steer::agent
