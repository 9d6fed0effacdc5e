#pragma once

// Amazon Route 53 through its REST/XML API (2013-04-01), every request signed with AWS
// Signature Version 4 (aws_sigv4.h):
//  - Read: ListResourceRecordSets starting at name/type with maxitems=1; Route 53 returns the
//    next RRset in its order when none matches, so name and type are checked.
//  - Replace: one ChangeResourceRecordSets with a single UPSERT of the whole RRset (Route 53
//    applies a change batch atomically).
//  - Status (AsyncChangeTracker): GetChange; PENDING until the change is INSYNC on every
//    Route 53 authoritative server.
// Errors: Throttling -> kResourceExhausted and PriorRequestNotComplete -> kUnavailable (both
// retryable, see provider.h); InvalidChangeBatch -> kInvalidArgument with Route 53's messages;
// SignatureDoesNotMatch / InvalidClientTokenId / AccessDenied -> kPermissionDenied;
// NoSuchHostedZone -> kNotFound. Alias records and routing-policy records (SetIdentifier) are
// refused with kFailedPrecondition: Steer manages simple RRsets only.
// Each HTTP request takes a token from the provider's own bucket (default: Route 53's 5/s).
// The secret access key is only used to derive signing keys; it is never logged nor put into
// a message. Thread-safe.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "steer/base/clock.h"
#include "steer/base/http_client.h"
#include "steer/config/policy.h"
#include "steer/dns/aws_sigv4.h"
#include "steer/dns/factory.h"
#include "steer/dns/provider.h"
#include "steer/dns/rate_limiter.h"

namespace steer::dns {

struct Route53Options {
  std::string name = "route53";                            // Provider::Name()
  std::string endpoint = "https://route53.amazonaws.com";  // scheme://host[:port]
  std::string region = "us-east-1";                        // SigV4 signing region
  std::string hosted_zone_id;                              // Z1D633PJN98FT9 ("/hostedzone/" ok)
  aws::SigV4Credentials credentials;                       // resolved secrets
  std::chrono::milliseconds timeout{10000};                // per HTTP request
  double rate_per_second = 5;
  double burst = 5;
  // Wall clock for the SigV4 date (x-amz-date); empty means system_clock::now.
  std::function<std::chrono::system_clock::time_point()> wall_clock;
};

class Route53Provider : public Provider, public AsyncChangeTracker {
 public:
  // `clock` paces the rate limiter and must outlive the provider; null means the system
  // clock. A null `http` means the libcurl client.
  Route53Provider(Route53Options options, std::shared_ptr<base::HttpClient> http,
                  const base::Clock* clock);
  ~Route53Provider() override;

  // Resolves config.route53.access_key_id and secret_access_key (SecretRefs) now.
  static Result<std::unique_ptr<Provider>> Create(const config::ProviderConfig& config,
                                                  const ProviderDeps& deps);

  std::string Name() const override { return options_.name; }
  Result<std::optional<RRset>> Read(const std::string& zone, const std::string& name,
                                    const std::string& type) override;
  Result<ChangeReceipt> Replace(const std::string& zone, const RRset& rrset) override;
  Result<ChangeStatus> Status(const std::string& change_id) override;

 private:
  Result<base::HttpResponse> Call(const std::string& method, const std::string& path,
                                  const std::string& query, const std::string& body);
  std::string ZonePath() const;

  Route53Options options_;
  std::shared_ptr<base::HttpClient> http_;
  std::unique_ptr<base::SystemClock> owned_clock_;  // only when no clock was given
  std::unique_ptr<RateLimiter> limiter_;
};

// Adds the route53 factory (Route53Provider::Create) to a registry.
void AddRoute53Provider(ProviderRegistry& registry);

}  // namespace steer::dns
