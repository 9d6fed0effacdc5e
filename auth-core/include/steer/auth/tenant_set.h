#pragma once

// The issuers one steer-authd serves: the top-level issuer of the config file and one per
// tenant directory under `tenants.dir` (docs/auth-core.md, Tenants). Loading is split in two
// so that `steer-authd --check`, startup and SIGHUP run the same check:
//   LoadIssuerFiles()  reads and validates every file (tenant.yaml, signing keys, AEAD key) and
//                      reports every problem; it touches no store;
//   TenantSet::Build() turns the loaded files into Providers over one shared Store, each
//                      tenant through its own ScopedStore; it cannot fail.
// A TenantSet is immutable once built and safe to use from many threads; the Store, hasher and
// clock must outlive it.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "steer/auth/key_set.h"
#include "steer/auth/password_hasher.h"
#include "steer/auth/provider.h"
#include "steer/auth/scoped_store.h"
#include "steer/auth/sealer.h"
#include "steer/base/clock.h"
#include "steer/base/string_hash.h"
#include "steer/config/authd_config.h"
#include "steer/config/tenant_config.h"

namespace steer::auth {

// The files of one issuer, validated.
struct IssuerFiles {
  config::TenantConfig tenant;  // name "" for the top-level issuer
  KeySet keys;
  Sealer sealer;  // bound to the tenant's name as AEAD context
};

// The top-level issuer first, then the tenants by name. All or nothing: the error lists every
// problem found, one per line.
Result<std::vector<IssuerFiles>> LoadIssuerFiles(const config::AuthdConfig& config);

class TenantSet {
 public:
  static std::shared_ptr<const TenantSet> Build(const config::AuthdConfig& config,
                                                std::vector<IssuerFiles> files, Store& store,
                                                PasswordHasher& hasher, const base::Clock& clock);

  Provider& top() const { return *top_.provider; }
  // nullptr for a name that is not a tenant.
  Provider* Find(std::string_view tenant) const;
  std::vector<std::string> names() const;
  size_t size() const { return tenants_.size(); }

 private:
  struct Tenant {
    std::unique_ptr<ScopedStore> store;
    std::unique_ptr<Provider> provider;  // uses *store
  };
  Tenant top_;  // the top-level issuer, through the un-prefixed view
  // Hashed, not ordered: a request to one of 1,000 tenants costs one hash of the name (a
  // string_view of its Host or path) instead of about ten string comparisons on cold cache
  // lines (bench/auth/tenants.sh).
  std::unordered_map<std::string, Tenant, base::StringHash, std::equal_to<>> tenants_;
};

}  // namespace steer::auth
