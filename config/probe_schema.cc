// Probe, component and region keys (see policy_schema.cc for the scheme).
#include <cstdlib>

#include "policy_schema.h"

namespace steer::config {
namespace {

#define F STEER_FIELD

const std::vector<std::string> kHttp = {"http"};
const std::vector<std::string> kTcp = {"tcp"};
const std::vector<std::string> kDns = {"dns"};
const std::vector<std::string> kTls = {"tls"};

// "200", 200 or "200-299".
bool ParseStatus(const std::string& s, StatusRange* out) {
  char* end = nullptr;
  long lo = std::strtol(s.c_str(), &end, 10);
  long hi = lo;
  if (end == s.c_str()) return false;
  if (*end == '-') {
    const char* rest = end + 1;
    hi = std::strtol(rest, &end, 10);
    if (end == rest) return false;
  }
  if (*end != '\0' || lo < 100 || hi > 599 || lo > hi) return false;
  *out = StatusRange{static_cast<int>(lo), static_cast<int>(hi)};
  return true;
}

void ReadStatus(Reader& r, const YAML::Node& item, const std::string& p, HttpExpect& t) {
  StatusRange range;
  if (!item.IsScalar() || !ParseStatus(item.Scalar(), &range)) {
    r.Error(item, p,
            "invalid HTTP status '" + (item.IsScalar() ? item.Scalar() : std::string()) +
                "' (expected 100-599 or a range like \"200-299\")");
    return;
  }
  t.status.push_back(range);
}

Binding<HttpExpect> StatusKey() {
  KeyInfo info =
      K("status", "Accepted HTTP status codes and ranges.", "[\"200-299\"]", "[200, \"300-399\"]");
  info.kind = ValueKind::kStatusList;
  return {info, [](Reader& r, const YAML::Node& n, const std::string& p, HttpExpect& t) {
            t.status.clear();
            if (n.IsScalar()) {
              ReadStatus(r, n, p, t);
            } else if (n.IsSequence() && n.size() > 0) {
              for (size_t i = 0; i < n.size(); ++i) {
                ReadStatus(r, n[i], p + "[" + std::to_string(i) + "]", t);
              }
            } else {
              r.Error(n, p, "expected a status code, a range like \"200-299\", or a list of them");
            }
          }};
}

}  // namespace

void AddHttpProbeKeys(ObjectSpec<ProbeConfig>& s, const ObjectSpec<HttpExpect>& http);
void AddOtherProbeKeys(ObjectSpec<ProbeConfig>& s, const ObjectSpec<DnsExpect>& dns);

ObjectSpec<JsonPathCondition> MakeJsonPath() {
  ObjectSpec<JsonPathCondition> s;
  s.info.name = "json condition";
  s.Add(StringKey<JsonPathCondition>(
      Required(K("path", "JSON path into the response body.", "", "$.status")),
      F(JsonPathCondition, t.path)));
  s.Add(StringKey<JsonPathCondition>(
      K("equals", "Expected value rendered as text; omitted: the path must exist.", "", "ok"),
      F(JsonPathCondition, t.equals)));
  return s;
}

ObjectSpec<HttpExpect> MakeHttpExpect(const ObjectSpec<JsonPathCondition>& json_path) {
  ObjectSpec<HttpExpect> s;
  s.info.name = "http expectation";
  s.Add(StatusKey());
  s.Add(StringKey<HttpExpect>(K("body_contains", "Substring the body must contain.", "", "ok"),
                              F(HttpExpect, t.body_contains)));
  s.Add(StringKey<HttpExpect>(
      K("body_regex", "ECMAScript regex the body must match.", "", "\"status\":\\s*\"ok\""),
      F(HttpExpect, t.body_regex)));
  s.Add(ObjectListKey<HttpExpect>(K("json", "Conditions on a JSON body."), json_path,
                                  F(HttpExpect, t.json)));
  s.Add(StringMapKey<HttpExpect>(K("headers", "Response headers that must contain a substring.", "",
                                   "{Content-Type: application/json}"),
                                 F(HttpExpect, t.headers)));
  s.Add(DurationKey<HttpExpect>(
      K("max_latency", "Slower answers count as failures.", "", "300ms"),
      [](HttpExpect & t) -> auto& { return t.max_latency.emplace(); }));
  return s;
}

ObjectSpec<DnsExpect> MakeDnsExpect() {
  ObjectSpec<DnsExpect> s;
  s.info.name = "dns expectation";
  s.Add(StringKey<DnsExpect>(K("rcode", "Expected response code.", "NOERROR", "NXDOMAIN"),
                             F(DnsExpect, t.rcode)));
  s.Add(StringListKey<DnsExpect>(
      K("answers", "Record data that must all be in the answer.", "", "[192.0.2.10]"),
      F(DnsExpect, t.answers)));
  return s;
}

ObjectSpec<ProbeConfig> MakeProbe(const ObjectSpec<HttpExpect>& http,
                                  const ObjectSpec<DnsExpect>& dns) {
  ObjectSpec<ProbeConfig> s;
  s.info.name = "probe";
  s.info.discriminator = "type";
  s.Add(StringKey<ProbeConfig>(Required(K("name", "Unique within the component.", "", "healthz")),
                               F(ProbeConfig, t.name)));
  s.Add(EnumKey<ProbeConfig, ProbeType>(Required(K("type", "Probe kind.", "", "http")),
                                        {{"http", ProbeType::kHttp},
                                         {"tcp", ProbeType::kTcp},
                                         {"dns", ProbeType::kDns},
                                         {"tls", ProbeType::kTls}},
                                        F(ProbeConfig, t.type)));
  s.Add(DurationKey<ProbeConfig>(AtLeast(K("interval", "Time between probes.", "1s", "500ms"), 10),
                                 F(ProbeConfig, t.interval)));
  s.Add(DurationKey<ProbeConfig>(
      AtLeast(K("timeout",
                "Give up after this long; below interval. A time-out while steerd itself was "
                "stalled for a tenth of it or more is inconclusive: neither success nor failure.",
                "500ms", "300ms"),
              1),
      F(ProbeConfig, t.timeout)));
  s.Add(DurationKey<ProbeConfig>(
      K("jitter", "Random extra delay per probe; below interval.", "0ms", "50ms"),
      F(ProbeConfig, t.jitter)));
  s.Add(IntKey<ProbeConfig>(
      Range(K("healthy_threshold", "Consecutive successes that mark a target healthy.", "2", "3"),
            1, 100),
      F(ProbeConfig, t.healthy_threshold)));
  s.Add(IntKey<ProbeConfig>(Range(K("unhealthy_threshold",
                                    "Consecutive failures that mark a target unhealthy.", "3", "2"),
                                  1, 100),
                            F(ProbeConfig, t.unhealthy_threshold)));
  s.Add(IntKey<ProbeConfig>(
      Range(K("retries",
              "Immediate re-tries of a failed attempt (not a timeout) that fit before the next "
              "probe; the probe fails only when every attempt fails.",
              "0", "1"),
            0, 5),
      F(ProbeConfig, t.retries)));
  AddHttpProbeKeys(s, http);
  AddOtherProbeKeys(s, dns);
  return s;
}

void AddHttpProbeKeys(ObjectSpec<ProbeConfig>& s, const ObjectSpec<HttpExpect>& http) {
  s.Add(UrlKey<ProbeConfig>(
      For(Url(K("url", "URL to request.", "", "https://login.example.com/healthz"),
              {"http", "https"}),
          kHttp),
      F(ProbeConfig, t.url), [](const ProbeConfig&) {
        return UrlRule{{"http", "https"},
                       "send the credential in a header by reference, e.g. Authorization: "
                       "env:NAME"};
      }));
  s.Add(EnumKey<ProbeConfig, std::string>(
      For(K("method", "HTTP method.", "GET", "HEAD"), kHttp),
      {{"GET", "GET"}, {"HEAD", "HEAD"}, {"POST", "POST"}, {"PUT", "PUT"}, {"OPTIONS", "OPTIONS"}},
      F(ProbeConfig, t.method)));
  s.Add(StringMapKey<ProbeConfig>(
      For(K("headers", "Request headers.", "", "{Accept: application/json}"), kHttp),
      F(ProbeConfig, t.headers)));
  s.Add(StringKey<ProbeConfig>(For(K("body", "Request body.", "", "'{}'"), kHttp),
                               F(ProbeConfig, t.body)));
  s.Add(StringKey<ProbeConfig>(
      For(K("connect_to", "Dial this host:port instead, keeping the URL's host for SNI and Host.",
            "", "198.51.100.10:443"),
          kHttp),
      F(ProbeConfig, t.connect_to)));
  s.Add(StringKey<ProbeConfig>(
      For(K("ca_file", "CA bundle to verify the server with.", "system CAs", "/etc/steer/ca.pem"),
          {"http", "tls"}),
      F(ProbeConfig, t.ca_file)));
  s.Add(BoolKey<ProbeConfig>(
      For(K("tls_verify", "Verify the certificate chain and host name.", "true", "false"),
          {"http", "tls"}),
      F(ProbeConfig, t.tls_verify)));
  s.Add(BoolKey<ProbeConfig>(
      For(K("reuse_connection", "Keep connections between probes (hides connect failures).",
            "false", "true"),
          kHttp),
      F(ProbeConfig, t.reuse_connection)));
  s.Add(BoolKey<ProbeConfig>(
      For(K("follow_redirects",
            "Follow up to 10 redirects (to http or https only) and judge the last response; "
            "with connect_to, every request is dialled there.",
            "false", "true"),
          kHttp),
      F(ProbeConfig, t.follow_redirects)));
  s.Add(ObjectKey<ProbeConfig>(For(K("expect", "Conditions on the HTTP response."), kHttp), http,
                               F(ProbeConfig, t.expect)));
}

void AddOtherProbeKeys(ObjectSpec<ProbeConfig>& s, const ObjectSpec<DnsExpect>& dns) {
  s.Add(StringKey<ProbeConfig>(
      For(K("address", "host:port to connect to (tcp, tls) or the DNS server to ask (dns).", "",
            "198.51.100.10:5432"),
          {"tcp", "tls", "dns"}),
      F(ProbeConfig, t.address)));
  s.Add(
      StringKey<ProbeConfig>(For(K("send", "Bytes sent after connecting.", "", "PING\\r\\n"), kTcp),
                             F(ProbeConfig, t.send)));
  s.Add(StringKey<ProbeConfig>(
      For(K("expect_reply", "Substring the reply must contain.", "", "+PONG"), kTcp),
      F(ProbeConfig, t.expect_reply)));
  s.Add(StringKey<ProbeConfig>(
      For(K("server_name", "SNI and host name to verify.", "host of address", "login.example.com"),
          kTls),
      F(ProbeConfig, t.server_name)));
  s.Add(IntKey<ProbeConfig>(
      For(Range(K("min_days_left", "Fail when the certificate expires sooner.", "0", "14"), 0,
                3650),
          {"http", "tls"}),
      F(ProbeConfig, t.min_days_left)));
  s.Add(StringKey<ProbeConfig>(
      For(K("query_name", "Name to ask for.", "", "login.example.com."), kDns),
      F(ProbeConfig, t.query_name)));
  s.Add(EnumKey<ProbeConfig, std::string>(
      For(K("query_type", "Record type to ask for.", "A", "AAAA"), kDns),
      {{"A", "A"},
       {"AAAA", "AAAA"},
       {"CNAME", "CNAME"},
       {"TXT", "TXT"},
       {"NS", "NS"},
       {"SOA", "SOA"},
       {"MX", "MX"}},
      F(ProbeConfig, t.query_type)));
  s.Add(ObjectKey<ProbeConfig>(For(K("dns_expect", "Conditions on the DNS answer."), kDns), dns,
                               F(ProbeConfig, t.dns_expect)));
}

ObjectSpec<ComponentConfig> MakeComponent(const ObjectSpec<ProbeConfig>& probe) {
  ObjectSpec<ComponentConfig> s;
  s.info.name = "component";
  s.Add(BoolKey<ComponentConfig>(
      K("critical", "Whether the region's health depends on it; false: reported only.", "true",
        "false"),
      F(ComponentConfig, t.critical)));
  s.Add(ObjectListKey<ComponentConfig>(Required(K("probes", "Checks of this component.")), probe,
                                       F(ComponentConfig, t.probes)));
  return s;
}

ObjectSpec<RegionHealthRule> MakeRegionHealth() {
  ObjectSpec<RegionHealthRule> s;
  s.info.name = "region health rule";
  s.Add(IntKey<RegionHealthRule>(
      Range(K("at_least", "Healthy components needed; 0: every critical one.", "0", "2"), 0, 1000),
      F(RegionHealthRule, t.at_least)));
  s.Add(StringListKey<RegionHealthRule>(
      K("of", "Components counted by at_least.", "the critical components", "[app, auth, db]"),
      F(RegionHealthRule, t.of)));
  return s;
}

ObjectSpec<RegionConfig> MakeRegion(const ObjectSpec<ComponentConfig>& component,
                                    const ObjectSpec<RegionHealthRule>& health) {
  ObjectSpec<RegionConfig> s;
  s.info.name = "region";
  s.Add(ObjectMapKey<RegionConfig>(
      Required(K("components", "Components by name: load balancer, app, auth, database...")),
      component, F(RegionConfig, t.components)));
  s.Add(ObjectKey<RegionConfig>(K("health", "How a vantage point judges this region."), health,
                                F(RegionConfig, t.health)));
  return s;
}

}  // namespace steer::config
