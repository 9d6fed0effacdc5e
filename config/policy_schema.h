#pragma once

// The specs that bind policy keys to the structs of policy.h (see policy_schema.cc).
// Built once, immutable, shared read-only by every load.

#include "reader.h"

namespace steer::config {

// One item of a service region's `answers` written as a mapping: {address, probe}.
struct AnswerItem {
  std::string address;
  std::optional<ProbeConfig> probe;
};

struct PolicySpecs {
  ObjectSpec<ApiTlsConfig> api_tls;
  ObjectSpec<ApiLimits> api_limits;
  ObjectSpec<AgentConfig> agent;
  ObjectSpec<TlsFiles> tls;
  ObjectSpec<EtcdConfig> etcd;
  ObjectSpec<CoordinationConfig> coordination;
  ObjectSpec<ZoneTransferConfig> zone_transfer;
  ObjectSpec<ProviderConfig> provider;
  ObjectSpec<JsonPathCondition> json_path;
  ObjectSpec<HttpExpect> http_expect;
  ObjectSpec<DnsExpect> dns_expect;
  ObjectSpec<ProbeConfig> probe;
  ObjectSpec<ComponentConfig> component;
  ObjectSpec<RegionHealthRule> region_health;
  ObjectSpec<RegionConfig> region;
  ObjectSpec<ProbeConfig> answer_probe;
  ObjectSpec<AnswerItem> answer;
  ObjectSpec<ServiceRegion> service_region;
  ObjectSpec<SafetyConfig> safety;
  ObjectSpec<ServiceConfig> service;
  ObjectSpec<NotifierConfig> notifier;
  ObjectSpec<StatusConfig> status;
  ObjectSpec<Policy> policy;
};

const PolicySpecs& Specs();

// Per-area builders (policy_schema.cc, probe_schema.cc, service_schema.cc).
ObjectSpec<ZoneTransferConfig> MakeZoneTransfer();
ObjectSpec<ProviderConfig> MakeProvider(const ObjectSpec<ZoneTransferConfig>& transfer);
ObjectSpec<JsonPathCondition> MakeJsonPath();
ObjectSpec<HttpExpect> MakeHttpExpect(const ObjectSpec<JsonPathCondition>& json_path);
ObjectSpec<DnsExpect> MakeDnsExpect();
ObjectSpec<ProbeConfig> MakeProbe(const ObjectSpec<HttpExpect>& http,
                                  const ObjectSpec<DnsExpect>& dns);
ObjectSpec<ComponentConfig> MakeComponent(const ObjectSpec<ProbeConfig>& probe);
ObjectSpec<RegionHealthRule> MakeRegionHealth();
ObjectSpec<RegionConfig> MakeRegion(const ObjectSpec<ComponentConfig>& component,
                                    const ObjectSpec<RegionHealthRule>& health);
ObjectSpec<ProbeConfig> MakeAnswerProbe(const ObjectSpec<ProbeConfig>& probe);
ObjectSpec<AnswerItem> MakeAnswer(const ObjectSpec<ProbeConfig>& answer_probe);
ObjectSpec<ServiceRegion> MakeServiceRegion(const ObjectSpec<AnswerItem>& answer);
ObjectSpec<SafetyConfig> MakeSafety();
ObjectSpec<ServiceConfig> MakeService(const ObjectSpec<ServiceRegion>& region,
                                      const ObjectSpec<SafetyConfig>& safety);
ObjectSpec<NotifierConfig> MakeNotifier();
ObjectSpec<StatusConfig> MakeStatus();
ObjectSpec<Policy> MakePolicy(const PolicySpecs& specs);

// Small builders for KeyInfo, shared by the *_schema.cc files.
inline KeyInfo K(const char* key, const char* description, const char* default_text = "",
                 const char* example = "") {
  KeyInfo k;
  k.key = key;
  k.description = description;
  k.default_text = default_text;
  k.example = example;
  return k;
}
inline KeyInfo Required(KeyInfo k) {
  k.required = true;
  return k;
}
inline KeyInfo Range(KeyInfo k, long long lo, long long hi) {
  k.min = static_cast<double>(lo);
  k.max = static_cast<double>(hi);
  return k;
}
// A lower bound only; for a duration key, in milliseconds.
inline KeyInfo AtLeast(KeyInfo k, double lo) {
  k.min = lo;
  return k;
}
inline KeyInfo Url(KeyInfo k, std::vector<std::string> schemes) {
  k.url_schemes = std::move(schemes);
  return k;
}
inline KeyInfo For(KeyInfo k, std::vector<std::string> kinds) {
  k.only_for = std::move(kinds);
  return k;
}

}  // namespace steer::config

// Accessor from a struct to one of its fields, for the binding factories.
#define STEER_FIELD(Type, expr) \
  [](Type & t) -> auto& { return expr; }
