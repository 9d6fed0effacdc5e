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
