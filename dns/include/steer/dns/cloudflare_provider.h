#pragma once

// Cloudflare DNS through its v4 API, authenticated with an API token (Bearer):
//  - Read: GET /zones/{zone_id}/dns_records?name=&type= (every page).
//  - Replace: the same list, then one POST /zones/{zone_id}/dns_records/batch whose deletes,
//    patches and posts turn the listed records into the desired set. Cloudflare runs a batch
//    in one database transaction (a stale id fails the whole batch, nothing half-applied);
//    its edge is updated afterwards, not atomically, which the propagation check covers.
//    Records already right are kept; others are patched in place before any is deleted or
//    created. Nothing to change means no write.
// Rate: Cloudflare allows 1,200 requests per 5 minutes per token; each HTTP request takes a
// token from the provider's own bucket (default (1,200 - burst 20) / 300 s = 3.93/s). A 429 is
// kResourceExhausted carrying its Retry-After (Error::retry_after), which SafeWriter honours
// for every provider. 5xx is kUnavailable, 401/403 kPermissionDenied.
// The token is never logged nor put into a message. Thread-safe.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/clock.h"
#include "steer/base/http_client.h"
#include "steer/config/policy.h"
#include "steer/dns/factory.h"
#include "steer/dns/provider.h"
#include "steer/dns/rate_limiter.h"

namespace steer::dns {

struct CloudflareOptions {
  std::string name = "cloudflare";  // Provider::Name()
  std::string endpoint = "https://api.cloudflare.com/client/v4";
  std::string zone_id;
  std::string api_token;                     // the resolved secret
  std::chrono::milliseconds timeout{10000};  // per HTTP request
  double rate_per_second = 3.9;              // (1,200 - burst) per 5 minutes: never over the limit
  double burst = 20;
};

// One record as Cloudflare holds it (records of an RRset have their own ids).
struct CloudflareRecord {
  std::string id;
  std::string content;
  int ttl = 1;  // 1 is Cloudflare's "automatic"
};

// The batch that turns `existing` into `desired`: kept records are left alone, records whose
// content stays but TTL differs are patched, surplus records are patched to missing
// content, the rest is posted or deleted. Exposed for tests.
struct CloudflareBatch {
  std::vector<std::string> deletes;       // ids
  std::vector<CloudflareRecord> patches;  // id + new content/ttl
  std::vector<CloudflareRecord> posts;    // content/ttl (no id)
  bool empty() const { return deletes.empty() && patches.empty() && posts.empty(); }
};
CloudflareBatch PlanCloudflareBatch(const std::vector<CloudflareRecord>& existing,
                                    const RRset& desired);

class CloudflareProvider : public Provider {
 public:
  // `clock` paces the rate limiter and must outlive the provider; null
  // means the system clock. A null `http` means the libcurl client.
  CloudflareProvider(CloudflareOptions options, std::shared_ptr<base::HttpClient> http,
                     const base::Clock* clock);
  ~CloudflareProvider() override;

  // Resolves config.cloudflare.api_token (a SecretRef) now.
  static Result<std::unique_ptr<Provider>> Create(const config::ProviderConfig& config,
                                                  const ProviderDeps& deps);

  std::string Name() const override { return options_.name; }
  Result<std::optional<RRset>> Read(const std::string& zone, const std::string& name,
                                    const std::string& type) override;
  Result<ChangeReceipt> Replace(const std::string& zone, const RRset& rrset) override;

 private:
  Result<std::vector<CloudflareRecord>> List(const std::string& name, const std::string& type,
                                             int* ttl);
  Result<base::HttpResponse> Call(const std::string& method, const std::string& path,
                                  const std::string& body);

  CloudflareOptions options_;
  std::shared_ptr<base::HttpClient> http_;
  std::unique_ptr<base::SystemClock> owned_clock_;  // only when no clock was given
  const base::Clock* clock_;
  std::unique_ptr<RateLimiter> limiter_;
};

// Adds the cloudflare factory (CloudflareProvider::Create) to a registry.
void AddCloudflareProvider(ProviderRegistry& registry);

}  // namespace steer::dns
