#include "steer/auth/tenant_router.h"

#include <chrono>

#include "provider_util.h"

namespace steer::auth {
namespace {

constexpr std::string_view kTenantPrefix = "/t/";

double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// "Host: Acme.Login.Example.com:8443" -> "acme.login.example.com".
std::string HostName(std::string host) {
  if (!host.empty() && host[0] == '[') return "";  // an IPv6 literal names no tenant
  host = host.substr(0, host.find(':'));
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

// "/t/acme/token" -> {"acme", "/token"}; false when `path` does not start with /t/<name>.
bool SplitTenantPath(std::string_view path, std::string_view* tenant, std::string_view* rest) {
  if (path.substr(0, kTenantPrefix.size()) != kTenantPrefix) return false;
  std::string_view after = path.substr(kTenantPrefix.size());
  size_t slash = after.find('/');
  *tenant = after.substr(0, slash);
  *rest = slash == std::string_view::npos ? std::string_view() : after.substr(slash);
  return !tenant->empty();
}

base::ServerResponse NotFound() { return OAuthError(404, "not_found", "no such endpoint"); }

}  // namespace

TenantRouter::TenantRouter(const config::AuthdConfig& config, std::shared_ptr<const TenantSet> set)
    : routing_(config.tenant_routing),
      domain_suffix_("." + config.tenant_domain),
      throttle_(config.requests_per_second, config.requests_per_second),
      set_(std::move(set)) {}

void TenantRouter::Swap(std::shared_ptr<const TenantSet> set) {
  std::lock_guard lock(mu_);
  set_ = std::move(set);
}

std::shared_ptr<const TenantSet> TenantRouter::Current() const {
  std::lock_guard lock(mu_);
  return set_;
}

std::string TenantRouter::HostTenant(const base::ServerRequest& req) const {
  if (routing_ != config::TenantRouting::kHost) return "";
  std::string host = HostName(req.Header("host"));
  if (host.size() <= domain_suffix_.size() ||
      host.compare(host.size() - domain_suffix_.size(), domain_suffix_.size(), domain_suffix_) !=
          0) {
    return "";
  }
  return host.substr(0, host.size() - domain_suffix_.size());
}

base::ServerResponse TenantRouter::Handle(const base::ServerRequest& req) {
  if (throttle_.enabled() && !throttle_.Allow(req.remote_ip, MonotonicSeconds())) {
    return OAuthError(429, "slow_down", "too many requests").With("Retry-After", "1");
  }
  std::shared_ptr<const TenantSet> set = Current();
  if (set->size() == 0) return set->top().Handle(req, req.path);
  std::string host_tenant = HostTenant(req);
  std::string_view path_tenant, rest = req.path;
  bool by_path = SplitTenantPath(req.path, &path_tenant, &rest);
  if (by_path && !host_tenant.empty() && path_tenant != host_tenant) {
    return OAuthError(400, "invalid_request",
                      "the Host header and the path name different tenants");
  }
  if (routing_ == config::TenantRouting::kHost ? host_tenant.empty() : !by_path) {
    return set->top().Handle(req, req.path);
  }
  Provider* provider = set->Find(host_tenant.empty() ? path_tenant : host_tenant);
  if (provider == nullptr) return NotFound();
  return provider->Handle(req, by_path ? rest : std::string_view(req.path));
}

}  // namespace steer::auth
