#pragma once

// The spec that binds steer-authd's config keys to AuthdConfig (see authd_schema.cc).
// Built once, immutable, shared read-only by every load.

#include "policy_schema.h"
#include "steer/config/authd_config.h"
#include "steer/config/tenant_config.h"

namespace steer::config {

const ObjectSpec<AuthdConfig>& AuthdSpec();
const ObjectSpec<TenantConfig>& TenantSpec();

// Why `issuer` is not acceptable, or "". Clients compare it byte for byte: https (http only
// for a loopback host), no query, fragment or trailing slash.
std::string IssuerProblem(const std::string& issuer);

}  // namespace steer::config
