#include "steer/dns/service_plan.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <set>

namespace steer::dns {
namespace {

// The host of an http(s) URL: "http://[::1]:8081/x" -> "::1"; "" when there is none.
std::string UrlHost(const std::string& url) {
  size_t start = url.find("://");
  if (start == std::string::npos) return "";
  std::string authority = url.substr(start + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  authority =
      authority.substr(authority.rfind('@') == std::string::npos ? 0 : authority.rfind('@') + 1);
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    return close == std::string::npos ? "" : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

// "host:port" with an IP address or a host name (resolved with getaddrinfo, first address).
Result<NameServer> ResolveHostPort(const std::string& text) {
  if (auto ns = ParseNameServer(text)) return ns;
  size_t colon = text.rfind(':');
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0 || list == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "cannot resolve " + host + ": " + gai_strerror(rc));
  }
  char ip[INET6_ADDRSTRLEN] = {};
  const void* addr =
      list->ai_family == AF_INET6
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(list->ai_addr)->sin6_addr)
          : &reinterpret_cast<sockaddr_in*>(list->ai_addr)->sin_addr;
  inet_ntop(list->ai_family, addr, ip, sizeof(ip));
  freeaddrinfo(list);
  auto ns = ParseNameServer(std::string(ip).find(':') != std::string::npos
                                ? "[" + std::string(ip) + "]:" + port
                                : std::string(ip) + ":" + port);
  if (ns) ns->label = text + " (" + ip + ")";
  return ns;
}

}  // namespace

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

Result<NameServerSource> FindNameServerSource(const config::ServiceConfig& service,
                                              const config::ProviderConfig& provider) {
  using Kind = NameServerSource::Kind;
  for (const auto& text : service.nameservers) {
    if (auto ns = ParseNameServer(text); !ns) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "services." + service.name + ".nameservers: " + ns.error().message);
    }
  }
  if (!service.nameservers.empty()) {
    return NameServerSource{Kind::kConfigured, "", "services." + service.name + ".nameservers"};
  }
  const std::string key = "providers." + provider.name + ".";
  for (const auto& text : provider.nameservers) {
    if (auto ns = ParseNameServer(text); !ns) {
      return MakeError(ErrorCode::kInvalidArgument, key + "nameservers: " + ns.error().message);
    }
  }
  if (!provider.nameservers.empty()) {
    return NameServerSource{Kind::kConfigured, "", key + "nameservers"};
  }
  if (!provider.discovery_server.empty()) {
    return NameServerSource{Kind::kServer, provider.discovery_server, key + "discovery_server"};
  }
  switch (provider.type) {
    case config::ProviderType::kRfc2136:
      if (provider.rfc2136.server.empty()) break;
      return NameServerSource{Kind::kServer, provider.rfc2136.server, key + "server"};
    case config::ProviderType::kPowerDns: {
      std::string host = UrlHost(provider.powerdns.api_url);
      if (host.empty()) break;
      if (host.find(':') != std::string::npos) host = "[" + host + "]";
      return NameServerSource{Kind::kServer, host + ":53", key + "api_url"};
    }
    case config::ProviderType::kRoute53:
    case config::ProviderType::kCloudflare:
      return NameServerSource{Kind::kResolver, "", ""};
    case config::ProviderType::kEmbedded:
      if (provider.embedded.listen.empty()) break;
      return NameServerSource{Kind::kListen, "", key + "listen"};
    case config::ProviderType::kZoneFile:
      break;
  }
  return MakeError(ErrorCode::kFailedPrecondition,
                   "service " + service.name + ": cannot tell which DNS server serves zone " +
                       CanonicalName(service.zone) + " of provider " + provider.name +
                       " to find the nameservers to verify; set services." + service.name +
                       ".nameservers or " + key + "discovery_server");
}

namespace {

// steerd verifies its own embedded server where it listens; a wildcard address is asked on
// loopback.
Result<std::vector<NameServer>> ListenServers(const config::ProviderConfig& provider) {
  std::vector<NameServer> servers;
  for (const auto& text : provider.embedded.listen) {
    auto ns = ParseNameServer(text);
    if (!ns) return tl::unexpected(ns.error());
    if (ns->host == "0.0.0.0") ns->host = "127.0.0.1";
    if (ns->host == "::") ns->host = "::1";
    ns->label = text;
    servers.push_back(*ns);
  }
  return servers;
}

}  // namespace

Result<std::vector<NameServer>> AuthoritativeServers(const config::ServiceConfig& service,
                                                     const config::ProviderConfig& provider,
                                                     PropagationChecker& checker,
                                                     std::chrono::milliseconds timeout,
                                                     const std::string& resolv_conf) {
  auto source = FindNameServerSource(service, provider);
  if (!source) return tl::unexpected(source.error());
  std::vector<NameServer> servers;
  const auto& configured = service.nameservers.empty() ? provider.nameservers : service.nameservers;
  for (const auto& text : configured) servers.push_back(*ParseNameServer(text));
  if (source->kind == NameServerSource::Kind::kConfigured) return servers;
  if (source->kind == NameServerSource::Kind::kListen) return ListenServers(provider);
  std::vector<NameServer> resolvers = SystemResolvers(resolv_conf);
  std::optional<NameServer> resolver;
  if (!resolvers.empty()) resolver = resolvers.front();
  if (source->kind == NameServerSource::Kind::kResolver) {
    if (!resolver) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "service " + service.name + ": no nameserver in " + resolv_conf +
                           " to ask for the NS set of " + CanonicalName(service.zone) +
                           "; set services." + service.name + ".nameservers or providers." +
                           provider.name + ".discovery_server");
    }
    auto found = checker.ResolveNameServers(service.zone, *resolver, timeout);
    if (!found) {
      return MakeError(found.error().code, "discovery via the system resolver (" + resolv_conf +
                                               "): " + found.error().message);
    }
    return found;
  }
  auto bootstrap = ResolveHostPort(source->server);
  if (!bootstrap) {
    return MakeError(bootstrap.error().code, source->key + ": " + bootstrap.error().message);
  }
  auto found = checker.ResolveNameServers(service.zone, *bootstrap, timeout, resolver);
  if (!found) {
    return MakeError(found.error().code,
                     "discovery via " + source->key + ": " + found.error().message);
  }
  return found;
}

}  // namespace steer::dns
