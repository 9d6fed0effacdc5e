// Cross-field rules, one function per section of the policy.
#include <map>
#include <regex>
#include <set>

#include "text_checks.h"
#include "validate.h"

namespace steer::config {
namespace {

class Checker {
 public:
  Checker(Reader& r, std::string path) : r_(r), path_(std::move(path)) {}

  // Reports `message` at `key` (or at the object itself when the key is absent).
  void Fail(const std::string& key, const std::string& message) {
    std::string p = key.empty() ? path_ : path_ + "." + key;
    Location loc = r_.Find(p);
    if (loc.line == 1 && loc.column == 1) loc = r_.Find(path_);
    r_.ErrorAt(loc, p, message);
  }
  // A key that is present but was rejected has been reported already.
  void Require(bool present, const std::string& key, const std::string& what) {
    if (!present && !r_.Has(path_ + "." + key)) {
      Fail(key, "missing required key '" + key + "' for " + what);
    }
  }
  bool TypeIsValid() const { return !r_.HasErrorAt(path_ + ".type"); }
  const std::string& path() const { return path_; }

 private:
  Reader& r_;
  std::string path_;
};

// secondaries need transfers; transfers need a key (docs/dns.md).
void CheckZoneTransfer(Checker& c, const EmbeddedConfig& e) {
  for (size_t i = 0; i < e.secondaries.size(); ++i) {
    if (!IsIpPort(e.secondaries[i])) {
      c.Fail("secondaries[" + std::to_string(i) + "]",
             "expected an IP address and port, e.g. 192.0.2.53:53 or [2001:db8::53]:53");
    }
  }
  for (size_t i = 0; i < e.transfer.allow.size(); ++i) {
    if (!IsNetwork(e.transfer.allow[i])) {
      c.Fail("transfer.allow[" + std::to_string(i) + "]",
             "expected a network or an address, e.g. 192.0.2.0/24 or 2001:db8::53");
    }
  }
  const auto& t = e.transfer;
  bool used = !e.secondaries.empty() || !t.allow.empty() || !t.tsig_key_name.empty() ||
              !t.tsig_secret.empty();
  if (!used) return;
  std::string why = "zone transfers (secondaries or transfer)";
  c.Require(!t.allow.empty(), "transfer.allow", why);
  c.Require(!t.tsig_key_name.empty(), "transfer.tsig_key_name", why);
  c.Require(!t.tsig_secret.empty(), "transfer.tsig_secret", why);
}

void CheckProviderKeys(Checker& c, const ProviderConfig& p) {
  switch (p.type) {
    case ProviderType::kPowerDns:
      c.Require(!p.powerdns.api_url.empty(), "api_url", "type powerdns");
      c.Require(!p.powerdns.api_key.empty(), "api_key", "type powerdns");
      break;
    case ProviderType::kRfc2136:
      c.Require(!p.rfc2136.server.empty(), "server", "type rfc2136");
      c.Require(!p.rfc2136.tsig_key_name.empty(), "tsig_key_name", "type rfc2136");
      c.Require(!p.rfc2136.tsig_secret.empty(), "tsig_secret", "type rfc2136");
      if (!p.rfc2136.server.empty() && !IsHostPort(p.rfc2136.server)) {
        c.Fail("server", "expected host:port, e.g. 127.0.0.1:53");
      }
      break;
    case ProviderType::kRoute53:
      c.Require(!p.route53.hosted_zone_id.empty(), "hosted_zone_id", "type route53");
      c.Require(!p.route53.access_key_id.empty(), "access_key_id", "type route53");
      c.Require(!p.route53.secret_access_key.empty(), "secret_access_key", "type route53");
      break;
    case ProviderType::kCloudflare:
      c.Require(!p.cloudflare.zone_id.empty(), "zone_id", "type cloudflare");
      c.Require(!p.cloudflare.api_token.empty(), "api_token", "type cloudflare");
      break;
    case ProviderType::kZoneFile:
      c.Require(!p.zonefile.path.empty(), "path", "type zonefile");
      c.Require(!p.zonefile.origin.empty(), "origin", "type zonefile");
      break;
    case ProviderType::kEmbedded:
      c.Require(!p.embedded.listen.empty(), "listen", "type embedded");
      c.Require(!p.embedded.zone_file.empty(), "zone_file", "type embedded");
      c.Require(!p.embedded.origin.empty(), "origin", "type embedded");
      for (size_t i = 0; i < p.embedded.listen.size(); ++i) {
        if (!IsHostPort(p.embedded.listen[i])) {
          c.Fail("listen[" + std::to_string(i) + "]", "expected host:port, e.g. 0.0.0.0:53");
        }
      }
      CheckZoneTransfer(c, p.embedded);
      break;
  }
}

void CheckHttpProbe(Checker& c, Reader& r, const ProbeConfig& p) {
  c.Require(!p.url.empty(), "url", "type http");
  if (!p.connect_to.empty() && !IsHostPort(p.connect_to)) {
    c.Fail("connect_to", "expected host:port, e.g. 198.51.100.10:443");
  }
  if (!p.expect.body_regex.empty()) {
    try {
      std::regex re(p.expect.body_regex);
    } catch (const std::regex_error& e) {
      c.Fail("expect.body_regex", std::string("invalid regular expression: ") + e.what());
    }
  }
  for (size_t i = 0; i < p.expect.json.size(); ++i) {
    if (!p.expect.json[i].path.empty() && p.expect.json[i].path[0] != '$') {
      c.Fail("expect.json[" + std::to_string(i) + "].path", "a JSON path starts with '$'");
    }
  }
  CheckSecretHeaders(r, p.headers, c.path() + ".headers");
}

}  // namespace

void CheckProbe(Reader& r, const ProbeConfig& p, const std::string& path) {
  Checker c(r, path);
  if (p.timeout >= p.interval) {
    c.Fail("timeout", "timeout (" + std::to_string(p.timeout.count()) +
                          "ms) must be less than interval (" + std::to_string(p.interval.count()) +
                          "ms)");
  }
  if (p.jitter >= p.interval) c.Fail("jitter", "jitter must be less than interval");
  if (!c.TypeIsValid()) return;
  switch (p.type) {
    case ProbeType::kHttp:
      CheckHttpProbe(c, r, p);
      break;
    case ProbeType::kDns:
      c.Require(!p.query_name.empty(), "query_name", "type dns");
      [[fallthrough]];
    case ProbeType::kTcp:
    case ProbeType::kTls:
      c.Require(!p.address.empty(), "address", "this probe type");
      if (!p.address.empty() && !IsHostPort(p.address)) {
        c.Fail("address", "expected host:port, e.g. 198.51.100.10:443");
      }
      break;
  }
}

namespace {

void CheckRegion(Reader& r, const RegionConfig& region, const std::string& path) {
  Checker c(r, path);
  std::set<std::string> names;
  int critical = 0;
  for (const auto& comp : region.components) {
    names.insert(comp.name);
    critical += comp.critical ? 1 : 0;
    std::string comp_path = path + ".components." + comp.name;
    std::set<std::string> probe_names;
    for (size_t i = 0; i < comp.probes.size(); ++i) {
      std::string probe_path = comp_path + ".probes[" + std::to_string(i) + "]";
      const ProbeConfig& p = comp.probes[i];
      if (!p.name.empty() && !probe_names.insert(p.name).second) {
        Checker(r, probe_path).Fail("name", "duplicate probe name '" + p.name + "'");
      }
      CheckProbe(r, p, probe_path);
    }
  }
  for (size_t i = 0; i < region.health.of.size(); ++i) {
    if (!names.count(region.health.of[i])) {
      c.Fail("health.of[" + std::to_string(i) + "]",
             "unknown component '" + region.health.of[i] + "' in region '" + region.name + "'");
    }
  }
  int pool = region.health.of.empty() ? critical : static_cast<int>(region.health.of.size());
  if (region.health.at_least > pool) {
    c.Fail("health.at_least", "at_least " + std::to_string(region.health.at_least) +
                                  " is more than the " + std::to_string(pool) +
                                  " components it counts");
  }
}

}  // namespace

// etcd leases are granted in whole seconds, and etcd raises a TTL below its minimum (2 s at
// its default election timeout) without saying so: refuse rather than run on another TTL.
void CheckEtcd(Reader& r, const Policy& p) {
  Checker etcd(r, "coordination.etcd");
  const auto ttl = p.coordination.etcd.lease_ttl;
  if (ttl.count() % 1000 != 0 || ttl < std::chrono::seconds(2)) {
    etcd.Fail("lease_ttl",
              "must be a whole number of seconds, at least 2s (etcd grants leases "
              "in seconds and raises shorter ones)");
  }
  if (!p.coordination.etcd.username.empty() && p.coordination.etcd.password.empty()) {
    etcd.Fail("password", "missing required key 'password' for username");
  }
}

namespace {

// agent.tls, agent.insecure_plain_http and agent.api_limits; the listen address off loopback
// needs TLS or the explicit opt-out.
void CheckApiListener(Reader& r, const AgentConfig& a) {
  Checker tls(r, "agent.tls");
  if (a.tls.cert_file.empty() != a.tls.key_file.empty()) {
    tls.Fail(a.tls.cert_file.empty() ? "cert_file" : "key_file",
             "cert_file and key_file go together");
  }
  if (!a.tls.client_ca_file.empty() && a.tls.cert_file.empty()) {
    tls.Fail("client_ca_file", "mutual TLS needs cert_file and key_file");
  }
  Checker agent(r, "agent");
  if (!a.tls.enabled() && !a.insecure_plain_http && IsHostPort(a.listen) &&
      !IsLoopbackHostPort(a.listen)) {
    agent.Fail("listen", a.listen +
                             " is not a loopback address: the API off loopback needs agent.tls "
                             "(cert_file, key_file), or insecure_plain_http: true");
  }
  const auto& l = a.api_limits;
  if (l.header_timeout > l.request_timeout) {
    Checker(r, "agent.api_limits")
        .Fail("header_timeout",
              "must be at most request_timeout (" + base::FormatDuration(l.request_timeout) + ")");
  }
}

}  // namespace

void ValidateAgent(Reader& r, const Policy& p) {
  Checker agent(r, "agent");
  if (!p.agent.listen.empty() && !IsHostPort(p.agent.listen)) {
    agent.Fail("listen", "expected host:port, e.g. 127.0.0.1:9053");
  }
  if (!p.agent.state_dir.empty() && p.agent.state_dir[0] != '/') {
    agent.Fail("state_dir", "must be an absolute path");
  }
  CheckApiListener(r, p.agent);
  Checker coord(r, "coordination");
  bool has_etcd = r.Has("coordination.etcd");
  if (p.coordination.mode == CoordinationMode::kEtcd) {
    coord.Require(has_etcd, "etcd", "mode etcd");
    CheckEtcd(r, p);
  } else if (has_etcd) {
    coord.Fail("etcd", "etcd settings are given but mode is local; set mode: etcd");
  }
}

void ValidateProviders(Reader& r, const Policy& p) {
  std::map<std::string, std::string> listening;  // embedded listen address -> provider
  for (const auto& provider : p.providers) {
    Checker c(r, "providers." + provider.name);
    for (size_t i = 0; i < provider.embedded.listen.size(); ++i) {
      auto [it, fresh] = listening.emplace(Lower(provider.embedded.listen[i]), provider.name);
      if (!fresh) {
        c.Fail(
            "listen[" + std::to_string(i) + "]",
            provider.embedded.listen[i] + " is already a listen address of provider " + it->second);
      }
    }
    if (!provider.discovery_server.empty() && !IsHostPort(provider.discovery_server)) {
      c.Fail("discovery_server", "expected host:port, e.g. 127.0.0.1:53");
    }
    for (size_t i = 0; i < provider.nameservers.size(); ++i) {
      if (!IsHostPort(provider.nameservers[i])) {
        c.Fail("nameservers[" + std::to_string(i) + "]", "expected host:port, e.g. 127.0.0.1:53");
      }
    }
    if (c.TypeIsValid()) CheckProviderKeys(c, provider);
  }
}

void ValidateRegions(Reader& r, const Policy& p) {
  for (const auto& region : p.regions) CheckRegion(r, region, "regions." + region.name);
}

}  // namespace steer::config
