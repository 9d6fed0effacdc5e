#pragma once

// The failover policy as plain typed structs. Defaults live in the member initialisers;
// config::LoadPolicy() (loader.h) fills these from YAML and validates them, reporting every
// error at once. The YAML key of each member is given in its comment and written in the
// parser's key table only (schema.cc). Plain data: safe to copy and to read from any thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "steer/base/duration.h"
#include "steer/base/secret.h"

namespace steer::config {

// Where a value came from, for messages that point at the line.
struct Location {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based

  // Where a value was written is not part of its value: two policies that differ only in
  // layout compare equal.
  bool operator==(const Location&) const { return true; }
};

// ---- agent ----------------------------------------------------------------------------

enum class LogFormat { kText, kJson };

// TLS of the API listener (agent.tls): a certificate and key turn TLS on; a client CA asks
// every client for a certificate it signed (mutual TLS). Read again on reload (SIGHUP).
struct ApiTlsConfig {
  std::string cert_file;       // cert_file: PEM chain
  std::string key_file;        // key_file: PEM
  std::string client_ca_file;  // client_ca_file: PEM CA bundle

  bool enabled() const { return !cert_file.empty(); }
  bool operator==(const ApiTlsConfig&) const = default;
};

// Limits of the API listener (agent.api_limits), against many or slow clients.
struct ApiLimits {
  int max_connections = 64;                                // max_connections
  int max_header_bytes = 8 * 1024;                         // max_header_bytes
  int max_body_bytes = 64 * 1024;                          // max_body_bytes
  base::Duration header_timeout = base::Duration(5000);    // header_timeout
  base::Duration request_timeout = base::Duration(10000);  // request_timeout
  base::Duration idle_timeout = base::Duration(60000);     // idle_timeout

  bool operator==(const ApiLimits&) const = default;
};

struct AgentConfig {
  std::string vantage;                        // vantage: this agent's vantage point name
  std::string listen = "127.0.0.1:9053";      // listen: API address host:port
  std::string state_dir = "/var/lib/steer";   // state_dir
  base::SecretRef api_token;                  // api_token: env:NAME or file:/path
  std::string log_level = "info";             // log_level: trace|debug|info|warn|error
  LogFormat log_format = LogFormat::kText;    // log_format: text|json
  base::Duration tick = base::Duration(100);  // tick: policy evaluation period
  ApiTlsConfig tls;                           // tls
  bool insecure_plain_http = false;           // insecure_plain_http: plain HTTP off loopback
  ApiLimits api_limits;                       // api_limits

  bool operator==(const AgentConfig&) const = default;
};

// ---- coordination ---------------------------------------------------------------------

struct TlsFiles {
  std::string ca_file;    // ca_file
  std::string cert_file;  // cert_file
  std::string key_file;   // key_file

  bool operator==(const TlsFiles&) const = default;
};

struct EtcdConfig {
  std::vector<std::string> endpoints;               // endpoints: http(s)://host:port
  std::string prefix = "/steer/";                   // prefix
  base::Duration lease_ttl = base::Duration(5000);  // lease_ttl
  TlsFiles tls;                                     // tls
  std::string username;                             // username
  base::SecretRef password;                         // password

  bool operator==(const EtcdConfig&) const = default;
};

enum class CoordinationMode { kLocal, kEtcd };

struct CoordinationConfig {
  CoordinationMode mode = CoordinationMode::kLocal;  // mode: local|etcd
  EtcdConfig etcd;                                   // etcd

  bool operator==(const CoordinationConfig&) const = default;
};

// ---- DNS providers --------------------------------------------------------------------

enum class ProviderType { kPowerDns, kRfc2136, kRoute53, kCloudflare, kZoneFile, kEmbedded };

// The one table of provider kinds by the name a policy's `type` gives them: the schema reads
// it, and so does the DNS provider registry (dns/factory.h) for its messages.
const std::vector<std::pair<std::string, ProviderType>>& ProviderTypeNames();
std::string ProviderTypeName(ProviderType type);

struct PowerDnsConfig {
  std::string api_url;                  // api_url: http://127.0.0.1:8081
  std::string server_id = "localhost";  // server_id
  base::SecretRef api_key;              // api_key

