#include "validate.h"

#include "text_checks.h"

namespace steer::config {
namespace {

std::string Fqdn(std::string name) {
  if (!name.empty() && name.back() != '.') name.push_back('.');
  return name;
}

}  // namespace

void CheckSecretHeaders(Reader& r, const std::map<std::string, std::string>& headers,
                        const std::string& path) {
  for (const auto& [name, value] : headers) {
    if (IsSensitiveHeader(name) && value.rfind("env:", 0) != 0 && value.rfind("file:", 0) != 0) {
      r.ErrorAt(r.Find(path + "." + name), path + "." + name,
                "header '" + name + "' holds a secret written inline; use env:NAME or file:/path");
    }
  }
}

void Normalize(Reader& /*r*/, Policy& policy) {
  for (auto& s : policy.services) {
    if (!s.dns_name.empty()) s.dns_name = Fqdn(s.dns_name);
    if (!s.zone.empty()) s.zone = Fqdn(s.zone);
  }
  for (auto& p : policy.providers) {
    if (!p.zonefile.origin.empty()) p.zonefile.origin = Fqdn(p.zonefile.origin);
    // `origin` is parsed into the zonefile slot before the type is known.
    if (p.type == ProviderType::kEmbedded) {
      p.embedded.origin = p.zonefile.origin;
      p.zonefile.origin.clear();
    }
    // `endpoint` is parsed into the Route 53 slot before the type is known.
    if (p.type == ProviderType::kCloudflare) {
      if (p.route53.endpoint != Route53Config{}.endpoint) {
        p.cloudflare.endpoint = p.route53.endpoint;
      }
      p.route53.endpoint = Route53Config{}.endpoint;
    }
  }
}

// Declared in validate_sections.cc.
void ValidateAgent(Reader& r, const Policy& p);
void ValidateProviders(Reader& r, const Policy& p);
void ValidateRegions(Reader& r, const Policy& p);
void ValidateServices(Reader& r, const Policy& p);
void ValidateNotifications(Reader& r, const Policy& p);
void ValidateStatus(Reader& r, const Policy& p);  // validate_status.cc

void Validate(Reader& r, const Policy& policy) {
  ValidateAgent(r, policy);
  ValidateProviders(r, policy);
  ValidateRegions(r, policy);
  ValidateServices(r, policy);
  ValidateNotifications(r, policy);
  ValidateStatus(r, policy);
}

}  // namespace steer::config
