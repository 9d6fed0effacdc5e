// Cross-field rules of services and notifications.
#include <algorithm>
#include <set>

#include "text_checks.h"
#include "validate.h"

namespace steer::config {
namespace {

bool AnswerFits(const std::string& type, const std::string& answer) {
  if (type == "A") return IsIPv4(answer);
  if (type == "AAAA") return IsIPv6(answer);
  return IsHostname(answer);  // CNAME
}

// Answers with their own probe (docs/policies.md, §11).
void CheckAddressProbes(Reader& r, const ServiceConfig& s, const ServiceRegion& sr,
                        const std::string& item) {
  if (!sr.has_address_probes()) {
    if (r.Has(item + ".min_healthy")) {
      r.ErrorAtPath(item + ".min_healthy",
                    "min_healthy applies only to answers with their own probe ({address, probe})");
    }
    return;
  }
  if (s.record_type == "CNAME") {
    r.ErrorAtPath(item + ".answers", "answers with their own probe need type A or AAAA, not CNAME");
  }
  if (static_cast<size_t>(sr.min_healthy) > sr.answers.size()) {
    r.ErrorAtPath(item + ".min_healthy", "min_healthy " + std::to_string(sr.min_healthy) +
                                             " is more than the " +
                                             std::to_string(sr.answers.size()) + " answers");
  }
  std::set<std::string> seen;
  for (size_t j = 0; j < sr.answers.size(); ++j) {
    const std::string at = item + ".answers[" + std::to_string(j) + "]";
    if (!seen.insert(sr.answers[j]).second) {
      r.ErrorAtPath(at, "'" + sr.answers[j] + "' is listed twice");
    }
    if (j < sr.probes.size() && sr.probes[j]) CheckProbe(r, *sr.probes[j], at + ".probe");
  }
}

void CheckServiceRegions(Reader& r, const Policy& p, const ServiceConfig& s,
                         const std::string& path) {
  std::set<std::string> seen;
  for (size_t i = 0; i < s.regions.size(); ++i) {
    const ServiceRegion& sr = s.regions[i];
    std::string item = path + ".regions[" + std::to_string(i) + "]";
    if (!sr.region.empty() && p.FindRegion(sr.region) == nullptr) {
      r.ErrorAtPath(item + ".region", "unknown region '" + sr.region + "' (not a key of regions)");
    }
    if (!sr.region.empty() && !seen.insert(sr.region).second) {
      r.ErrorAtPath(item + ".region", "region '" + sr.region + "' is listed twice");
    }
    if (s.record_type == "CNAME" && sr.answers.size() > 1) {
      r.ErrorAtPath(item + ".answers", "a CNAME has exactly one answer");
    }
    for (size_t j = 0; j < sr.answers.size(); ++j) {
      if (!AnswerFits(s.record_type, sr.answers[j])) {
        r.ErrorAtPath(item + ".answers[" + std::to_string(j) + "]",
                      "'" + sr.answers[j] + "' is not valid data for record type " + s.record_type);
      }
    }
    CheckAddressProbes(r, s, sr, item);
  }
}

std::string ZoneKey(const std::string& zone) {
  std::string z = Lower(zone);
  while (!z.empty() && z.back() == '.') z.pop_back();
  return z;
}

// The embedded server answers one zone: a service of another zone could never be served.
void CheckEmbeddedZone(Reader& r, const Policy& p, const ServiceConfig& s,
                       const std::string& path) {
  for (const std::string& name : s.ProviderNames()) {
    const ProviderConfig* pc = p.FindProvider(name);
    if (pc == nullptr || pc->type != ProviderType::kEmbedded || s.zone.empty() ||
        pc->embedded.origin.empty() || ZoneKey(s.zone) == ZoneKey(pc->embedded.origin)) {
      continue;
    }
    r.ErrorAtPath(path + ".zone", "provider " + pc->name + " (embedded) serves zone " +
                                      pc->embedded.origin + ", not " + s.zone);
  }
}

// `provider: x` or `providers: [x, y]`: exactly one of them, each name a key of providers,
// none twice.
void CheckProviders(Reader& r, const Policy& p, const ServiceConfig& s, const std::string& path) {
  bool one = r.Has(path + ".provider"), list = r.Has(path + ".providers");
  if (one && list) {
    r.ErrorAtPath(path + ".providers", "give provider or providers, not both");
  } else if (!one && !list) {
    r.ErrorAtPath(path, "missing required key 'provider' (or 'providers')");
  }
  if (!s.provider.empty() && p.FindProvider(s.provider) == nullptr) {
    r.ErrorAtPath(path + ".provider",
                  "unknown provider '" + s.provider + "' (not a key of providers)");
  }
  if (list && s.providers.empty()) r.ErrorAtPath(path + ".providers", "lists no provider");
  std::set<std::string> seen;
  for (size_t i = 0; i < s.providers.size(); ++i) {
    std::string item = path + ".providers[" + std::to_string(i) + "]";
    if (p.FindProvider(s.providers[i]) == nullptr) {
      r.ErrorAtPath(item, "unknown provider '" + s.providers[i] + "' (not a key of providers)");
    } else if (!seen.insert(s.providers[i]).second) {
      r.ErrorAtPath(item, "provider '" + s.providers[i] + "' is listed twice");
    }
  }
  if (s.providers.size() > 1 && !s.nameservers.empty()) {
    r.ErrorAtPath(path + ".nameservers",
                  "a service with several providers verifies each provider's own servers: set "
                  "providers.NAME.nameservers (or discovery_server) instead");
  }
}

void CheckService(Reader& r, const Policy& p, const ServiceConfig& s) {
  std::string path = "services." + s.name;
  CheckEmbeddedZone(r, p, s, path);
  CheckProviders(r, p, s, path);
  if (!s.dns_name.empty() && !IsHostname(s.dns_name)) {
    r.ErrorAtPath(path + ".dns_name", "'" + s.dns_name + "' is not a valid DNS name");
  }
  if (!s.dns_name.empty() && !s.zone.empty()) {
    std::string name = Lower(s.dns_name), zone = Lower(s.zone);
    bool inside =
        name == zone || (name.size() > zone.size() &&
                         name.compare(name.size() - zone.size(), zone.size(), zone) == 0 &&
                         name[name.size() - zone.size() - 1] == '.');
    if (!inside)
      r.ErrorAtPath(path + ".dns_name", "'" + s.dns_name + "' is not inside zone " + s.zone);
  }
  CheckServiceRegions(r, p, s, path);
  for (size_t i = 0; i < s.nameservers.size(); ++i) {
    if (!IsHostPort(s.nameservers[i])) {
      r.ErrorAtPath(path + ".nameservers[" + std::to_string(i) + "]",
                    "expected host:port, e.g. 127.0.0.1:53");
    }
  }
}

void CheckNotifier(Reader& r, const NotifierConfig& n) {
  std::string path = "notifications." + n.name;
  bool has_url = !n.url.empty() || !n.url_secret.empty();
  // The scheme of a url that is present, and a password in it, are checked as it is read.
  if (n.type == NotifierType::kSmtp) {
    if (n.url.empty() && !r.Has(path + ".url")) {
      r.ErrorAtPath(path, "type smtp needs url: smtp://host:port or smtps://host:port");
    }
    if (n.from.empty()) r.ErrorAtPath(path, "missing required key 'from' for type smtp");
    if (n.to.empty()) r.ErrorAtPath(path, "missing required key 'to' for type smtp");
  } else if (!has_url) {
    r.ErrorAtPath(path, "missing required key 'url' or 'url_secret'");
  }
  if (n.type == NotifierType::kSlack && n.url.find("hooks.slack.com/") != std::string::npos) {
    r.ErrorAtPath(path + ".url", "a Slack webhook URL is a secret; use url_secret: env:NAME");
  }
  CheckSecretHeaders(r, n.headers, path + ".headers");
  static const std::set<std::string> kEvents = {"decision", "operation", "dns_change",
                                                "leadership"};
  for (size_t i = 0; i < n.events.size(); ++i) {
    if (!kEvents.count(n.events[i])) {
      r.ErrorAtPath(path + ".events[" + std::to_string(i) + "]",
                    "unknown event '" + n.events[i] +
                        "' (expected decision, operation, dns_change or leadership)");
    }
  }
}

}  // namespace

void ValidateServices(Reader& r, const Policy& p) {
  std::set<std::string> names;
  for (const auto& s : p.services) {
    CheckService(r, p, s);
    std::string key = Lower(s.dns_name) + " " + s.record_type;
    if (!s.dns_name.empty() && !names.insert(key).second) {
      r.ErrorAtPath("services." + s.name + ".dns_name",
                    "another service already steers " + s.dns_name + " " + s.record_type);
    }
  }
}

namespace {

// Adds answer j of the service's region i to `region` as its address component's probe.
void AddAddressProbe(Reader& r, RegionConfig& region, const ServiceConfig& s, size_t i, size_t j) {
  const ServiceRegion& sr = s.regions[i];
  const std::string name = AddressComponentName(sr.answers[j]);
  auto comp = std::find_if(region.components.begin(), region.components.end(),
                           [&](const ComponentConfig& c) { return c.name == name; });
  if (comp == region.components.end()) {
    region.components.push_back(ComponentConfig{name, false, {}, s.location});
    comp = region.components.end() - 1;
  }
  const ProbeConfig& probe = *sr.probes[j];
  auto same = std::find_if(comp->probes.begin(), comp->probes.end(),
                           [&](const ProbeConfig& p) { return p.name == probe.name; });
  if (same == comp->probes.end()) {
    comp->probes.push_back(probe);
  } else if (!(*same == probe)) {
    r.ErrorAtPath("services." + s.name + ".regions[" + std::to_string(i) + "].answers[" +
                      std::to_string(j) + "].probe",
                  "another service probes " + sr.answers[j] + " in region " + sr.region +
                      " differently under the same probe name '" + probe.name +
                      "'; give this probe another name");
  }
}

}  // namespace

void ExpandAddressProbes(Reader& r, Policy& policy) {
  for (const auto& region : policy.regions) {
    for (const auto& c : region.components) {
      if (!c.name.empty() && c.name[0] == '@') {
        r.ErrorAtPath("regions." + region.name + ".components." + c.name,
                      "component names starting with '@' are reserved for answers' own probes");
      }
    }
  }
  for (const auto& s : policy.services) {
    for (size_t i = 0; i < s.regions.size(); ++i) {
      const ServiceRegion& sr = s.regions[i];
      auto region = std::find_if(policy.regions.begin(), policy.regions.end(),
                                 [&](const RegionConfig& rc) { return rc.name == sr.region; });
      for (size_t j = 0; region != policy.regions.end() && j < sr.probes.size(); ++j) {
        if (sr.probes[j]) AddAddressProbe(r, *region, s, i, j);
      }
    }
  }
}

void ValidateNotifications(Reader& r, const Policy& p) {
  for (const auto& n : p.notifications) CheckNotifier(r, n);
}

}  // namespace steer::config
