#pragma once

// `steer-authd admin tenant add|list|remove` and the `--tenant NAME` scope of the other admin
// commands. Private to steer-authd.

#include <string>
#include <vector>

#include "steer/auth/store.h"
#include "steer/config/authd_config.h"
#include "steer/config/tenant_config.h"

namespace steer::auth {

// The directory of an existing tenant; an error naming the problem otherwise (no tenants
// configured, a bad name, no such tenant).
Result<std::string> ExistingTenantDir(const config::AuthdConfig& config, const std::string& name);

// add NAME [branding], list, remove NAME. `store` (the region's) loses a removed tenant's
// users and clients. Returns the process exit code; messages go to stdout/stderr.
int TenantCommand(const config::AuthdConfig& config, Store& store,
                  const std::vector<std::string>& args, const config::Branding& branding);

}  // namespace steer::auth
