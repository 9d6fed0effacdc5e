#include "cli/provider_registry.h"

namespace steer::agent::cli {

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
