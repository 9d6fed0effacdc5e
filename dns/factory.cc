#include "steer/dns/factory.h"

#include <algorithm>

#include "steer/base/clock.h"
#include "steer/dns/cloudflare_provider.h"
#include "steer/dns/embedded_provider.h"
#include "steer/dns/powerdns_provider.h"
#include "steer/dns/rfc2136_provider.h"
#include "steer/dns/route53_provider.h"
#include "steer/dns/zonefile_provider.h"

namespace steer::dns {

ProviderRegistry AllProviders() {
  ProviderRegistry registry;
  AddBuiltinProviders(registry);
  AddRoute53Provider(registry);
  AddCloudflareProvider(registry);
  return registry;
}

void AddBuiltinProviders(ProviderRegistry& registry) {
  registry[config::ProviderType::kPowerDns] =
      [](const config::ProviderConfig& config,
         const ProviderDeps& deps) -> Result<std::unique_ptr<Provider>> {
    if (!deps.http) {
      return MakeError(ErrorCode::kInvalidArgument, "powerdns provider needs an HTTP client");
    }
    return PowerDnsProvider::Create(config, deps.http);
  };
  registry[config::ProviderType::kRfc2136] = [](const config::ProviderConfig& config,
                                                const ProviderDeps&) {
    return Rfc2136Provider::Create(config);
  };
  registry[config::ProviderType::kZoneFile] = [](const config::ProviderConfig& config,
                                                 const ProviderDeps&) {
    return ZoneFileProvider::Create(config);
  };
  registry[config::ProviderType::kEmbedded] = [](const config::ProviderConfig& config,
                                                 const ProviderDeps& deps) {
    return EmbeddedProvider::Create(config, deps.serve_dns, deps.clock);
  };
}

Result<std::unique_ptr<Provider>> MakeProvider(const config::ProviderConfig& config,
                                               const ProviderRegistry& registry,
                                               const ProviderDeps& deps) {
  auto it = registry.find(config.type);
  if (it == registry.end()) {
    std::string kind = config::ProviderTypeName(config.type);
    return MakeError(ErrorCode::kInvalidArgument, "provider " + config.name + ": kind '" + kind +
                                                      "' is not built into this binary");
  }
  return it->second(config, deps);
}

namespace {

double PublishedRate(config::ProviderType type) {
  switch (type) {
    case config::ProviderType::kRoute53:
      return 5.0;
    case config::ProviderType::kCloudflare:
      return 4.0;
    default:
      return 50.0;
  }
}

double KindBurst(config::ProviderType type) {
  switch (type) {
    case config::ProviderType::kRoute53:
      return 5.0;
    case config::ProviderType::kCloudflare:
      return 20.0;
    default:
      return 50.0;
  }
}

// Cloudflare's API allows 1,200 requests per 5 minutes per user.
constexpr double kCloudflareRequestsPerWindow = 1200;
constexpr double kCloudflareWindowSeconds = 300;

}  // namespace

RateLimit RateLimitFor(const config::ProviderConfig& config) {
  double rate = config.rate_per_second > 0 ? config.rate_per_second : PublishedRate(config.type);
  double burst = std::max(1.0, std::min(KindBurst(config.type), rate * 5));
  if (config.rate_per_second <= 0 && config.type == config::ProviderType::kCloudflare) {
    rate = std::min(rate, (kCloudflareRequestsPerWindow - burst) / kCloudflareWindowSeconds);
  }
  return {rate, burst};
}

std::unique_ptr<RateLimiter> MakeRateLimiter(const config::ProviderConfig& config,
                                             const base::Clock& clock) {
  RateLimit limit = RateLimitFor(config);
  return std::make_unique<RateLimiter>(limit.rate_per_second, limit.burst, clock);
}

SafeWriterOptions SafeWriterOptionsFor(const config::ProviderConfig& config) {
  SafeWriterOptions options;
  options.retry.max_attempts = std::max(1, config.max_attempts);
  return options;
}

}  // namespace steer::dns
