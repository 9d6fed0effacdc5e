#include "steer/dns/embedded_provider.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>

#include "auth_notify.h"
#include "auth_server.h"
#include "auth_transfer.h"
#include "auth_zone.h"
#include "dns_exchange.h"
#include "steer/base/log.h"
#include "steer/base/secret.h"
#include "steer/dns/propagation.h"

namespace steer::dns {

struct EmbeddedProvider::Host {
  std::mutex mu;  // serializes changes; queries read `store` without it
  std::string origin;
  std::shared_ptr<auth::ZoneStore> store = std::make_shared<auth::ZoneStore>();
  std::unique_ptr<auth::AuthServer> server;
  std::vector<RRset> statics;                                    // from the zone file
  std::map<std::pair<std::string, std::string>, RRset> steered;  // by name, type
  std::shared_ptr<const auth::Zone> zone;                        // being served
  std::shared_ptr<const auth::TransferPolicy> transfer;          // null: no transfers
  std::unique_ptr<auth::Notifier> notifier;                      // null: no secondaries
};

namespace {

using Host = EmbeddedProvider::Host;

// Hosts by listen addresses: a reload's new provider finds the running server.
std::mutex g_hosts_mu;
std::map<std::string, std::weak_ptr<Host>>& Hosts() {
  static auto* hosts = new std::map<std::string, std::weak_ptr<Host>>();
  return *hosts;
}

std::string HostKey(std::vector<std::string> listen) {
  std::sort(listen.begin(), listen.end());
  std::string key;
  for (const auto& l : listen) key += l + ",";
  return key;
}

Result<NameServer> ParseListen(const std::string& text) {
  bool any_port = text.size() > 2 && text.compare(text.size() - 2, 2, ":0") == 0;
  auto ns = ParseNameServer(any_port ? text.substr(0, text.size() - 1) + "53" : text);
  if (!ns) return MakeError(ErrorCode::kInvalidArgument, "listen: " + ns.error().message);
  if (any_port) ns->port = 0;
  return ns;
}

uint32_t UnixNow(const base::Clock* clock) {
  base::SystemClock system;
  return static_cast<uint32_t>(base::UnixSeconds(clock != nullptr ? *clock : system));
}

uint32_t FileSerial(const std::vector<RRset>& rrsets) {
  for (const auto& r : rrsets) {
    if (r.type != "SOA" || r.records.empty()) continue;
    std::istringstream in(r.records[0]);
    std::string mname, rname, serial;
    in >> mname >> rname >> serial;
    return static_cast<uint32_t>(std::strtoul(serial.c_str(), nullptr, 10));
  }
  return 0;
}

uint32_t NextSerial(uint32_t old, uint32_t now) { return now > old ? now : old + 1; }

// Builds and serves the zone from `statics` + `steered`; on error nothing changes.
Result<void> Publish(Host& h, const std::vector<RRset>& statics,
                     const std::map<std::pair<std::string, std::string>, RRset>& steered,
                     uint32_t serial) {
  std::vector<RRset> all;
  for (const auto& r : statics) {
    if (steered.count({r.name, r.type}) == 0) all.push_back(r);
  }
  for (const auto& [_, r] : steered) all.push_back(r);
  auto zone = auth::BuildZone(h.origin, all, serial, h.transfer, h.zone.get());
  if (!zone) return tl::unexpected(zone.error());
  auto set = std::make_shared<auth::ZoneSet>();
  set->zones[(*zone)->apex] = *zone;
  h.store->Store(std::move(set));
  h.zone = *zone;
  h.statics = statics;
  h.steered = steered;
  if (h.notifier) h.notifier->Notify(serial);  // returns at once: its own thread sends
  return {};
}

Result<std::shared_ptr<const auth::TransferPolicy>> MakeTransfer(const EmbeddedOptions& o) {
  auto policy = std::make_shared<auth::TransferPolicy>();
  for (const auto& text : o.transfer.allow) {
    auto network = auth::Network::Parse(text);
    if (!network) {
      return MakeError(ErrorCode::kInvalidArgument,
                       o.name + ": transfer.allow: '" + text + "' is not a network");
    }
    policy->allow.push_back(*network);
  }
  if (!o.transfer.key_name.empty()) {
    auto key = tsig::MakeKey(o.name + ": transfer", o.transfer.key_name, o.transfer.key_algorithm,
                             o.transfer.key_secret);
    if (!key) return tl::unexpected(key.error());
    policy->key = *key;
  }
  return policy;
}

// The transfer policy and the NOTIFY sender of `o`, installed in `h` (start and reload).
Result<void> SetUpSecondaries(Host& h, const EmbeddedOptions& o) {
  auto policy = MakeTransfer(o);
  if (!policy) return tl::unexpected(policy.error());
  std::unique_ptr<auth::Notifier> notifier;
  if (!o.secondaries.empty()) {
    auth::NotifyOptions n{o.name, o.origin, {}, (*policy)->key, o.notify_first_retry};
    for (const auto& text : o.secondaries) {
      auto ns = ParseNameServer(text);
      if (!ns)
        return MakeError(ErrorCode::kInvalidArgument,
                         o.name + ": secondaries: " + ns.error().message);
      n.targets.push_back({ns->host, ns->port});
    }
    auto started = auth::Notifier::Start(std::move(n));
    if (!started) return tl::unexpected(started.error());
    notifier = std::move(*started);
  }
  h.transfer = std::move(*policy);
  h.notifier = std::move(notifier);
  return {};
}

Result<std::vector<RRset>> LoadStatics(const EmbeddedOptions& o) {
  auto statics = internal::ReadZoneFile(o.zone_file, o.origin, o.name);
  if (!statics) return statics;
  for (auto& r : *statics) r = r.Normalized();
  return statics;
}

// A new Host: the zone file served, then the sockets bound.
Result<std::shared_ptr<Host>> NewHost(const EmbeddedOptions& o, std::vector<RRset> statics) {
  auto host = std::make_shared<Host>();
  host->origin = o.origin;
  uint32_t serial = std::max(FileSerial(statics), UnixNow(o.clock));
  if (auto ok = SetUpSecondaries(*host, o); !ok) return tl::unexpected(ok.error());
  if (auto ok = Publish(*host, statics, {}, serial); !ok) return tl::unexpected(ok.error());
  auth::AuthServerOptions server;
  for (const auto& l : o.listen) {
    auto ns = ParseListen(l);
    if (!ns) return tl::unexpected(ns.error());
    server.listen.push_back({ns->host, ns->port});
  }
  server.max_udp_size = static_cast<uint16_t>(o.max_udp_size);
  auto started = auth::AuthServer::Start(server, host->store);
  if (!started) return tl::unexpected(started.error());
  host->server = std::move(*started);
  return host;
}

// A reload on the running Host: the zone file read again, the secondaries' settings renewed;
// refused (nothing changes) when the zone does not build.
Result<void> Reload(Host& host, const EmbeddedOptions& o, const std::vector<RRset>& statics) {
  std::lock_guard lock(host.mu);
  if (host.origin != o.origin) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     o.name + ": its listen addresses already serve zone " + host.origin +
                         "; restart steerd to serve another zone there");
  }
  uint32_t serial = NextSerial(host.zone->serial, UnixNow(o.clock));
  auto old_transfer = host.transfer;
  auto old_notifier = std::move(host.notifier);
  auto ok = SetUpSecondaries(host, o);
  if (ok) ok = Publish(host, statics, host.steered, serial);
  if (!ok) {
    host.transfer = old_transfer;
    host.notifier = std::move(old_notifier);
  }
  return ok;
}

