// `steer-authd admin user ...` across the stores of one or more regions (--config repeated).
#include <algorithm>
#include <iostream>

#include "authd_admin.h"
#include "steer/auth/password_hasher.h"
#include "steer/auth/sqlite_store.h"
#include "steer/auth/user_admin.h"
#include "steer/base/clock.h"

namespace steer::auth {

int64_t LongestLifetime(const config::AuthdConfig& c) {
  return std::max({c.access_ttl, c.id_ttl, c.refresh_ttl, c.code_ttl, c.session_ttl}) + c.leeway;
}

namespace {

// One target per store: regions on one PostgreSQL database (the same store.postgres.dsn) share
// their users, so the change is made once there, with the longest revocation of them.
std::vector<UserTarget> Targets(const std::vector<AdminRegion>& regions) {
  std::vector<UserTarget> targets;
  std::vector<std::string> dsns;
  for (const AdminRegion& r : regions) {
    const std::string& dsn = r.config.postgres.dsn;
    auto same = dsn.empty() ? dsns.end() : std::find(dsns.begin(), dsns.end(), dsn);
    if (same != dsns.end()) {
      UserTarget& t = targets[same - dsns.begin()];
      t.revoke_for = std::max(t.revoke_for, LongestLifetime(r.config));
      continue;
    }
    targets.push_back({r.config_path, r.store.get(), LongestLifetime(r.config)});
    dsns.push_back(dsn);
  }
  return targets;
}

// User names end up in every sealed code, session and refresh token: bounded and printable.
bool ValidName(const std::string& name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

int Report(const Result<void>& r, const std::string& done) {
  if (!r) return AdminFail(r.error().message);
  std::cout << done << "\n";
  return 0;
}

int List(const std::vector<AdminRegion>& regions) {
  for (const AdminRegion& r : regions) {
    if (regions.size() > 1) std::cout << "# " << r.config_path << "\n";
    auto users = r.store->ListUsers();
    if (!users) return AdminFail(r.config_path + ": " + users.error().message);
    for (const auto& u : *users) {
      std::cout << u.username << "\t" << u.subject << "\t" << u.email << "\t"
                << (u.disabled ? "disabled" : "enabled") << "\n";
    }
  }
  return 0;
}

int Add(const std::vector<UserTarget>& targets, const config::AuthdConfig& config,
        const std::string& name, const po::variables_map& vm) {
  std::string password = ReadSecretLine("Password: ");
  if (password.size() < 8) return AdminFail("password must have at least 8 characters");
  PasswordHasher hasher(config.hashing, 1);
  auto hash = hasher.Hash(password);
  if (!hash) return AdminFail(hash.error().message);
  User u{name, vm.count("subject") ? vm["subject"].as<std::string>() : "", *hash,
         vm.count("email") ? vm["email"].as<std::string>() : "",
         vm.count("name") ? vm["name"].as<std::string>() : name};
  if (vm.count("subject") && u.subject.empty()) return AdminFail("--subject must not be empty");
  auto subject = AddUserEverywhere(targets, u);
  if (!subject) return AdminFail(subject.error().message);
  std::cout << "user " << name << " sub=" << *subject << "\n";
  return 0;
}

}  // namespace

int UserCommand(const std::vector<AdminRegion>& regions, const Strings& args,
                const po::variables_map& vm) {
  const std::string& verb = args[1];
  if (verb == "list") return List(regions);
  if (args.size() < 3) return AdminFail("user " + verb + " needs a NAME");
  const std::string& name = args[2];
  std::vector<UserTarget> targets = Targets(regions);
  int64_t now = base::UnixSeconds(base::SystemClock());
  if (verb == "add") {
    if (!ValidName(name)) return AdminFail("user names are 1-64 printable characters, no space");
    return Add(targets, regions.front().config, name, vm);
  }
  if (verb == "disable") return Report(DisableUserEverywhere(targets, name, now), "disabled");
  if (verb == "enable") return Report(EnableUserEverywhere(targets, name), "enabled");
  if (verb == "remove") return Report(RemoveUserEverywhere(targets, name, now), "removed");
  if (verb == "unlock") {
    for (const AdminRegion& r : regions) {
      if (auto u = r.store->ClearFailures("user:" + name); !u) {
        return AdminFail(r.config_path + ": " + u.error().message);
      }
    }
    return 0;
  }
  return AdminFail("unknown user command " + verb);
}

}  // namespace steer::auth