  bool operator==(const PowerDnsConfig&) const = default;
};

struct Rfc2136Config {
  std::string server;                          // server: host:port of the primary
  std::string tsig_key_name;                   // tsig_key_name
  std::string tsig_algorithm = "hmac-sha256";  // tsig_algorithm: hmac-sha256|hmac-sha512
  base::SecretRef tsig_secret;                 // tsig_secret: base64, by reference

  bool operator==(const Rfc2136Config&) const = default;
};

struct Route53Config {
  std::string hosted_zone_id;                              // hosted_zone_id
  std::string endpoint = "https://route53.amazonaws.com";  // endpoint
  std::string region = "us-east-1";                        // region: SigV4 signing region
  base::SecretRef access_key_id;                           // access_key_id
  base::SecretRef secret_access_key;                       // secret_access_key

  bool operator==(const Route53Config&) const = default;
};

struct CloudflareConfig {
  std::string zone_id;                                            // zone_id
  std::string endpoint = "https://api.cloudflare.com/client/v4";  // endpoint
  base::SecretRef api_token;                                      // api_token

  bool operator==(const CloudflareConfig&) const = default;
};

struct ZoneFileConfig {
  std::string path;    // path: the zone file written atomically
  std::string origin;  // origin: zone apex, e.g. example.test.

  bool operator==(const ZoneFileConfig&) const = default;
};

// steerd itself answers the zone (docs/dns.md, "The embedded authoritative server").
// transfer: who may copy the embedded server's zone (AXFR/IXFR), and the key it must sign with.
struct ZoneTransferConfig {
  std::vector<std::string> allow;              // allow: source networks, "10.0.0.0/8" or an IP
  std::string tsig_key_name;                   // tsig_key_name
  std::string tsig_algorithm = "hmac-sha256";  // tsig_algorithm: hmac-sha256|hmac-sha512
  base::SecretRef tsig_secret;                 // tsig_secret: base64, by reference

  bool operator==(const ZoneTransferConfig&) const = default;
};

struct EmbeddedConfig {
  std::vector<std::string> listen;  // listen: host:port, UDP and TCP
  std::string zone_file;            // zone_file: static records (SOA, NS, ...), read at start
  std::string origin;               // origin: zone apex (the `origin` key, shared with zonefile)
  int max_udp_size = 1232;          // max_udp_size: EDNS payload size offered, 512..4096
  std::vector<std::string> secondaries;  // secondaries: ip:port sent a NOTIFY on every change
  ZoneTransferConfig transfer;           // transfer

  bool operator==(const EmbeddedConfig&) const = default;
};

struct ProviderConfig {
  std::string name;                             // the map key
  ProviderType type = ProviderType::kPowerDns;  // type
  double rate_per_second = 0;  // rate_per_second: 0 means the provider's published default
  int max_attempts = 5;        // max_attempts: tries per change, with backoff
  base::Duration timeout = base::Duration(10000);  // timeout: per provider request
  std::string discovery_server;          // discovery_server: host:port asked for the zone's NS set
  std::vector<std::string> nameservers;  // nameservers: this provider's servers to verify
  PowerDnsConfig powerdns;               // keys of type powerdns (flat in YAML)
  Rfc2136Config rfc2136;
  Route53Config route53;
  CloudflareConfig cloudflare;
  ZoneFileConfig zonefile;
  EmbeddedConfig embedded;
  Location location;

  bool operator==(const ProviderConfig&) const = default;
};

// ---- probes ---------------------------------------------------------------------------

enum class ProbeType { kHttp, kTcp, kDns, kTls };

// An inclusive range of HTTP status codes; "200" is {200,200}, "200-299" is {200,299}.
struct StatusRange {
  int low = 200;
  int high = 200;

  bool operator==(const StatusRange&) const = default;
};

struct JsonPathCondition {
  std::string path;    // path: $.a.b[0]
  std::string equals;  // equals: the value rendered as a string ("" means: path must exist)

  bool operator==(const JsonPathCondition&) const = default;
};

struct HttpExpect {
  std::vector<StatusRange> status = {{200, 299}};  // status: [200, "200-299"]
  std::string body_contains;                       // body_contains
  std::string body_regex;                          // body_regex (ECMAScript)
  std::vector<JsonPathCondition> json;             // json: [{path, equals}]
  std::map<std::string, std::string> headers;      // headers: name -> substring of value
  std::optional<base::Duration> max_latency;       // max_latency

