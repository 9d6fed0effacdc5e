#pragma once

// Runtime: everything steerd builds from one policy — the policy engine, the health book,
// the notifier, each provider with its rate limiter and SafeWriter, one DnsApplier per
// (service, provider), the probe engine. Built all or nothing by RuntimeBuilder (runtime_builder.h)
// and replaced as a whole on reload.
//
// Lifetime, coded rather than implied by member order: Stop() — also run by the destructor —
// stops the probe engine (no more observations), then joins every applier (no more writes);
// the destructor then releases the appliers, writers, limiters, providers and the change sink
// in that order (each after what references it). The health book, notifier and context are
// shared_ptrs held by the callbacks that use them, so they outlive every callback.
//
// Thread-safety: Start()/Stop() from one controlling thread at a time (the daemon's, under
// its reload lock); the accessors from any thread. ServiceRuntime::adopted is atomic; the
// rest does not change after the build.

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent_context.h"
#include "dns_applier.h"
#include "health_book.h"
#include "notify/dispatcher.h"
#include "service_applier.h"
#include "steer/config/policy.h"
#include "steer/dns/provider.h"
#include "steer/dns/rate_limiter.h"
#include "steer/dns/safe_writer.h"
#include "steer/policies/engine.h"
#include "steer/probes/engine.h"

namespace steer::agent {

struct ServiceRuntime {
  const config::ServiceConfig* config = nullptr;  // into Runtime::policy()
  // The first of the service's providers (owned by the Runtime): its records are adopted.
  dns::Provider* provider = nullptr;
  std::vector<dns::NameServer> nameservers;  // the first provider's servers to verify
  std::atomic<bool> adopted{false};          // the provider's records were read and taken as state
  // Every provider of the service is this steerd's own DNS server (type embedded): every
  // agent writes it, the leader with its decisions, a follower with the leader's (the shared
  // state).
  bool local_server = false;
  std::unique_ptr<ServiceApplier> applier;  // one DnsApplier per provider
};

class Runtime {
 public:
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  void Start();  // starts the probes
  void Stop();   // idempotent: probes stopped, appliers joined

  const config::Policy& policy() const { return policy_; }
  const policies::Engine& engine() const { return *engine_; }
  HealthBook& health() const { return *health_; }
  notify::Dispatcher& notifier() const { return *notifier_; }
  std::deque<ServiceRuntime>& services() { return services_; }

 private:
  friend class RuntimeBuilder;
  Runtime(const config::Policy& policy, std::shared_ptr<const AgentContext> context)
      : policy_(policy), context_(std::move(context)) {}

  struct ProviderStack {
    std::unique_ptr<dns::Provider> provider;
    std::unique_ptr<dns::RateLimiter> limiter;
    std::unique_ptr<dns::SafeWriter> writer;  // references provider, limiter, change sink
  };

  const config::Policy policy_;
  const std::shared_ptr<const AgentContext> context_;
  std::optional<policies::Engine> engine_;
  std::shared_ptr<HealthBook> health_;
  std::shared_ptr<notify::Dispatcher> notifier_;
  std::unique_ptr<dns::AuditSink> change_sink_;
  std::map<std::string, ProviderStack> providers_;  // by provider name
  std::deque<ServiceRuntime> services_;
  std::unique_ptr<probes::Engine> probes_;
  bool stopped_ = false;
};

}  // namespace steer::agent