// The running Host of these addresses with the zone file read again, or a new one.
Result<std::shared_ptr<Host>> AttachHost(const EmbeddedOptions& o) {
  auto statics = LoadStatics(o);
  if (!statics) return tl::unexpected(statics.error());
  std::lock_guard pool_lock(g_hosts_mu);
  auto& slot = Hosts()[HostKey(o.listen)];
  if (auto host = slot.lock()) {
    if (auto ok = Reload(*host, o, *statics); !ok) return tl::unexpected(ok.error());
    return host;
  }
  auto host = NewHost(o, std::move(*statics));
  if (host) slot = *host;
  return host;
}

}  // namespace

EmbeddedProvider::EmbeddedProvider(EmbeddedOptions options, std::shared_ptr<Host> host)
    : options_(std::move(options)), host_(std::move(host)) {}

EmbeddedProvider::~EmbeddedProvider() = default;

Result<std::unique_ptr<EmbeddedProvider>> EmbeddedProvider::Start(const EmbeddedOptions& in) {
  EmbeddedOptions o = in;
  o.origin = CanonicalName(o.origin);
  if (o.listen.empty() || o.zone_file.empty() || o.origin == ".") {
    return MakeError(ErrorCode::kInvalidArgument, o.name + ": needs listen, zone_file, origin");
  }
  std::shared_ptr<Host> host;
  if (o.serve) {
    auto attached = AttachHost(o);
    if (!attached) return tl::unexpected(attached.error());
    host = std::move(*attached);
    std::string ports;
    for (uint16_t port : host->server->Ports()) ports += " " + std::to_string(port);
    base::Logger("dns")->info("{}: serving {} (serial {}), ports{}", o.name, o.origin,
                              host->zone->serial, ports);
  }
  return std::unique_ptr<EmbeddedProvider>(new EmbeddedProvider(std::move(o), std::move(host)));
}

