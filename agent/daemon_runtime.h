#pragma once

// Everything steerd builds from one policy, replaced as a whole on reload. Member order is
// destruction order reversed: probes stop first (their sink feeds `health`), then the
// appliers' threads (they use the writers), then writers, limiters, providers.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "dns_applier.h"
#include "health_book.h"
#include "notify/dispatcher.h"
#include "state_store.h"
#include "steer/config/policy.h"
#include "steer/dns/provider.h"
#include "steer/dns/rate_limiter.h"
#include "steer/dns/safe_writer.h"
#include "steer/policies/engine.h"
#include "steer/probes/engine.h"

namespace steer::agent {

struct ServiceRuntime {
  const config::ServiceConfig* config = nullptr;
  dns::Provider* provider = nullptr;
  std::vector<dns::NameServer> nameservers;
  bool adopted = false;
  std::unique_ptr<DnsApplier> applier;
};

struct Runtime {
  config::Policy policy;
  std::optional<policies::Engine> engine;
  std::unique_ptr<HealthBook> health;
  std::unique_ptr<notify::Dispatcher> notifier;
  std::map<std::string, std::unique_ptr<dns::Provider>> providers;
  std::map<std::string, std::unique_ptr<dns::RateLimiter>> limiters;
  std::map<std::string, std::unique_ptr<dns::SafeWriter>> writers;
  std::vector<ServiceRuntime> services;
  std::map<uint64_t, int> probe_to_target;  // probes::Target::id -> layout target index
  std::map<uint64_t, std::vector<std::string>> probe_labels;  // id -> {region, component, probe}
  std::unique_ptr<probes::Engine> probes;
};

// SafeWriter's audit sink: every change into the audit log (under the service's name, from
// `service_of(fqdn)`) and the DNS metrics.
using ServiceOf = std::function<std::string(const std::string& fqdn)>;
std::unique_ptr<dns::AuditSink> MakeChangeSink(StateStore& store, AgentMetrics& metrics,
                                               ServiceOf service_of);

}  // namespace steer::agent
