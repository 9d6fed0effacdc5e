#pragma once

// `steer-authd admin ...`: users, clients, keys and tenants. argv[0] is "admin".
// Passwords and client secrets are read from standard input, never from argv.

#include <boost/program_options.hpp>
#include <memory>
#include <string>
#include <vector>

#include "steer/auth/scoped_store.h"
#include "steer/auth/sqlite_store.h"
#include "steer/config/authd_config.h"

namespace steer::auth {

int RunAdmin(int argc, char** argv);

// Shared by the admin command files.
namespace po = boost::program_options;
using Strings = std::vector<std::string>;

// One region as the admin sees it: a --config file, the store it names, and the view of
// that store the command works on (the --tenant's, else the top-level issuer's). With
// --tenant, `config.issuer` is the tenant's issuer.
struct AdminRegion {
  std::string config_path;
  config::AuthdConfig config;
  std::shared_ptr<Store> db;           // the whole store (tenant commands)
  std::unique_ptr<ScopedStore> store;  // shares ownership of `db`
};

// The longest any token, code or session of a region lives, plus the leeway: how long a
// user's revocation must be kept.
int64_t LongestLifetime(const config::AuthdConfig& c);
// Prints "steer-authd admin: MSG" to stderr; returns exit code 1.
int AdminFail(const std::string& msg);
// One line from stdin without its newline; echo is off when stdin is a terminal.
std::string ReadSecretLine(const char* prompt);
// `user ...` applied to every region's store (authd_admin_user.cc).
int UserCommand(const std::vector<AdminRegion>& regions, const Strings& args,
                const po::variables_map& vm);

}  // namespace steer::auth
