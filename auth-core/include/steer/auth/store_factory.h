#pragma once

// The one place steer-authd and `steer-authd admin` open the configured store:
// store.sqlite -> SqliteStore, store.postgres -> PostgresStore.

#include <memory>

#include "steer/auth/store.h"
#include "steer/config/authd_config.h"

namespace steer::auth {

// Who opens it: a serving steer-authd checks tokens on every request (PostgreSQL then keeps
// its revocations in memory, see PostgresStore); an admin command does not.
enum class StoreUse { kServe, kAdmin };

// SQLite opens (and creates) the file now; PostgreSQL checks the DSN and the password
// reference and connects on first use (an unreachable server is not an error here).
Result<std::unique_ptr<Store>> OpenStore(const config::AuthdConfig& config, StoreUse use);

}  // namespace steer::auth
