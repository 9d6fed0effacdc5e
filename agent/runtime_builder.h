#pragma once

// RuntimeBuilder: the wiring — builds a Runtime from a runnable policy, all or nothing and
// without starting it (Runtime::Start() starts the probes). Providers are built from the
// context's registry with the write limits of dns::MakeRateLimiter / SafeWriterOptionsFor,
// each service's servers to verify are found (dns::AuthoritativeServers), each service gets
// a DnsApplier per provider (a ServiceApplier) whose callbacks hold what they use by
// shared_ptr or by value.
//
// Thread-safety: Build() may run on any thread; it touches only what it builds and the
// context's thread-safe parts.

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "agent_context.h"
#include "runtime.h"
#include "steer/config/policy.h"

namespace steer::agent {

// Services whose last DNS change before a crash has no outcome (AuditInterruptedChanges): its
// request may still be in flight. Their appliers send no write request before `since` plus the
// provider's timeout (when a request the dead process sent has landed or been given up), and
// the write then reads what landed first.
struct InFlightHold {
  std::set<std::string> services;
  std::chrono::steady_clock::time_point since{};
};

class RuntimeBuilder {
 public:
  // `policy` should have passed CheckRunnable(); what only the environment decides (secrets,
  // the RFC 2136 primary's NS set) may still fail here.
  static Result<std::shared_ptr<Runtime>> Build(const config::Policy& policy,
                                                std::shared_ptr<const AgentContext> context,
                                                const InFlightHold& hold = {});

 private:
  explicit RuntimeBuilder(std::shared_ptr<Runtime> rt) : rt_(std::move(rt)) {}
  Result<void> BuildCore();
  Result<void> BuildProviders();
  Result<void> BuildService(const config::ServiceConfig& sc);
  // The callbacks of the applier that writes `sc` to `provider` (applier_callbacks.cc);
  // `several`: the service has more than one provider, so what is said names it.
  ApplierDeps MakeApplierDeps(const config::ServiceConfig& sc, const std::string& provider,
                              bool several);
  Result<void> BuildProbes();

  std::shared_ptr<Runtime> rt_;
  InFlightHold hold_;
  const AgentContext& context() const { return *rt_->context_; }
};

}  // namespace steer::agent
