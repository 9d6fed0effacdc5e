#pragma once

// From a service's policy to DNS: the RRset a region would publish, the change a provider
// would need (a plan that writes nothing), and the authoritative servers to verify. Used by
// `steerctl plan`, `steerctl dns show` and the agent. Stateless functions; thread-safe as far
// as the provider passed in is.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/error.h"
#include "steer/config/policy.h"
#include "steer/dns/propagation.h"
#include "steer/dns/provider.h"

namespace steer::dns {

// The RRset published while `region` serves `service` (its answers, the service's TTL/type).
// An empty region means the preferred one (the first listed).
Result<RRset> DesiredRRset(const config::ServiceConfig& service, const std::string& region);

struct PlannedChange {
  std::string service;
  std::string zone;
  std::string provider;
  std::string region;            // the region whose answers are desired
  std::optional<RRset> current;  // what the provider holds now
  RRset desired;
  bool pending = false;  // current differs from desired
};

// Reads the provider (nothing is written) and compares with the desired RRset.
Result<PlannedChange> PlanChange(Provider& provider, const config::ServiceConfig& service,
                                 const std::string& region);

// A unified-diff-like text: a header line, "-" records removed, "+" records added, "="
// records kept, and a TTL line when the TTL changes. "no change" when nothing is pending.
std::string FormatPlan(const PlannedChange& change);

// Whether the servers to verify for `service` can be found, decided without asking anyone:
// its configured `nameservers` parse, or its provider kind can discover them. The check
// AuthoritativeServers() makes first, and the one `steerctl validate` makes (through
// agent::CheckRunnable), so a policy that validates is not refused here at start.
Result<void> CheckNameServerSource(const config::ServiceConfig& service,
                                   const config::ProviderConfig& provider);

// The servers to verify for `service`: its configured `nameservers`, else the zone's NS set
// asked of the RFC 2136 primary. Other providers need `nameservers` configured.
Result<std::vector<NameServer>> AuthoritativeServers(const config::ServiceConfig& service,
                                                     const config::ProviderConfig& provider,
                                                     PropagationChecker& checker,
                                                     std::chrono::milliseconds timeout);

}  // namespace steer::dns
