#pragma once

// A cache that builds each configured provider on first use, from dns::AllProviders() (the
// registry steerd uses too). Not thread-safe.

#include <map>
#include <memory>
#include <string>

#include "steer/config/policy.h"
#include "steer/dns/factory.h"

namespace steer::agent::cli {

class ProviderCache {
 public:
  // `policy` must outlive the cache.
  explicit ProviderCache(const config::Policy& policy) : policy_(policy) {}

  // The provider named `name` in the policy, built (secrets resolved) on first use.
  Result<dns::Provider*> Get(const std::string& name);

 private:
  const config::Policy& policy_;
  dns::ProviderRegistry registry_ = dns::AllProviders();
  dns::ProviderDeps deps_{base::MakeCurlHttpClient(), nullptr};
  std::map<std::string, std::unique_ptr<dns::Provider>> built_;
};

}  // namespace steer::agent::cli
