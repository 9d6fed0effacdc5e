#pragma once

// Sends each request to the Provider of the issuer it names: a tenant by its path
// (/t/<tenant>/...) or by its host name (<tenant>.<tenants.domain>), else the top-level
// issuer. An unknown tenant gets the same 404 as an unknown path, so probing reveals no
// tenant names; a Host naming one tenant and a path naming another is a 400. The per-IP
// request throttle (throttle.requests_per_second) applies here, once for all issuers.
// Thread-safe: Swap() installs a new TenantSet while requests run; each request keeps the set
// it started with alive until it ends, so a tenant removed on reload finishes its in-flight
// requests and refuses everything after.

#include <memory>
#include <mutex>

#include "steer/auth/ip_throttle.h"
#include "steer/auth/tenant_set.h"
#include "steer/base/http_server.h"
#include "steer/config/authd_config.h"

namespace steer::auth {

class TenantRouter {
 public:
  TenantRouter(const config::AuthdConfig& config, std::shared_ptr<const TenantSet> set);

  base::ServerResponse Handle(const base::ServerRequest& req);

  void Swap(std::shared_ptr<const TenantSet> set);
  std::shared_ptr<const TenantSet> Current() const;

 private:
  // The tenant named by the Host header under routing: host ("" = none).
  std::string HostTenant(const base::ServerRequest& req) const;

  config::TenantRouting routing_;
  std::string domain_suffix_;  // "." + tenants.domain
  IpThrottle throttle_;
  mutable std::mutex mu_;
  std::shared_ptr<const TenantSet> set_;  // guarded by mu_
};

}  // namespace steer::auth