  bool operator==(const HttpExpect&) const = default;
};

struct DnsExpect {
  std::string rcode = "NOERROR";     // rcode
  std::vector<std::string> answers;  // answers: every one must be present

  bool operator==(const DnsExpect&) const = default;
};

struct ProbeConfig {
  std::string name;                                // name: unique within its component
  ProbeType type = ProbeType::kHttp;               // type: http|tcp|dns|tls
  base::Duration interval = base::Duration(1000);  // interval
  base::Duration timeout = base::Duration(500);    // timeout: < interval
  base::Duration jitter = base::Duration(0);       // jitter: random extra delay, < interval
  int healthy_threshold = 2;                       // healthy_threshold
  int unhealthy_threshold = 3;                     // unhealthy_threshold
  int retries = 0;  // retries: re-tries of a fast failure within the slot

  // http / https
  std::string url;                             // url
  std::string method = "GET";                  // method
  std::map<std::string, std::string> headers;  // headers
  std::string body;                            // body
  std::string connect_to;                      // connect_to: host:port to dial instead of the URL's
  std::string ca_file;                         // ca_file
  bool tls_verify = true;                      // tls_verify
  bool reuse_connection = false;               // reuse_connection
  bool follow_redirects = false;               // follow_redirects: up to 10, http(s) only
  HttpExpect expect;                           // expect

  // tcp / tls / dns
  std::string address;           // address: host:port (tcp, tls; dns: the server)
  std::string send;              // send (tcp)
  std::string expect_reply;      // expect_reply (tcp): substring of the reply
  std::string server_name;       // server_name (tls): SNI and hostname to verify
  int min_days_left = 0;         // min_days_left (tls, https)
  std::string query_name;        // query_name (dns)
  std::string query_type = "A";  // query_type (dns)
  DnsExpect dns_expect;          // dns_expect (dns)

  Location location;

  bool operator==(const ProbeConfig&) const = default;
};

struct ComponentConfig {
  std::string name;                 // the map key
  bool critical = true;             // critical: false = reported only
  std::vector<ProbeConfig> probes;  // probes
  Location location;

  bool operator==(const ComponentConfig&) const = default;
};

// How a vantage point judges a region from its components.
struct RegionHealthRule {
  int at_least = 0;             // at_least: 0 = every critical component
  std::vector<std::string> of;  // of: components counted (default: critical ones)

  bool operator==(const RegionHealthRule&) const = default;
};

struct RegionConfig {
  std::string name;                         // the map key
  std::vector<ComponentConfig> components;  // components (a map in YAML, order kept)
  RegionHealthRule health;                  // health
  Location location;

  bool operator==(const RegionConfig&) const = default;
};

// ---- services -------------------------------------------------------------------------

// The component name under which an answer's own probe runs in its region: the loader adds
// one such component (critical: false, so the region's health rule does not count it) per
// probed address, so that the probe engine, the vantage reports and traces treat it like
// any other probe ("region/@192.0.2.1/probe").
std::string AddressComponentName(const std::string& address);

struct ServiceRegion {
  std::string region;                // region
  std::vector<std::string> answers;  // answers: record data, or {address, probe} items
  // answers[i].probe, indexed like `answers`; nullopt for an answer without its own probe.
  std::vector<std::optional<ProbeConfig>> probes = {};
  int min_healthy = 1;  // min_healthy: addresses up, below which the region counts as down

  bool has_address_probes() const;
  bool operator==(const ServiceRegion&) const = default;
};

enum class FailbackMode { kAuto, kManual };
enum class AllDownMode { kKeep, kServeAll };

struct QuorumConfig {
  int count = 0;             // quorum: "majority" (0 here) or a count
  double stale_after = 3.0;  // stale_after: x probe interval without data

  bool operator==(const QuorumConfig&) const = default;
};

struct SafetyConfig {
  bool at_least_one_serving = true;  // at_least_one_serving
  int max_changes_per_hour = 6;      // max_changes_per_hour: 0 = unlimited

