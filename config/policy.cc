#include "steer/config/policy.h"

namespace steer::config {
namespace {

template <typename T>
const T* FindByName(const std::vector<T>& items, const std::string& name) {
  for (const auto& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

}  // namespace

const std::vector<std::pair<std::string, ProviderType>>& ProviderTypeNames() {
  static const std::vector<std::pair<std::string, ProviderType>> kNames = {
      {"powerdns", ProviderType::kPowerDns}, {"rfc2136", ProviderType::kRfc2136},
      {"route53", ProviderType::kRoute53},   {"cloudflare", ProviderType::kCloudflare},
      {"zonefile", ProviderType::kZoneFile}, {"embedded", ProviderType::kEmbedded},
  };
  return kNames;
}

std::string ProviderTypeName(ProviderType type) {
  for (const auto& [name, t] : ProviderTypeNames()) {
    if (t == type) return name;
  }
  return "unknown";
}

std::string AddressComponentName(const std::string& address) { return "@" + address; }

bool ServiceRegion::has_address_probes() const {
  for (const auto& p : probes) {
    if (p) return true;
  }
  return false;
}

const ProviderConfig* Policy::FindProvider(const std::string& name) const {
  return FindByName(providers, name);
}
const RegionConfig* Policy::FindRegion(const std::string& name) const {
  return FindByName(regions, name);
}
const ServiceConfig* Policy::FindService(const std::string& name) const {
  return FindByName(services, name);
}

}  // namespace steer::config
