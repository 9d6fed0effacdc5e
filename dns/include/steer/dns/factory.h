#pragma once

// Building providers from configuration through an explicit registry: a map kind -> factory
// (AllProviders() for every kind), asked for providers by config.
// No static self-registration. Registries are plain values; building one is not thread-safe,
// using a built one (const) is.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "steer/base/clock.h"
#include "steer/base/error.h"
#include "steer/base/http_client.h"
#include "steer/config/policy.h"
#include "steer/dns/provider.h"
#include "steer/dns/rate_limiter.h"
#include "steer/dns/safe_writer.h"

namespace steer::dns {

// What a factory may need besides the config. Shared so providers can keep them.
struct ProviderDeps {
  std::shared_ptr<base::HttpClient> http;  // for HTTP API providers
  const base::Clock* clock = nullptr;      // must outlive the providers
  // steerd: an embedded provider listens and answers. Otherwise (steerctl) it reads what
  // the running steerd answers and refuses changes (embedded_provider.h).
  bool serve_dns = false;
};

using ProviderFactory = std::function<Result<std::unique_ptr<Provider>>(
    const config::ProviderConfig& config, const ProviderDeps& deps)>;

// Keyed by the provider kind; kinds are named by config::ProviderTypeName().
using ProviderRegistry = std::map<config::ProviderType, ProviderFactory>;

// Every provider kind this library builds: powerdns, rfc2136, zonefile, embedded, route53,
// cloudflare.
// The one registry steerd and steerctl use.
ProviderRegistry AllProviders();

// Adds powerdns, rfc2136, zonefile and embedded. (route53 and cloudflare are added by their own
// Add*Provider functions, in route53_provider.h / cloudflare_provider.h; AllProviders() adds
// all of them.)
void AddBuiltinProviders(ProviderRegistry& registry);

// Looks the config's kind up in the registry and builds the provider. Secrets referenced by
// the config are resolved here; a missing one is an error naming the reference, not the value.
Result<std::unique_ptr<Provider>> MakeProvider(const config::ProviderConfig& config,
                                               const ProviderRegistry& registry,
                                               const ProviderDeps& deps);

// A token bucket's shape.
struct RateLimit {
  double rate_per_second = 0;
  double burst = 0;
};

// The one rate rule for a configured provider, used by steerd's write path (MakeRateLimiter)
// and by the Route 53 and Cloudflare clients for every API call. The rate is
// config.rate_per_second, or when 0 the kind's published limit: route53 5/s (the per-account
// limit AWS documents for ChangeResourceRecordSets), cloudflare 1,200 requests per 5 minutes
// (a full bucket plus 300 s of refill stays within it: 3.93/s with the burst of 20),
// powerdns / rfc2136 / zonefile / embedded 50/s (local servers: a safety valve, not a published
// limit).
// The burst is the kind's (route53 5, cloudflare 20, others 50), capped at five seconds of
// the rate (at least 1), so a lowered rate_per_second is not undone by a burst sized for the
// default rate.
RateLimit RateLimitFor(const config::ProviderConfig& config);

// The token bucket of RateLimitFor(config).
std::unique_ptr<RateLimiter> MakeRateLimiter(const config::ProviderConfig& config,
                                             const base::Clock& clock);

// SafeWriter options from a provider's config (max_attempts, at least 1); the rest are
// defaults.
SafeWriterOptions SafeWriterOptionsFor(const config::ProviderConfig& config);

}  // namespace steer::dns