  bool operator==(const SafetyConfig&) const = default;
};

struct ServiceConfig {
  std::string name;                              // the map key
  std::string dns_name;                          // dns_name: FQDN (trailing dot added)
  std::string zone;                              // zone
  std::string record_type = "A";                 // type: A|AAAA|CNAME
  int ttl = 30;                                  // ttl (seconds)
  std::string provider;                          // provider: a key of providers
  std::vector<std::string> providers;            // providers: keys of providers (list form)
  std::vector<ServiceRegion> regions;            // regions: ordered, first = preferred
  QuorumConfig quorum;                           // quorum, stale_after
  base::Duration hold_down = base::Duration(0);  // hold_down: region down this long before acting
  base::Duration min_change_interval = base::Duration(60000);    // min_change_interval
  base::Duration block_after_failover = base::Duration(600000);  // block_after_failover: 0 = none
  FailbackMode failback = FailbackMode::kAuto;                   // failback: auto|manual
  base::Duration failback_after = base::Duration(300000);        // failback_after
  AllDownMode all_down = AllDownMode::kKeep;                     // all_down: keep|serve_all
  SafetyConfig safety;                                           // safety
  std::vector<std::string> nameservers;  // nameservers: host:port to verify (default NS set)
  base::Duration propagation_timeout = base::Duration(30000);   // propagation_timeout
  base::Duration drift_check_interval = base::Duration(30000);  // drift_check_interval: 0 = off
  Location location;

  // The providers every change is written to, in order (`providers`, or the one `provider`);
  // the first is the one whose records are adopted at start.
  std::vector<std::string> ProviderNames() const {
    if (!providers.empty()) return providers;
    if (provider.empty()) return {};
    return {provider};
  }

  bool operator==(const ServiceConfig&) const = default;
};

// ---- notifications --------------------------------------------------------------------

enum class NotifierType { kWebhook, kSlack, kSmtp };

struct NotifierConfig {
  std::string name;                            // the map key
  NotifierType type = NotifierType::kWebhook;  // type: webhook|slack|smtp
  std::string url;                             // url (webhook, slack; smtp: smtp(s)://host:port)
  base::SecretRef url_secret;                  // url_secret: a URL that embeds a token (Slack)
  std::map<std::string, std::string> headers;  // headers (webhook)
  std::string from;                            // from (smtp)
  std::vector<std::string> to;                 // to (smtp)
  std::string username;                        // username (smtp)
  base::SecretRef password;                    // password (smtp)
  std::vector<std::string> events = {"decision", "operation", "dns_change",
                                     "leadership"};  // events
  int max_attempts = 5;                              // max_attempts
  Location location;

  bool operator==(const NotifierConfig&) const = default;
};

// ---- status page ----------------------------------------------------------------------

// The public status page: what it shows and where it is served. Names only; never probe
// URLs or addresses.
struct StatusConfig {
  std::string title = "Service status";  // title
  std::string public_url;                // public_url: where users reach the page
  std::vector<std::string> services;     // services: shown on the page; empty = every service
  std::vector<std::string> regions;      // regions: named on the page; empty = none
  base::Duration retention = base::Duration(90LL * 24 * 3600 * 1000);  // retention
  base::Duration resolve_after = base::Duration(5 * 60 * 1000);        // resolve_after
  std::string export_dir;  // export_dir: static copy of the page ("" = none)
  std::string listen;      // listen: public listener host:port ("" = none)

  bool operator==(const StatusConfig&) const = default;
};

// ---- the whole file -------------------------------------------------------------------

struct Policy {
  int version = 1;                            // version
  AgentConfig agent;                          // agent
  CoordinationConfig coordination;            // coordination
  std::vector<ProviderConfig> providers;      // providers (map in YAML)
  std::vector<RegionConfig> regions;          // regions (map in YAML)
  std::vector<ServiceConfig> services;        // services (map in YAML)
  std::vector<NotifierConfig> notifications;  // notifications (map in YAML)
  StatusConfig status;                        // status
  std::string source;                         // file the policy was read from

  const ProviderConfig* FindProvider(const std::string& name) const;
  const RegionConfig* FindRegion(const std::string& name) const;
  const ServiceConfig* FindService(const std::string& name) const;

  bool operator==(const Policy&) const = default;
};

}  // namespace steer::config
