// The one place where policy key names are written. Each ObjectSpec binds the keys of one
// struct of policy.h; the parser, docs/policy.md and docs/policy.schema.json all follow it.
#include "policy_schema.h"

namespace steer::config {
namespace {

#define F STEER_FIELD

ObjectSpec<ApiTlsConfig> MakeApiTls() {
  ObjectSpec<ApiTlsConfig> s;
  s.info.name = "tls";
  s.Add(StringKey<ApiTlsConfig>(
      K("cert_file", "PEM certificate chain of the API; with key_file, the API serves HTTPS.", "",
        "/etc/steer/api.pem"),
      F(ApiTlsConfig, t.cert_file)));
  s.Add(StringKey<ApiTlsConfig>(
      K("key_file", "PEM private key of cert_file.", "", "/etc/steer/api.key"),
      F(ApiTlsConfig, t.key_file)));
  s.Add(StringKey<ApiTlsConfig>(
      K("client_ca_file",
        "PEM CA bundle: clients must present a certificate it signed (mutual TLS).", "",
        "/etc/steer/operators-ca.pem"),
      F(ApiTlsConfig, t.client_ca_file)));
  return s;
}

ObjectSpec<ApiLimits> MakeApiLimits() {
  ObjectSpec<ApiLimits> s;
  s.info.name = "api_limits";
  s.Add(IntKey<ApiLimits>(
      Range(K("max_connections",
              "Open API connections at most; a connection over it is closed at once.", "64", "16"),
            1, 100000),
      F(ApiLimits, t.max_connections)));
  s.Add(IntKey<ApiLimits>(
      Range(K("max_header_bytes", "Largest request header block (431 beyond).", "8192", "16384"),
            1024, 1 << 20),
      F(ApiLimits, t.max_header_bytes)));
  s.Add(IntKey<ApiLimits>(
      Range(K("max_body_bytes", "Largest request body (413 beyond).", "65536", "131072"), 1024,
            16 << 20),
      F(ApiLimits, t.max_body_bytes)));
  s.Add(DurationKey<ApiLimits>(
      AtLeast(K("header_timeout",
                "A connection's TLS handshake and request headers must arrive within it "
                "(slowloris); at most request_timeout.",
                "5s", "2s"),
              100),
      F(ApiLimits, t.header_timeout)));
  s.Add(DurationKey<ApiLimits>(
      AtLeast(K("request_timeout",
                "A whole request must be read, and a response written, within it.", "10s", "30s"),
              100),
      F(ApiLimits, t.request_timeout)));
  s.Add(DurationKey<ApiLimits>(
      AtLeast(K("idle_timeout", "A kept-alive connection without a next request is closed then.",
                "60s", "15s"),
              100),
      F(ApiLimits, t.idle_timeout)));
  return s;
}

ObjectSpec<AgentConfig> MakeAgent(const PolicySpecs& specs) {
  ObjectSpec<AgentConfig> s;
  s.info.name = "agent";
  s.Add(StringKey<AgentConfig>(
      Required(
          K("vantage", "This agent's vantage point name (usually its region).", "", "us-east")),
      F(AgentConfig, t.vantage)));
  s.Add(StringKey<AgentConfig>(K("listen", "Address of the HTTP API and /metrics, host:port.",
                                 "127.0.0.1:9053", "127.0.0.1:9053"),
                               F(AgentConfig, t.listen)));
  s.Add(StringKey<AgentConfig>(
      K("state_dir", "Directory for state and the audit log.", "/var/lib/steer", "/var/lib/steer"),
      F(AgentConfig, t.state_dir)));
  s.Add(SecretKey<AgentConfig>(
      K("api_token", "Bearer token for operations (POSTs) on the API, by reference.", "",
        "file:/etc/steer/api-token"),
      F(AgentConfig, t.api_token)));
  s.Add(EnumKey<AgentConfig, std::string>(K("log_level", "Log level.", "info", "debug"),
                                          {{"trace", "trace"},
                                           {"debug", "debug"},
                                           {"info", "info"},
                                           {"warn", "warn"},
                                           {"error", "error"}},
                                          F(AgentConfig, t.log_level)));
  s.Add(EnumKey<AgentConfig, LogFormat>(K("log_format", "Log line format.", "text", "json"),
                                        {{"text", LogFormat::kText}, {"json", LogFormat::kJson}},
                                        F(AgentConfig, t.log_format)));
  s.Add(DurationKey<AgentConfig>(
      AtLeast(
          K("tick", "Period of policy evaluation when no observation arrives.", "100ms", "250ms"),
          10),
      F(AgentConfig, t.tick)));
  s.Add(ObjectKey<AgentConfig>(
      K("tls", "TLS of the API; required when listen is not a loopback address."), specs.api_tls,
      F(AgentConfig, t.tls)));
  s.Add(BoolKey<AgentConfig>(
      K("insecure_plain_http",
        "Serve the API over plain HTTP on a non-loopback listen address (tokens cross the "
        "network in clear: only behind a TLS proxy or on a trusted network); no effect with tls.",
        "false", "true"),
      F(AgentConfig, t.insecure_plain_http)));
  s.Add(ObjectKey<AgentConfig>(K("api_limits", "Limits of the API listener."), specs.api_limits,
                               F(AgentConfig, t.api_limits)));
  return s;
}

ObjectSpec<TlsFiles> MakeTls() {
  ObjectSpec<TlsFiles> s;
  s.info.name = "tls";
  s.Add(StringKey<TlsFiles>(K("ca_file", "CA bundle that signs the etcd servers' certificates.", "",
                              "/etc/steer/etcd-ca.pem"),
                            F(TlsFiles, t.ca_file)));
  s.Add(StringKey<TlsFiles>(
      K("cert_file", "Client certificate for mutual TLS.", "", "/etc/steer/etcd-client.pem"),
      F(TlsFiles, t.cert_file)));
  s.Add(StringKey<TlsFiles>(
      K("key_file", "Client private key for mutual TLS.", "", "/etc/steer/etcd-client.key"),
      F(TlsFiles, t.key_file)));
  return s;
}

ObjectSpec<EtcdConfig> MakeEtcd(const ObjectSpec<TlsFiles>& tls) {
  ObjectSpec<EtcdConfig> s;
  s.info.name = "etcd";
  s.Add(UrlListKey<EtcdConfig>(
      Url(Required(K("endpoints", "etcd client URLs.", "", "[http://127.0.0.1:2379]")),
          {"http", "https"}),
      F(EtcdConfig, t.endpoints), [](const EtcdConfig&) {
        return UrlRule{{"http", "https"}, "use username and password: env:NAME"};
      }));
  s.Add(StringKey<EtcdConfig>(
      K("prefix", "Key prefix for all of Steer's keys.", "/steer/", "/steer/login/"),
      F(EtcdConfig, t.prefix)));
  s.Add(DurationKey<EtcdConfig>(
      AtLeast(K("lease_ttl",
                "Lease time to live, whole seconds: a dead leader is replaced after it; a "
                "leader stops writing 2/3 of it after its last renewal.",
                "5s", "10s"),
              2000),
      F(EtcdConfig, t.lease_ttl)));
  s.Add(
      ObjectKey<EtcdConfig>(K("tls", "TLS files for https endpoints."), tls, F(EtcdConfig, t.tls)));
  s.Add(StringKey<EtcdConfig>(K("username", "etcd user.", "", "steer"), F(EtcdConfig, t.username)));
  s.Add(SecretKey<EtcdConfig>(
      K("password", "etcd password, by reference.", "", "env:STEER_ETCD_PASSWORD"),
      F(EtcdConfig, t.password)));
  return s;
}

ObjectSpec<CoordinationConfig> MakeCoordination(const ObjectSpec<EtcdConfig>& etcd) {
  ObjectSpec<CoordinationConfig> s;
  s.info.name = "coordination";
  s.Add(EnumKey<CoordinationConfig, CoordinationMode>(
      K("mode",
        "local: one agent decides alone; etcd: agents share observations and elect a "
        "leader.",
        "local", "etcd"),
      {{"local", CoordinationMode::kLocal}, {"etcd", CoordinationMode::kEtcd}},
      F(CoordinationConfig, t.mode)));
  s.Add(ObjectKey<CoordinationConfig>(K("etcd", "etcd settings (mode: etcd)."), etcd,
                                      F(CoordinationConfig, t.etcd)));
  return s;
}

}  // namespace

ObjectSpec<Policy> MakePolicy(const PolicySpecs& specs) {
  ObjectSpec<Policy> s;
  s.info.name = "policy";
  s.Add(IntKey<Policy>(Range(Required(K("version", "Schema version of this file.", "", "1")), 1, 1),
                       F(Policy, t.version)));
  s.Add(ObjectKey<Policy>(Required(K("agent", "The agent that loads this file.")), specs.agent,
                          F(Policy, t.agent)));
  s.Add(ObjectKey<Policy>(K("coordination", "How several agents agree on one decision."),
                          specs.coordination, F(Policy, t.coordination)));
  s.Add(ObjectMapKey<Policy>(K("providers", "DNS providers by name."), specs.provider,
                             F(Policy, t.providers)));
  s.Add(ObjectMapKey<Policy>(Required(K("regions", "Regions by name, with their components.")),
                             specs.region, F(Policy, t.regions)));
  s.Add(ObjectMapKey<Policy>(K("services", "DNS names that Steer steers, by service name."),
                             specs.service, F(Policy, t.services)));
  s.Add(ObjectMapKey<Policy>(K("notifications", "Where decisions and operations are announced."),
                             specs.notifier, F(Policy, t.notifications)));
  s.Add(ObjectKey<Policy>(K("status", "The public status page and its uptime history."),
                          specs.status, F(Policy, t.status)));
  return s;
}

const PolicySpecs& Specs() {
  static const PolicySpecs* specs = [] {
    auto* s = new PolicySpecs();
    s->api_tls = MakeApiTls();
    s->api_limits = MakeApiLimits();
    s->agent = MakeAgent(*s);
    s->tls = MakeTls();
    s->etcd = MakeEtcd(s->tls);
    s->coordination = MakeCoordination(s->etcd);
    s->zone_transfer = MakeZoneTransfer();
    s->provider = MakeProvider(s->zone_transfer);
    s->json_path = MakeJsonPath();
    s->http_expect = MakeHttpExpect(s->json_path);
    s->dns_expect = MakeDnsExpect();
    s->probe = MakeProbe(s->http_expect, s->dns_expect);
    s->component = MakeComponent(s->probe);
    s->region_health = MakeRegionHealth();
    s->region = MakeRegion(s->component, s->region_health);
    s->answer_probe = MakeAnswerProbe(s->probe);
    s->answer = MakeAnswer(s->answer_probe);
    s->service_region = MakeServiceRegion(s->answer);
    s->safety = MakeSafety();
    s->service = MakeService(s->service_region, s->safety);
    s->notifier = MakeNotifier();
    s->status = MakeStatus();
    s->policy = MakePolicy(*s);
    return s;
  }();
  return *specs;
}

const ObjectInfo& PolicyCatalog() { return Specs().policy.info; }

}  // namespace steer::config
