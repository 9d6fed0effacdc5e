#include "steer/auth/tenant_set.h"

#include <algorithm>
#include <filesystem>

namespace steer::auth {
namespace {

namespace fs = std::filesystem;

// Keys and AEAD key of one issuer; problems appended to `errors`.
std::optional<IssuerFiles> LoadKeys(const std::string& keys_dir, config::TenantConfig tenant,
                                    std::string* errors) {
  auto keys = KeySet::LoadDir(keys_dir);
  auto sealer = Sealer::LoadFile(keys_dir + "/" + kAeadKeyFileName);
  if (!keys) *errors += keys.error().message + "\n";
  if (!sealer) *errors += sealer.error().message + "\n";
  if (!keys || !sealer) return std::nullopt;
  std::string context = tenant.name;
  return IssuerFiles{std::move(tenant), std::move(*keys), sealer->WithContext(context)};
}

// Tenant directories by name; stray files and bad names are problems, dot-entries are skipped
// (editors' and `admin tenant remove`'s leftovers).
std::vector<std::string> TenantNames(const std::string& dir, std::string* errors) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    *errors += "tenants.dir " + dir + " is not a directory (run `steer-authd admin tenant add`)\n";
    return names;
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (!entry.is_directory()) {
      *errors += entry.path().string() + ": not a tenant directory\n";
    } else if (std::string problem = config::TenantNameProblem(name); !problem.empty()) {
      *errors += entry.path().string() + ": tenant name " + problem + "\n";
    } else {
      names.push_back(name);
    }
  }
  if (ec) *errors += "cannot list " + dir + ": " + ec.message() + "\n";
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

Result<std::vector<IssuerFiles>> LoadIssuerFiles(const config::AuthdConfig& config) {
  std::string errors;
  std::vector<IssuerFiles> out;
  config::TenantConfig top;
  top.lockout = config.lockout;
  if (auto files = LoadKeys(config.keys_dir, top, &errors)) out.push_back(std::move(*files));
  std::vector<std::string> names;
  if (!config.tenants_dir.empty()) names = TenantNames(config.tenants_dir, &errors);
  for (const std::string& name : names) {
    std::string dir = (fs::path(config.tenants_dir) / name).string();
    auto tenant = config::LoadTenantConfig(dir, config.lockout);
    if (!tenant) {
      for (const auto& d : tenant.error()) errors += d.ToString() + "\n";
      continue;
    }
    auto files = LoadKeys((fs::path(dir) / config::kTenantKeysDirName).string(), *tenant, &errors);
    if (files) out.push_back(std::move(*files));
  }
  if (!errors.empty()) {
    errors.pop_back();
    return MakeError(ErrorCode::kInvalidArgument, errors);
  }
  return out;
}

std::shared_ptr<const TenantSet> TenantSet::Build(const config::AuthdConfig& config,
                                                  std::vector<IssuerFiles> files, Store& store,
                                                  PasswordHasher& hasher,
                                                  const base::Clock& clock) {
  auto set = std::shared_ptr<TenantSet>(new TenantSet());
  // The router throttles requests per IP once for all issuers.
  config::AuthdConfig shared = config;
  shared.requests_per_second = 0;
  for (IssuerFiles& f : files) {
    bool top = f.tenant.name.empty();
    config::AuthdConfig c = shared;
    if (!top) c.issuer = config::TenantIssuer(config, f.tenant.name);
    c.lockout = f.tenant.lockout;
    Tenant t;
    t.store = std::make_unique<ScopedStore>(store, f.tenant.name);
    t.provider =
        std::make_unique<Provider>(c, std::move(f.keys), std::move(f.sealer), *t.store, hasher,
                                   clock, top ? config::Branding{} : f.tenant.branding);
    if (top) {
      set->top_ = std::move(t);
    } else {
      set->tenants_.emplace(f.tenant.name, std::move(t));
    }
  }
  return set;
}

Provider* TenantSet::Find(std::string_view tenant) const {
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? nullptr : it->second.provider.get();
}

std::vector<std::string> TenantSet::names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : tenants_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace steer::auth
