#pragma once

// PowerDNS Authoritative through its HTTP API (v1): Read is GET .../zones/{zone} and a search
// of its rrsets; Replace is one PATCH with changetype REPLACE for the whole RRset, which
// PowerDNS applies in one backend transaction. The API key travels in X-API-Key and is never
// logged. Thread-safe.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/http_client.h"
#include "steer/config/policy.h"
#include "steer/dns/provider.h"

namespace steer::dns {

struct PowerDnsOptions {
  std::string name = "powerdns";  // Provider::Name()
  std::string api_url;            // http://127.0.0.1:8081 (no trailing /api/v1)
  std::string server_id = "localhost";
  std::string api_key;  // the resolved secret
  std::chrono::milliseconds timeout{10000};
};

class PowerDnsProvider : public Provider {
 public:
  PowerDnsProvider(PowerDnsOptions options, std::shared_ptr<base::HttpClient> http);

  // Resolves config.powerdns.api_key (a SecretRef) now.
  static Result<std::unique_ptr<Provider>> Create(const config::ProviderConfig& config,
                                                  std::shared_ptr<base::HttpClient> http);

  std::string Name() const override { return options_.name; }
  Result<std::optional<RRset>> Read(const std::string& zone, const std::string& name,
                                    const std::string& type) override;
  Result<ChangeReceipt> Replace(const std::string& zone, const RRset& rrset) override;
  // Every RRset of the zone (one GET; Read picks from it).
  Result<std::vector<RRset>> List(const std::string& zone);

  // Creates a Native zone with these nameservers (tests, benchmarks, bootstrap).
  Result<void> CreateZone(const std::string& zone, const std::vector<std::string>& nameservers);

 private:
  Result<base::HttpResponse> Call(const std::string& method, const std::string& path,
                                  const std::string& body);
  std::string ZonePath(const std::string& zone) const;

  PowerDnsOptions options_;
  std::shared_ptr<base::HttpClient> http_;
};

}  // namespace steer::dns
