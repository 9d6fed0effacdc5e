#pragma once

// Helpers shared by PgServer and PatroniCluster (private to tests/support).

#include <cstddef>
#include <string>
#include <vector>

#include "steer/config/authd_config.h"

namespace steer::testsupport::internal {

// `length` random characters from [a-z0-9].
std::string RandomName(size_t length);
// argv run with a clean environment (env -i, PATH and LANG only) and, as root, as the postgres
// user (setpriv, which execs: the PID stays the program's).
std::vector<std::string> AsPostgres(std::vector<std::string> argv);
// As root: chown `path` to postgres; otherwise nothing.
void ChownToPostgres(const std::string& path);
// steer-authd's store settings for a test: `dsn`, the password by file reference, and 2 s
// connect and statement timeouts (a test fails fast rather than hangs).
config::PostgresConfig StoreConfig(const std::string& dsn, const std::string& password_file);

}  // namespace steer::testsupport::internal
