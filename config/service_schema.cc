// Provider and service keys (see policy_schema.cc for the scheme).
#include <cerrno>
#include <cstdlib>

#include "policy_schema.h"

namespace steer::config {
namespace {

#define F STEER_FIELD

Binding<ServiceConfig> QuorumKey() {
  KeyInfo info = Range(
      K("quorum", "Vantage points that must agree: \"majority\" or a count.", "majority", "2"), 1,
      1000);
  info.kind = ValueKind::kQuorum;
  return {info, [info](Reader& r, const YAML::Node& n, const std::string& p, ServiceConfig& t) {
            if (n.IsScalar() && n.Scalar() == "majority") {
              t.quorum.count = 0;
              return;
            }
            if (n.IsScalar() && n.Tag() == "?" && !n.Scalar().empty()) {
              char* end = nullptr;
              errno = 0;
              long long v = std::strtoll(n.Scalar().c_str(), &end, 10);
              if (*end == '\0' && errno == 0) {
                if (r.CheckBounds(n, p, info, static_cast<double>(v))) {
                  t.quorum.count = static_cast<int>(v);
                }
                return;
              }
            }
            r.Error(n, p, "expected \"majority\" or a count, found " + Found(n));
          }};
}

// Where a provider's credential belongs instead of a user:password@ in its endpoint.
UrlRule ProviderUrlRule(const ProviderConfig& t) {
  switch (t.type) {
    case ProviderType::kRoute53:
      return {{"http", "https"},
              "Route 53 authenticates with access_key_id and secret_access_key: env:NAME"};
    case ProviderType::kCloudflare:
      return {{"http", "https"}, "Cloudflare authenticates with api_token: env:NAME"};
    default:
      return {{"http", "https"}, "PowerDNS authenticates with api_key: env:NAME"};
  }
}

void AddEmbeddedKeys(ObjectSpec<ProviderConfig>& s, const ObjectSpec<ZoneTransferConfig>& transfer,
                     const std::vector<std::string>& emb) {
  s.Add(StringListKey<ProviderConfig>(
      For(K("secondaries",
            "Secondary servers sent a TSIG-signed NOTIFY on every change, ip:port; they need "
            "`transfer`.",
            "[]", "[\"192.0.2.53:53\"]"),
          emb),
      F(ProviderConfig, t.embedded.secondaries)));
  s.Add(ObjectKey<ProviderConfig>(For(K("transfer",
                                        "Zone transfers to secondaries (AXFR, and IXFR with the "
                                        "changes since the secondary's serial)."),
                                      emb),
                                  transfer, F(ProviderConfig, t.embedded.transfer)));
}

void AddProviderTypeKeys(ObjectSpec<ProviderConfig>& s) {
  const std::vector<std::string> pdns = {ProviderTypeName(ProviderType::kPowerDns)},
                                 rfc = {ProviderTypeName(ProviderType::kRfc2136)},
                                 r53 = {ProviderTypeName(ProviderType::kRoute53)},
                                 cf = {ProviderTypeName(ProviderType::kCloudflare)},
                                 zf = {ProviderTypeName(ProviderType::kZoneFile)},
                                 emb = {ProviderTypeName(ProviderType::kEmbedded)},
                                 zf_emb = {zf[0], emb[0]};
  s.Add(UrlKey<ProviderConfig>(
      For(Url(K("api_url", "PowerDNS API base URL.", "", "http://127.0.0.1:8081"),
              {"http", "https"}),
          pdns),
      F(ProviderConfig, t.powerdns.api_url), ProviderUrlRule));
  s.Add(StringKey<ProviderConfig>(
      For(K("server_id", "PowerDNS server id.", "localhost", "localhost"), pdns),
      F(ProviderConfig, t.powerdns.server_id)));
  s.Add(SecretKey<ProviderConfig>(
      For(K("api_key", "PowerDNS API key, by reference.", "", "env:PDNS_API_KEY"), pdns),
      F(ProviderConfig, t.powerdns.api_key)));
  s.Add(StringKey<ProviderConfig>(
      For(K("server", "Primary server that accepts UPDATE, host:port.", "", "127.0.0.1:53"), rfc),
      F(ProviderConfig, t.rfc2136.server)));
  s.Add(StringKey<ProviderConfig>(For(K("tsig_key_name", "TSIG key name.", "", "steer-key"), rfc),
                                  F(ProviderConfig, t.rfc2136.tsig_key_name)));
  s.Add(EnumKey<ProviderConfig, std::string>(
      For(K("tsig_algorithm", "TSIG algorithm.", "hmac-sha256", "hmac-sha512"), rfc),
      {{"hmac-sha256", "hmac-sha256"}, {"hmac-sha512", "hmac-sha512"}},
      F(ProviderConfig, t.rfc2136.tsig_algorithm)));
  s.Add(SecretKey<ProviderConfig>(
      For(K("tsig_secret", "Base64 TSIG secret, by reference.", "", "file:/etc/steer/tsig.key"),
          rfc),
      F(ProviderConfig, t.rfc2136.tsig_secret)));
  s.Add(StringKey<ProviderConfig>(
      For(K("hosted_zone_id", "Route 53 hosted zone id.", "", "Z0123456789ABCDEFGHIJ"), r53),
      F(ProviderConfig, t.route53.hosted_zone_id)));
  s.Add(UrlKey<ProviderConfig>(
      For(Url(K("endpoint", "API base URL.", "the provider's public API",
                "https://route53.amazonaws.com"),
              {"http", "https"}),
          {r53[0], cf[0]}),
      // Read into the Route 53 slot; Normalize moves it to the provider's type.
      [](ProviderConfig & t) -> auto& { return t.route53.endpoint; }, ProviderUrlRule));
  s.Add(StringKey<ProviderConfig>(
      For(K("region", "SigV4 signing region.", "us-east-1", "us-east-1"), r53),
      F(ProviderConfig, t.route53.region)));
  s.Add(SecretKey<ProviderConfig>(
      For(K("access_key_id", "AWS access key id, by reference.", "", "env:AWS_ACCESS_KEY_ID"), r53),
      F(ProviderConfig, t.route53.access_key_id)));
  s.Add(SecretKey<ProviderConfig>(For(K("secret_access_key", "AWS secret access key, by reference.",
                                        "", "env:AWS_SECRET_ACCESS_KEY"),
                                      r53),
                                  F(ProviderConfig, t.route53.secret_access_key)));
  s.Add(StringKey<ProviderConfig>(
      For(K("zone_id", "Cloudflare zone id.", "", "023e105f4ecef8ad9ca31a8372d0c353"), cf),
      F(ProviderConfig, t.cloudflare.zone_id)));
  s.Add(SecretKey<ProviderConfig>(
      For(K("api_token", "Cloudflare API token, by reference.", "", "env:CF_API_TOKEN"), cf),
      F(ProviderConfig, t.cloudflare.api_token)));
  s.Add(StringKey<ProviderConfig>(
      For(K("path", "Zone file written atomically.", "", "/var/lib/steer/example.test.zone"), zf),
      F(ProviderConfig, t.zonefile.path)));
  // Read into the zonefile slot; Normalize moves it to the provider's type.
  s.Add(StringKey<ProviderConfig>(
      For(K("origin", "Zone apex of the file (zonefile) or of the zone served (embedded).", "",
            "example.test."),
          zf_emb),
      F(ProviderConfig, t.zonefile.origin)));
  s.Add(StringListKey<ProviderConfig>(
      For(K("listen", "Addresses steerd answers DNS queries on, UDP and TCP, host:port.", "",
            "[0.0.0.0:53, \"[::]:53\"]"),
          emb),
      F(ProviderConfig, t.embedded.listen)));
  s.Add(StringKey<ProviderConfig>(
      For(K("zone_file",
            "Static records of the zone (SOA, NS, glue, ...), read at start and reload; errors "
            "name file:line.",
            "", "/etc/steer/example.test.zone"),
          emb),
      F(ProviderConfig, t.embedded.zone_file)));
  s.Add(IntKey<ProviderConfig>(
      For(Range(K("max_udp_size", "EDNS payload size offered; larger UDP answers set TC.", "1232",
                  "1232"),
                512, 4096),
          emb),
      F(ProviderConfig, t.embedded.max_udp_size)));
}

}  // namespace

ObjectSpec<ZoneTransferConfig> MakeZoneTransfer() {
  ObjectSpec<ZoneTransferConfig> s;
  s.info.name = "zone transfer";
  s.Add(StringListKey<ZoneTransferConfig>(
      K("allow", "Source networks allowed to transfer the zone (CIDR or single addresses).", "[]",
        "[\"192.0.2.0/24\", \"2001:db8::53\"]"),
      F(ZoneTransferConfig, t.allow)));
  s.Add(StringKey<ZoneTransferConfig>(
      K("tsig_key_name", "TSIG key every transfer must be signed with; also signs NOTIFY.", "",
        "steer-xfr"),
      F(ZoneTransferConfig, t.tsig_key_name)));
  s.Add(EnumKey<ZoneTransferConfig, std::string>(
      K("tsig_algorithm", "TSIG algorithm.", "hmac-sha256", "hmac-sha512"),
      {{"hmac-sha256", "hmac-sha256"}, {"hmac-sha512", "hmac-sha512"}},
      F(ZoneTransferConfig, t.tsig_algorithm)));
  s.Add(SecretKey<ZoneTransferConfig>(
      K("tsig_secret", "Base64 TSIG secret, by reference.", "", "file:/etc/steer/xfr.key"),
      F(ZoneTransferConfig, t.tsig_secret)));
  return s;
}

ObjectSpec<ProviderConfig> MakeProvider(const ObjectSpec<ZoneTransferConfig>& transfer) {
  ObjectSpec<ProviderConfig> s;
  s.info.name = "provider";
  s.info.discriminator = "type";
  s.Add(EnumKey<ProviderConfig, ProviderType>(Required(K("type", "Provider kind.", "", "powerdns")),
                                              ProviderTypeNames(), F(ProviderConfig, t.type)));
  s.Add(NumberKey<ProviderConfig>(
      AtLeast(K("rate_per_second", "Request rate limit; 0: the provider's published default.", "0",
                "2"),
              0),
      F(ProviderConfig, t.rate_per_second)));
  s.Add(IntKey<ProviderConfig>(
      Range(K("max_attempts", "Tries per change, with exponential backoff.", "5", "8"), 1, 50),
      F(ProviderConfig, t.max_attempts)));
  s.Add(DurationKey<ProviderConfig>(AtLeast(K("timeout", "Per request.", "10s", "5s"), 1),
                                    F(ProviderConfig, t.timeout)));
  s.Add(StringKey<ProviderConfig>(
      K("discovery_server",
        "DNS server asked for the zone's NS set and the NS names' addresses when a service has "
        "no `nameservers`, host:port (docs/dns.md).",
        "by provider type (docs/dns.md)", "127.0.0.1:53"),
      F(ProviderConfig, t.discovery_server)));
  s.Add(StringListKey<ProviderConfig>(
      K("nameservers",
        "This provider's authoritative servers to verify, host:port, when a service has no "
        "`nameservers` (a service with several providers verifies each on its own).",
        "by discovery (docs/dns.md)", "[127.0.0.1:5300]"),
      F(ProviderConfig, t.nameservers)));
  AddProviderTypeKeys(s);
  AddEmbeddedKeys(s, transfer, {ProviderTypeName(ProviderType::kEmbedded)});
  return s;
}

// The probe of one answer: the keys of a component's probe, with `name` optional.
ObjectSpec<ProbeConfig> MakeAnswerProbe(const ObjectSpec<ProbeConfig>& probe) {
  ObjectSpec<ProbeConfig> s = probe;
  s.info.name = "answer probe";
  for (auto& k : s.info.keys) {
    if (k.key == "name") {
      k.required = false;
      k.default_text = "address";
    }
  }
  for (auto& b : s.bindings) {
    if (b.info.key == "name") {
      b.info.required = false;
      b.info.default_text = "address";
    }
  }
  return s;
}

ObjectSpec<AnswerItem> MakeAnswer(const ObjectSpec<ProbeConfig>& answer_probe) {
  ObjectSpec<AnswerItem> s;
  s.info.name = "answer";
  s.Add(StringKey<AnswerItem>(
      Required(K("address", "Record data (an A or AAAA address).", "", "198.51.100.10")),
      F(AnswerItem, t.address)));
  KeyInfo probe = K("probe",
                    "This address's own probe, run from every vantage point; `name` may be "
                    "omitted (default `address`). While it is down the address is left out of "
                    "the answers (docs/policies.md, §11).");
  probe.keys_as = "regions.<name>.components.<name>.probes[]";
  s.Add(ObjectKey<AnswerItem>(
      probe, answer_probe, [](AnswerItem & t) -> auto& {
        t.probe.emplace();
        t.probe->name = "address";
        return *t.probe;
      }));
  return s;
}

namespace {

// `answers`: each item is record data, or {address, probe} for an address with its own probe.
Binding<ServiceRegion> AnswersKey(const ObjectSpec<AnswerItem>& spec) {
  KeyInfo info = Required(K("answers",
                            "Record data served while this region is active; an item may be "
                            "{address, probe} to take that address out of rotation while its "
                            "probe fails.",
                            "", "[198.51.100.10, {address: 198.51.100.11, probe: {...}}]"));
  info.kind = ValueKind::kAnswerList;
  info.object = &spec.info;
  return {info, [&spec](Reader& r, const YAML::Node& n, const std::string& p, ServiceRegion& t) {
            if (!n.IsSequence()) {
              r.Error(n, p, "expected a list of record data or {address, probe} entries");
              return;
            }
            for (size_t i = 0; i < n.size(); ++i) {
              const std::string item = p + "[" + std::to_string(i) + "]";
              if (n[i].IsMap()) {
                AnswerItem a = ReadItem(r, n[i], n[i], item, spec, AnswerItem{});
                t.answers.push_back(a.address);
                t.probes.push_back(std::move(a.probe));
                continue;
              }
              r.Record(item, n[i]);
              std::string value;
              if (r.ReadString(n[i], item, &value)) {
                t.answers.push_back(value);
                t.probes.emplace_back();
              }
            }
          }};
}

}  // namespace

ObjectSpec<ServiceRegion> MakeServiceRegion(const ObjectSpec<AnswerItem>& answer) {
  ObjectSpec<ServiceRegion> s;
  s.info.name = "service region";
  s.Add(StringKey<ServiceRegion>(Required(K("region", "A key of regions.", "", "us-east")),
                                 F(ServiceRegion, t.region)));
  s.Add(AnswersKey(answer));
  s.Add(IntKey<ServiceRegion>(
      Range(K("min_healthy",
              "With answers that have their own probe: addresses that must be up (not down) "
              "for the region to count as healthy; at most the number of answers.",
              "1", "2"),
            1, 1000),
      F(ServiceRegion, t.min_healthy)));
  return s;
}

ObjectSpec<SafetyConfig> MakeSafety() {
  ObjectSpec<SafetyConfig> s;
  s.info.name = "safety rules";
  s.Add(BoolKey<SafetyConfig>(
      K("at_least_one_serving", "Refuse any change that leaves no region serving.", "true", "true"),
      F(SafetyConfig, t.at_least_one_serving)));
  s.Add(IntKey<SafetyConfig>(Range(K("max_changes_per_hour",
                                     "Automatic changes allowed per hour; 0: unlimited.", "6", "4"),
                                   0, 3600),
                             F(SafetyConfig, t.max_changes_per_hour)));
  return s;
}

ObjectSpec<ServiceConfig> MakeService(const ObjectSpec<ServiceRegion>& region,
                                      const ObjectSpec<SafetyConfig>& safety) {
  ObjectSpec<ServiceConfig> s;
  s.info.name = "service";
  s.Add(
      StringKey<ServiceConfig>(Required(K("dns_name", "The steered name (a trailing dot is added).",
                                          "", "login.example.com.")),
                               F(ServiceConfig, t.dns_name)));
  s.Add(
      StringKey<ServiceConfig>(Required(K("zone", "Zone that holds dns_name.", "", "example.com.")),
                               F(ServiceConfig, t.zone)));
  s.Add(EnumKey<ServiceConfig, std::string>(K("type", "Record type.", "A", "AAAA"),
                                            {{"A", "A"}, {"AAAA", "AAAA"}, {"CNAME", "CNAME"}},
                                            F(ServiceConfig, t.record_type)));
  s.Add(IntKey<ServiceConfig>(Range(K("ttl", "Record TTL in seconds.", "30", "20"), 1, 86400),
                              F(ServiceConfig, t.ttl)));
  s.Add(StringKey<ServiceConfig>(
      K("provider", "A key of providers; one of provider or providers is required.", "", "pdns"),
      F(ServiceConfig, t.provider)));
  s.Add(StringListKey<ServiceConfig>(
      K("providers",
        "Keys of providers: every change is written to each one independently "
        "(docs/dns.md); instead of provider.",
        "", "[pdns-main, bind-backup]"),
      F(ServiceConfig, t.providers)));
  s.Add(ObjectListKey<ServiceConfig>(
      Required(K("regions", "Regions in order of preference, with their answers.")), region,
      F(ServiceConfig, t.regions)));
  s.Add(QuorumKey());
  s.Add(NumberKey<ServiceConfig>(
      AtLeast(K("stale_after",
                "A vantage point without data for this many probe intervals does not "
                "vote.",
                "3", "5"),
              1),
      F(ServiceConfig, t.quorum.stale_after)));
  s.Add(DurationKey<ServiceConfig>(
      K("hold_down", "A region must look down this long before Steer acts.", "0ms", "2s"),
      F(ServiceConfig, t.hold_down)));
  s.Add(DurationKey<ServiceConfig>(
      K("min_change_interval", "Minimum time between two automatic changes.", "1m", "30s"),
      F(ServiceConfig, t.min_change_interval)));
  s.Add(
      DurationKey<ServiceConfig>(K("block_after_failover",
                                   "After an automatic failover, automatic changes wait this long "
                                   "or for an acknowledgement; 0ms: no block.",
                                   "10m", "30m"),
                                 F(ServiceConfig, t.block_after_failover)));
  s.Add(EnumKey<ServiceConfig, FailbackMode>(
      K("failback", "Return to the preferred region automatically or only by hand.", "auto",
        "manual"),
      {{"auto", FailbackMode::kAuto}, {"manual", FailbackMode::kManual}},
      F(ServiceConfig, t.failback)));
  s.Add(DurationKey<ServiceConfig>(
      K("failback_after",
        "A higher-priority region must be healthy this long before the service fails back to it.",
        "5m", "10m"),
      F(ServiceConfig, t.failback_after)));
  s.Add(EnumKey<ServiceConfig, AllDownMode>(
      K("all_down",
        "When no region is healthy or health is unknown: keep the current answers, "
        "or serve every region's answers (fail open).",
        "keep", "serve_all"),
      {{"keep", AllDownMode::kKeep}, {"serve_all", AllDownMode::kServeAll}},
      F(ServiceConfig, t.all_down)));
  s.Add(ObjectKey<ServiceConfig>(K("safety",
                                   "Safety rules; an override must name the rule it "
                                   "bypasses."),
                                 safety, F(ServiceConfig, t.safety)));
  s.Add(StringListKey<ServiceConfig>(K("nameservers",
                                       "Authoritative servers to verify, host:port; without "
                                       "it the zone's NS set is discovered (docs/dns.md).",
                                       "the zone's NS set", "[127.0.0.1:5300]"),
                                     F(ServiceConfig, t.nameservers)));
  s.Add(DurationKey<ServiceConfig>(
      AtLeast(K("propagation_timeout",
                "How long to wait for every nameserver to answer the change.", "30s", "10s"),
              100),
      F(ServiceConfig, t.propagation_timeout)));
  s.Add(DurationKey<ServiceConfig>(
      K("drift_check_interval",
        "Once a change is verified, each provider is read back this often; records found "
        "changed behind Steer's back are written again and reported. 0ms: never.",
        "30s", "10s"),
      F(ServiceConfig, t.drift_check_interval)));
  return s;
}

}  // namespace steer::config
