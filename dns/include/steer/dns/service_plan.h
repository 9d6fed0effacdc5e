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

// Where the servers that verify a change come from, decided from the policy alone (no I/O).
struct NameServerSource {
  enum class Kind {
    kConfigured,  // the service's `nameservers`, else the provider's
    kServer,      // the zone's NS set asked of `server`, a DNS server of the zone
    kResolver,    // the zone's NS set asked of the system resolver (resolv.conf)
    kListen,      // an embedded provider's own listen addresses (0.0.0.0 / [::] as loopback)
  };
  Kind kind = Kind::kConfigured;
  std::string server;  // kServer: host:port (the host may be a name, resolved at run time)
  std::string key;     // the policy key it comes from: "services.login.nameservers",
                       // "providers.bind.server", ... ("" for the system resolver)
};

// How the servers to verify `service` will be found: its `nameservers`, else the provider's
// `nameservers`, else its `discovery_server`, else by provider type: rfc2136 its `server`, powerdns
// `api_url`'s host on port 53, route53 and cloudflare the system resolver, embedded its own listen
// addresses; a zonefile provider has none. kFailedPrecondition naming the key to set when nothing
// can be found; kInvalidArgument when a configured name server is not an IP address (steerd
// verifies by address).
Result<NameServerSource> FindNameServerSource(const config::ServiceConfig& service,
                                              const config::ProviderConfig& provider);

// The servers to verify for `service`, found as FindNameServerSource says: the configured
// ones, or the zone's NS set discovered over DNS (ResolveNameServers; NS names outside the
// zone that the server does not resolve are asked of the first resolver in `resolv_conf`).
Result<std::vector<NameServer>> AuthoritativeServers(
    const config::ServiceConfig& service, const config::ProviderConfig& provider,
    PropagationChecker& checker, std::chrono::milliseconds timeout,
    const std::string& resolv_conf = "/etc/resolv.conf");

}  // namespace steer::dns