Result<std::unique_ptr<Provider>> EmbeddedProvider::Create(const config::ProviderConfig& config,
                                                           bool serve, const base::Clock* clock) {
  EmbeddedOptions o;
  o.name = "embedded:" + config.name;
  o.origin = config.embedded.origin;
  o.zone_file = config.embedded.zone_file;
  o.listen = config.embedded.listen;
  o.max_udp_size = config.embedded.max_udp_size;
  o.secondaries = config.embedded.secondaries;
  const auto& t = config.embedded.transfer;
  o.transfer.allow = t.allow;
  o.transfer.key_name = t.tsig_key_name;
  o.transfer.key_algorithm = t.tsig_algorithm;
  if (serve && !t.tsig_secret.empty()) {  // steerctl neither transfers nor notifies
    auto secret = base::ResolveSecret(t.tsig_secret);
    if (!secret) {
      return MakeError(secret.error().code, "provider " + config.name + ": transfer.tsig_secret (" +
                                                t.tsig_secret.ToString() +
                                                "): " + secret.error().message);
    }
    o.transfer.key_secret = *secret;
  }
  o.serve = serve;
  o.clock = clock;
  auto p = Start(o);
  if (!p) return tl::unexpected(p.error());
  return std::unique_ptr<Provider>(std::move(*p));
}

Result<void> EmbeddedProvider::CheckZone(const std::string& zone) const {
  if (CanonicalName(zone) == options_.origin) return {};
  return MakeError(ErrorCode::kNotFound,
                   options_.name + " serves " + options_.origin + ", not " + CanonicalName(zone));
}

Result<std::optional<RRset>> EmbeddedProvider::Read(const std::string& zone,
                                                    const std::string& name,
                                                    const std::string& type) {
  if (auto ok = CheckZone(zone); !ok) return tl::unexpected(ok.error());
  RRset key = RRset{name, type, 0, {}}.Normalized();
  if (!host_) return ReadRemote(key.name, key.type);
  auto snapshot = host_->store->Load();
  for (const auto& [_, z] : snapshot->zones) {
    for (const auto& rrset : z->rrsets) {
      if (rrset.name == key.name && rrset.type == key.type) return rrset;
    }
  }
  return std::optional<RRset>();
}

Result<std::optional<RRset>> EmbeddedProvider::ReadRemote(const std::string& name,
                                                          const std::string& type) {
  auto ns = ParseListen(options_.listen.at(0));
  if (!ns) return tl::unexpected(ns.error());
  if (ns->host == "0.0.0.0") ns->host = "127.0.0.1";
  if (ns->host == "::") ns->host = "::1";
  ns->label = options_.name;
  auto query = internal::MakeQuery(name, type);
  if (!query) return tl::unexpected(query.error());
  auto wire = internal::ToWire(query->get());
  if (!wire) return tl::unexpected(wire.error());
  auto reply = internal::Exchange(*ns, *wire, std::chrono::milliseconds(2000));
  if (!reply) {
    return MakeError(reply.error().code, options_.name + ": no answer from steerd's server on " +
                                             options_.listen[0] +
                                             " (is steerd running?): " + reply.error().message);
  }
  auto pkt = internal::FromWire(*reply);
  if (!pkt) return tl::unexpected(pkt.error());
  auto rcode = ldns_pkt_get_rcode(pkt->get());
  if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
    return MakeError(ErrorCode::kUnavailable,
                     options_.name + " answered " + internal::RcodeName(rcode) + " for " + name);
  }
  return internal::AnswerRRset(pkt->get(), name, type);
}

Result<ChangeReceipt> EmbeddedProvider::Replace(const std::string& zone, const RRset& in) {
  if (auto ok = CheckZone(zone); !ok) return tl::unexpected(ok.error());
  if (!host_) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     options_.name + ": only steerd changes what its embedded server answers");
  }
  RRset rrset = in.Normalized();
  if (auto ok = Validate(rrset); !ok) return tl::unexpected(ok.error());
  if (rrset.type == "SOA" || (rrset.type == "NS" && rrset.name == options_.origin)) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     options_.name + ": the SOA and the apex NS come from the zone file");
  }
  std::lock_guard lock(host_->mu);
  auto steered = host_->steered;
  steered[{rrset.name, rrset.type}] = rrset;
  uint32_t serial = NextSerial(host_->zone->serial, UnixNow(options_.clock));
  if (auto ok = Publish(*host_, host_->statics, steered, serial); !ok) {
    bool outside = ok.error().message.find("not inside") != std::string::npos ||
                   ok.error().message.find("wildcard") != std::string::npos;
    return MakeError(outside ? ErrorCode::kInvalidArgument : ErrorCode::kFailedPrecondition,
                     options_.name + ": " + ok.error().message);
  }
  return ChangeReceipt{std::to_string(serial), 1};
}

std::vector<uint16_t> EmbeddedProvider::Ports() const {
  return host_ && host_->server ? host_->server->Ports() : std::vector<uint16_t>{};
}

uint32_t EmbeddedProvider::Serial() const {
  if (!host_) return 0;
  std::lock_guard lock(host_->mu);
  return host_->zone->serial;
}

}  // namespace steer::dns
