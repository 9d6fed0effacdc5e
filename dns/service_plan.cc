#include "steer/dns/service_plan.h"

#include <algorithm>
#include <set>

namespace steer::dns {

Result<RRset> DesiredRRset(const config::ServiceConfig& service, const std::string& region) {
  if (service.regions.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "service " + service.name + " has no regions");
  }
  const config::ServiceRegion* chosen = &service.regions.front();
  if (!region.empty()) {
    auto it = std::find_if(service.regions.begin(), service.regions.end(),
                           [&](const config::ServiceRegion& r) { return r.region == region; });
    if (it == service.regions.end()) {
      return MakeError(ErrorCode::kNotFound,
                       "service " + service.name + " has no region '" + region + "'");
    }
    chosen = &*it;
  }
  RRset rrset{service.dns_name, service.record_type, service.ttl, chosen->answers};
  rrset = rrset.Normalized();
  if (auto valid = Validate(rrset); !valid) {
    return MakeError(valid.error().code, "service " + service.name + ", region " + chosen->region +
                                             ": " + valid.error().message);
  }
  return rrset;
}

Result<PlannedChange> PlanChange(Provider& provider, const config::ServiceConfig& service,
                                 const std::string& region) {
  auto desired = DesiredRRset(service, region);
  if (!desired) return tl::unexpected(desired.error());
  PlannedChange change;
  change.service = service.name;
  change.zone = CanonicalName(service.zone);
  change.provider = provider.Name();
  change.region = region.empty() ? service.regions.front().region : region;
  change.desired = *desired;
  auto current = provider.Read(change.zone, desired->name, desired->type);
  if (!current) return tl::unexpected(current.error());
  change.current = *current;
  change.pending = !change.current || !SameRRset(*change.current, change.desired);
  return change;
}

std::string FormatPlan(const PlannedChange& change) {
  std::string out = change.service + ": " + change.desired.name + " " + change.desired.type +
                    " in " + change.zone + " via " + change.provider + " (region " + change.region +
                    ")";
  if (!change.pending) return out + ": no change\n";
  out += ": " + std::string(change.current ? "replace" : "create") + "\n";
  std::set<std::string> before;
  if (change.current) {
    RRset n = change.current->Normalized();
    before.insert(n.records.begin(), n.records.end());
  }
  std::set<std::string> after(change.desired.records.begin(), change.desired.records.end());
  for (const auto& r : before) {
    if (!after.count(r)) out += "  - " + r + "\n";
  }
  for (const auto& r : after) out += (before.count(r) ? "  = " : "  + ") + r + "\n";
  if (change.current && change.current->ttl != change.desired.ttl) {
    out += "  ttl " + std::to_string(change.current->ttl) + " -> " +
           std::to_string(change.desired.ttl) + "\n";
  }
  return out;
}

Result<void> CheckNameServerSource(const config::ServiceConfig& service,
                                   const config::ProviderConfig& provider) {
  for (const auto& text : service.nameservers) {
    if (auto ns = ParseNameServer(text); !ns) return tl::unexpected(ns.error());
  }
  if (!service.nameservers.empty()) return {};
  if (provider.type == config::ProviderType::kRfc2136) {
    if (auto primary = ParseNameServer(provider.rfc2136.server); !primary) {
      return tl::unexpected(primary.error());
    }
    return {};
  }
  return MakeError(ErrorCode::kFailedPrecondition,
                   "service " + service.name +
                       ": set `nameservers` (host:port) to verify the authoritative servers");
}

Result<std::vector<NameServer>> AuthoritativeServers(const config::ServiceConfig& service,
                                                     const config::ProviderConfig& provider,
                                                     PropagationChecker& checker,
                                                     std::chrono::milliseconds timeout) {
  if (auto source = CheckNameServerSource(service, provider); !source) {
    return tl::unexpected(source.error());
  }
  std::vector<NameServer> servers;
  for (const auto& text : service.nameservers) servers.push_back(*ParseNameServer(text));
  if (!servers.empty()) return servers;
  // rfc2136 (CheckNameServerSource admits no other kind without `nameservers`).
  return checker.ResolveNameServers(service.zone, *ParseNameServer(provider.rfc2136.server),
                                    timeout);
}

}  // namespace steer::dns
