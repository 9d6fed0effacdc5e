#pragma once

// `steer-authd admin store migrate|status|copy`: the PostgreSQL store's schema, and the
// one-shot copy of a region's SQLite users and clients into it. Private to steer-authd.

#include <string>
#include <vector>

#include "steer/config/authd_config.h"

namespace steer::auth {

// args: {"store", VERB, ...}; `from`/`to`: --from sqlite:PATH, --to postgres. Returns the
// process exit code; messages go to stdout/stderr.
int StoreCommand(const config::AuthdConfig& config, const std::vector<std::string>& args,
                 const std::string& from, const std::string& to);

}  // namespace steer::auth
