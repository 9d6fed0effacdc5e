#pragma once

// One tenant of steer-authd: a directory `<tenants.dir>/<name>/` holding `tenant.yaml` (the
// keys below) and `keys/` (its own signing keys and AEAD key). The directory name is the
// tenant's name, a DNS label, and names its issuer (see TenantRouting). Read with the same
// reader as the server config: every problem reported as file:line:col: key.path: message,
// unknown keys are errors. Stateless; thread-safe.

#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "steer/config/authd_config.h"
#include "steer/config/catalog.h"
#include "steer/config/loader.h"

namespace steer::config {

// What the login page shows for a tenant (branding.* and display_name).
struct Branding {
  std::string display_name;      // display_name: page title and heading
  std::string logo_url;          // branding.logo_url: https image URL ("" = none)
  std::string primary_color;     // branding.primary_color: #rgb or #rrggbb ("" = default)
  std::string background_color;  // branding.background_color
  bool operator==(const Branding&) const = default;
};

struct TenantConfig {
  std::string name;       // the directory name
  Branding branding;      // display_name defaults to the name
  LockoutPolicy lockout;  // lockout.*: defaults to the server's
  bool operator==(const TenantConfig&) const = default;
};

inline constexpr char kTenantFileName[] = "tenant.yaml";
inline constexpr char kTenantKeysDirName[] = "keys";

// Why `name` cannot name a tenant, or "": 1-63 of [a-z0-9-], not starting or ending with '-'.
std::string TenantNameProblem(std::string_view name);

// The issuer of tenant `name` under `config`'s routing: <issuer>/t/<name> (path), or
// <scheme>://<name>.<tenants.domain><issuer's port and path> (host).
std::string TenantIssuer(const AuthdConfig& config, std::string_view name);

// <tenants.dir>/<name>/keys
std::string TenantKeysDir(const AuthdConfig& config, std::string_view name);

// Why `color` is not #rgb or #rrggbb, or "".
std::string ColorProblem(const std::string& color);

tl::expected<TenantConfig, Diagnostics> ParseTenantConfig(std::string_view yaml,
                                                          const std::string& file_name,
                                                          const std::string& name,
                                                          const LockoutPolicy& defaults,
                                                          const LoadLimits& limits = {});
// Reads `<dir>/tenant.yaml`; the tenant's name is the last component of `dir`.
tl::expected<TenantConfig, Diagnostics> LoadTenantConfig(const std::string& dir,
                                                         const LockoutPolicy& defaults,
                                                         const LoadLimits& limits = {});

// The YAML text `admin tenant add` writes: every key of `t` (strings quoted); `lockout` only
// when it differs from `server` (the server config's), which it otherwise follows.
std::string TenantConfigYaml(const TenantConfig& t, const LockoutPolicy& server);

// The root of tenant.yaml and its key reference (docs/auth-core.md).
const ObjectInfo& TenantCatalog();
std::string TenantMarkdownReference();

}  // namespace steer::config
