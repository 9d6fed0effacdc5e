#include "cli/provider_registry.h"

#include "steer/dns/cloudflare_provider.h"
#include "steer/dns/route53_provider.h"

namespace steer::agent::cli {

dns::ProviderRegistry CliProviderRegistry() {
  dns::ProviderRegistry registry;
  dns::AddBuiltinProviders(registry);  // powerdns, rfc2136, zonefile
  dns::AddRoute53Provider(registry);
  dns::AddCloudflareProvider(registry);
  return registry;
}

Result<dns::Provider*> ProviderCache::Get(const std::string& name) {
  auto& slot = built_[name];
  if (slot) return slot.get();
  const config::ProviderConfig* pc = policy_.FindProvider(name);
  if (pc == nullptr) return MakeError(ErrorCode::kNotFound, "no provider '" + name + "'");
  auto made = dns::MakeProvider(*pc, registry_, deps_);
  if (!made) return tl::unexpected(made.error());
  slot = std::move(*made);
  return slot.get();
}

}  // namespace steer::agent::cli
