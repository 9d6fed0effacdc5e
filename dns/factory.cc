#include "steer/dns/factory.h"

#include <algorithm>

#include "steer/base/clock.h"
#include "steer/dns/powerdns_provider.h"
#include "steer/dns/rfc2136_provider.h"
#include "steer/dns/zonefile_provider.h"

namespace steer::dns {

const char* ProviderKindName(config::ProviderType type) {
  switch (type) {
    case config::ProviderType::kPowerDns:
      return "powerdns";
    case config::ProviderType::kRfc2136:
      return "rfc2136";
    case config::ProviderType::kRoute53:
      return "route53";
    case config::ProviderType::kCloudflare:
      return "cloudflare";
    case config::ProviderType::kZoneFile:
      return "zonefile";
  }
  return "unknown";
}

void AddBuiltinProviders(ProviderRegistry& registry) {
  registry["powerdns"] = [](const config::ProviderConfig& config,
                            const ProviderDeps& deps) -> Result<std::unique_ptr<Provider>> {
    if (!deps.http) {
      return MakeError(ErrorCode::kInvalidArgument, "powerdns provider needs an HTTP client");
    }
    return PowerDnsProvider::Create(config, deps.http);
  };
  registry["rfc2136"] = [](const config::ProviderConfig& config, const ProviderDeps&) {
    return Rfc2136Provider::Create(config);
  };
  registry["zonefile"] = [](const config::ProviderConfig& config, const ProviderDeps&) {
    return ZoneFileProvider::Create(config);
  };
}

Result<std::unique_ptr<Provider>> MakeProvider(const config::ProviderConfig& config,
                                               const ProviderRegistry& registry,
                                               const ProviderDeps& deps) {
  std::string kind = ProviderKindName(config.type);
  auto it = registry.find(kind);
  if (it == registry.end()) {
    return MakeError(ErrorCode::kInvalidArgument, "provider " + config.name + ": kind '" + kind +
                                                      "' is not built into this binary");
  }
  return it->second(config, deps);
}

double DefaultRatePerSecond(config::ProviderType type) {
  switch (type) {
    case config::ProviderType::kRoute53:
      return 5.0;
    case config::ProviderType::kCloudflare:
      return 4.0;
    default:
      return 50.0;
  }
}

double DefaultBurst(config::ProviderType type) {
  switch (type) {
    case config::ProviderType::kRoute53:
      return 5.0;
    case config::ProviderType::kCloudflare:
      return 20.0;
    default:
      return 50.0;
  }
}

std::unique_ptr<RateLimiter> MakeRateLimiter(const config::ProviderConfig& config,
                                             base::Clock& clock) {
  double rate =
      config.rate_per_second > 0 ? config.rate_per_second : DefaultRatePerSecond(config.type);
  return std::make_unique<RateLimiter>(
      rate, std::max(1.0, std::min(DefaultBurst(config.type), rate * 5)), clock);
}

SafeWriterOptions SafeWriterOptionsFor(const config::ProviderConfig& config) {
  SafeWriterOptions options;
  options.retry.max_attempts = std::max(1, config.max_attempts);
  return options;
}

}  // namespace steer::dns
