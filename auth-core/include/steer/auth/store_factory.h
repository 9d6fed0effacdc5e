#pragma once

// The one place steer-authd and `steer-authd admin` open the configured store:
// store.sqlite -> SqliteStore, store.postgres -> PostgresStore.

#include <memory>

#include "steer/auth/store.h"
#include "steer/config/authd_config.h"

namespace steer::auth {

// SQLite opens (and creates) the file now; PostgreSQL checks the DSN and the password
// reference and connects on first use (an unreachable server is not an error here).
Result<std::unique_ptr<Store>> OpenStore(const config::AuthdConfig& config);

}  // namespace steer::auth
