#include "authd_admin_tenant.h"

#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "authd_admin.h"
#include "steer/auth/key_set.h"
#include "steer/auth/scoped_store.h"

namespace steer::auth {
namespace {

namespace fs = std::filesystem;

Result<void> WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return MakeError(ErrorCode::kIo, "cannot write " + path.string());
  return {};
}

// The tenant's directory is built under a dot-name (ignored by the server) and renamed into
// place, so a server reloading meanwhile sees the whole tenant or none of it.
Result<void> CreateTenantDir(const fs::path& dir, const std::string& yaml) {
  fs::path staging =
      dir.parent_path() / ("." + dir.filename().string() + ".adding-" + std::to_string(getpid()));
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec)
    return MakeError(ErrorCode::kIo, "cannot create " + staging.string() + ": " + ec.message());
  auto keys = GenerateKeyDir((staging / config::kTenantKeysDirName).string());
  Result<void> written = keys ? WriteFile(staging / config::kTenantFileName, yaml)
                              : Result<void>(tl::unexpected(keys.error()));
  if (written) {
    fs::rename(staging, dir, ec);  // refuses an existing non-empty directory
    if (ec)
      written = MakeError(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
  }
  if (!written) fs::remove_all(staging, ec);
  return written;
}

int Add(const config::AuthdConfig& config, const std::string& name,
        const config::Branding& branding) {
  config::TenantConfig tenant;
  tenant.name = name;
  tenant.branding = branding;
  if (tenant.branding.display_name.empty()) tenant.branding.display_name = name;
  tenant.lockout = config.lockout;
  // The file written is checked by the same reader the server uses before it is written.
  std::string yaml = config::TenantConfigYaml(tenant, config.lockout);
  auto parsed = config::ParseTenantConfig(yaml, "tenant " + name, name, config.lockout);
  if (!parsed) {
    for (const auto& d : parsed.error()) std::cerr << d.ToString() << "\n";
    return 1;
  }
  fs::path dir = fs::path(config.tenants_dir) / name;
  std::error_code ec;
  if (fs::exists(dir, ec)) return AdminFail("tenant " + name + " already exists");
  fs::create_directories(config.tenants_dir, ec);
  if (auto r = CreateTenantDir(dir, yaml); !r) return AdminFail(r.error().message);
  std::cout << "tenant " << name << " issuer=" << config::TenantIssuer(config, name) << "\n"
            << "copy " << dir.string() << " to every region, then reload steer-authd (SIGHUP)\n";
  return 0;
}

int List(const config::AuthdConfig& config) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(config.tenants_dir, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_directory() && name[0] != '.') names.push_back(name);
  }
  if (ec) return AdminFail("cannot list " + config.tenants_dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    auto t =
        config::LoadTenantConfig((fs::path(config.tenants_dir) / name).string(), config.lockout);
    std::cout << name << "\t" << config::TenantIssuer(config, name) << "\t"
              << (t ? t->branding.display_name : "(invalid tenant.yaml)") << "\n";
  }
  return 0;
}

// Users and clients go from this region's store; codes, tokens and sessions die with the keys.
Result<size_t> PurgeTenant(Store& store, const std::string& name) {
  ScopedStore scoped(store, name);
  size_t removed = 0;
  auto users = scoped.ListUsers();
  if (!users) return tl::unexpected(users.error());
  for (const auto& u : *users) {
    // Its tokens already fail (the tenant's keys are gone); the subject stays retired.
    auto r = scoped.EndUser(u.username, /*remove=*/true, u.generation + 1, std::time(nullptr));
    if (!r) return tl::unexpected(r.error());
    ++removed;
  }
  auto clients = scoped.ListClients();
  if (!clients) return tl::unexpected(clients.error());
  for (const auto& c : *clients) {
    if (auto r = scoped.RemoveClient(c.client_id); !r) return tl::unexpected(r.error());
    ++removed;
  }
  return removed;
}

int Remove(const config::AuthdConfig& config, Store& store, const std::string& name) {
  auto dir = ExistingTenantDir(config, name);
  if (!dir) return AdminFail(dir.error().message);
  // Kept under a dot-name (never loaded) so an operator can still read what was removed.
  fs::path parked = fs::path(config.tenants_dir) /
                    ("." + name + ".removed-" + std::to_string(std::time(nullptr)));
  std::error_code ec;
  fs::rename(*dir, parked, ec);
  if (ec) return AdminFail("cannot move " + *dir + ": " + ec.message());
  auto purged = PurgeTenant(store, name);
  if (!purged)
    return AdminFail("tenant directory removed, but its store entries were not: " +
                     purged.error().message);
  std::cout << "tenant " << name << " removed (" << *purged << " users and clients; files kept in "
            << parked.string()
            << ")\nremove it in every region, then reload steer-authd (SIGHUP)\n";
  return 0;
}

}  // namespace

Result<std::string> ExistingTenantDir(const config::AuthdConfig& config, const std::string& name) {
  if (config.tenants_dir.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "the config has no tenants.dir");
  }
  if (std::string problem = config::TenantNameProblem(name); !problem.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "tenant name '" + name + "' " + problem);
  }
  fs::path dir = fs::path(config.tenants_dir) / name;
  std::error_code ec;
  if (!fs::exists(dir / config::kTenantFileName, ec)) {
    return MakeError(ErrorCode::kNotFound, "no tenant " + name + " in " + config.tenants_dir);
  }
  return dir.string();
}

int TenantCommand(const config::AuthdConfig& config, Store& store,
                  const std::vector<std::string>& args, const config::Branding& branding) {
  if (config.tenants_dir.empty()) return AdminFail("the config has no tenants.dir");
  const std::string& verb = args[1];
  if (verb == "list") return List(config);
  if (args.size() != 3) return AdminFail("tenant " + verb + " needs a NAME");
  if (std::string problem = config::TenantNameProblem(args[2]); !problem.empty()) {
    return AdminFail("tenant name '" + args[2] + "' " + problem);
  }
  if (verb == "add") return Add(config, args[2], branding);
  if (verb == "remove") return Remove(config, store, args[2]);
  return AdminFail("unknown tenant command " + verb);
}

}  // namespace steer::auth
