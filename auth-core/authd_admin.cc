#include "authd_admin.h"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "authd_admin_store.h"
#include "authd_admin_tenant.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/key_set.h"
#include "steer/auth/password_hasher.h"
#include "steer/auth/provider.h"
#include "steer/auth/scoped_store.h"
#include "steer/auth/store_factory.h"
#include "steer/auth/web_origin.h"
#include "steer/base/option_error.h"
#include "steer/config/authd_config.h"

namespace steer::auth {
namespace {

constexpr char kUsage[] = R"(Usage: steer-authd admin [--config FILE]... COMMAND
  user add NAME [--email E] [--name N] [--subject S]   password read from stdin
  user list | user disable NAME | user enable NAME | user remove NAME | user unlock NAME
      user commands apply to the store of every --config (one per region) in one run
  ip unlock ADDRESS
  client add ID [--redirect-uri U]... [--post-logout-uri U]... [--grant G]...
                [--scope S]... [--audience A] [--alg ES256|RS256] [--id-token-alg RS256|ES256]
                [--public] [--secret-stdin]
                [--web-origin https://app.example.com]...   browser origins allowed CORS
  client list | client remove ID
  keys generate [--dir D] | keys rotate [--dir D]
  tenant add NAME [--display-name N] [--logo-url U] [--primary-color C] [--background-color C]
  tenant list | tenant remove NAME
  store migrate | store status             schema of store.postgres
  store copy --from sqlite:PATH --to postgres   users, retired subjects and clients, idempotent
  --tenant NAME scopes user, client, ip and keys commands to that tenant.
Exit codes: 0 ok, 1 failed, 2 usage.
)";

}  // namespace

std::string ReadSecretLine(const char* prompt) {
  bool tty = isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int AdminFail(const std::string& msg) {
  std::cerr << "steer-authd admin: " << msg << "\n";
  return 1;
}

namespace {

Strings Many(const po::variables_map& vm, const char* key) {
  return vm.count(key) ? vm[key].as<Strings>() : Strings{};
}

int ListClients(Store& store) {
  auto clients = store.ListClients();
  if (!clients) return AdminFail(clients.error().message);
  for (const auto& c : *clients) {
    std::cout << c.client_id << "\t" << (c.is_public() ? "public" : "confidential");
    for (const auto& g : c.grant_types) std::cout << "\t" << g;
    for (const auto& o : c.web_origins) std::cout << "\torigin=" << o;
    if (c.id_token_alg != "RS256") std::cout << "\tid_token_alg=" << c.id_token_alg;
    std::cout << "\n";
  }
  return 0;
}

// Longer client ids and redirect URIs could never be sent to /authorize.
bool FitsAuthorize(const Client& c) {
  bool fits = c.client_id.size() <= kMaxAuthorizeParamBytes;
  for (const std::string& u : c.redirect_uris) fits = fits && u.size() <= kMaxAuthorizeParamBytes;
  return fits;
}

int ClientCommand(Store& store, const Strings& args, const po::variables_map& vm) {
  const std::string& verb = args[1];
  if (verb == "list") return ListClients(store);
  if (args.size() < 3) return AdminFail("client " + verb + " needs an ID");
  if (verb == "remove") {
    auto removed = store.RemoveClient(args[2]);
    if (!removed) return AdminFail(removed.error().message);
    return *removed ? 0 : AdminFail("no such client");
  }
  if (verb != "add") return AdminFail("unknown client command " + verb);
  Client c;
  c.client_id = args[2];
  c.redirect_uris = Many(vm, "redirect-uri");
  if (!FitsAuthorize(c)) {
    return AdminFail("client ids and redirect URIs are at most " +
                     std::to_string(kMaxAuthorizeParamBytes) + " bytes");
  }
  c.post_logout_redirect_uris = Many(vm, "post-logout-uri");
  c.grant_types = Many(vm, "grant");
  c.scopes = Many(vm, "scope");
  if (c.grant_types.empty()) c.grant_types = {"authorization_code", "refresh_token"};
  c.audience = vm.count("audience") ? vm["audience"].as<std::string>() : "";
  c.access_token_alg = vm.count("alg") ? vm["alg"].as<std::string>() : "ES256";
  if (!ParseAlg(c.access_token_alg)) return AdminFail("--alg must be ES256 or RS256");
  c.id_token_alg = vm.count("id-token-alg") ? vm["id-token-alg"].as<std::string>() : "RS256";
  if (!ParseAlg(c.id_token_alg)) return AdminFail("--id-token-alg must be RS256 or ES256");
  for (const auto& o : Many(vm, "web-origin")) {
    auto origin = NormalizeWebOrigin(o);
    if (!origin) return AdminFail("--web-origin: " + origin.error().message);
    if (std::find(c.web_origins.begin(), c.web_origins.end(), *origin) == c.web_origins.end()) {
      c.web_origins.push_back(*origin);
    }
  }
  std::string secret;
  if (!vm.count("public")) {
    secret = vm.count("secret-stdin") ? ReadSecretLine("Client secret: ") : RandomToken(32);
    if (secret.size() < 32) return AdminFail("client secret must have at least 32 characters");
    c.secret_hash = HexEncode(Sha256(secret));
  }
  if (auto r = store.PutClient(c); !r) return AdminFail(r.error().message);
  // Shown once, to the operator who asked for it; it is not stored anywhere in clear.
  if (!vm.count("public") && !vm.count("secret-stdin"))
    std::cout << "client_secret " << secret << "\n";
  return 0;
}

int KeysCommand(const std::string& dir, const std::string& verb) {
  if (dir.empty()) return AdminFail("keys needs --dir or --config");
  auto done =
      verb == "generate" ? GenerateKeyDir(dir)
      : verb == "rotate"
          ? RotateKeyDir(dir)
          : Result<Strings>(MakeError(ErrorCode::kInvalidArgument, "unknown keys command " + verb));
  if (!done) return AdminFail(done.error().message);
  for (const auto& f : *done) std::cout << f << "\n";
  return 0;
}

config::Branding BrandingOptions(const po::variables_map& vm) {
  auto get = [&](const char* key) {
    return vm.count(key) ? vm[key].as<std::string>() : std::string();
  };
  return {get("display-name"), get("logo-url"), get("primary-color"), get("background-color")};
}

// Loads every --config and opens its store, seen as `tenant`'s (or, for "", the top-level
// issuer's) view; nothing is changed when any of them fails.
Result<std::vector<AdminRegion>> LoadRegions(const Strings& paths, const std::string& tenant) {
  std::vector<AdminRegion> regions;
  for (const std::string& path : paths) {
    auto loaded = config::LoadAuthdConfig(path);
    if (!loaded) {
      std::string msg;
      for (const auto& d : loaded.error()) msg += "\n" + d.ToString();
      return MakeError(ErrorCode::kInvalidArgument, path + ": invalid config" + msg);
    }
    if (!tenant.empty()) {
      if (auto dir = ExistingTenantDir(*loaded, tenant); !dir) {
        return MakeError(dir.error().code, path + ": " + dir.error().message);
      }
      loaded->issuer = config::TenantIssuer(*loaded, tenant);
    }
    if (!regions.empty() && loaded->issuer != regions.front().config.issuer) {
      return MakeError(ErrorCode::kInvalidArgument,
                       path + ": another issuer than " + regions.front().config_path);
    }
    auto store = OpenStore(*loaded, StoreUse::kAdmin);
    if (!store) return MakeError(store.error().code, path + ": " + store.error().message);
    std::shared_ptr<Store> db = std::move(*store);
    auto view = std::make_unique<ScopedStore>(db, tenant);
    regions.push_back({path, *loaded, std::move(db), std::move(view)});
  }
  return regions;
}

std::string KeysDir(const AdminRegion* region, const std::string& tenant,
                    const po::variables_map& vm) {
  if (vm.count("dir")) return vm["dir"].as<std::string>();
  if (region == nullptr) return "";
  if (tenant.empty()) return region->config.keys_dir;
  return config::TenantKeysDir(region->config, tenant);
}

int RunCommand(const Strings& args, const po::variables_map& vm) {
  std::string tenant = vm.count("tenant") ? vm["tenant"].as<std::string>() : "";
  auto regions = LoadRegions(Many(vm, "config"), tenant);
  if (!regions) return AdminFail(regions.error().message);
  if (args[0] == "keys") {
    return KeysCommand(KeysDir(regions->empty() ? nullptr : &regions->front(), tenant, vm),
                       args[1]);
  }
  if (regions->empty()) return AdminFail("--config is required for " + args[0]);
  if (args.size() > 2 && args[2].find('/') != std::string::npos &&
      (args[0] == "user" || args[0] == "client")) {
    return AdminFail("names must not contain '/' (it separates a tenant from its names)");
  }
  if (args[0] == "user") return UserCommand(*regions, args, vm);
  if (regions->size() > 1) return AdminFail("only user commands take several --config");
  AdminRegion& region = regions->front();
  if (args[0] == "store") {
    if (!tenant.empty()) return AdminFail("store commands take no --tenant");
    return StoreCommand(region.config, args, vm.count("from") ? vm["from"].as<std::string>() : "",
                        vm.count("to") ? vm["to"].as<std::string>() : "");
  }
  if (args[0] == "tenant") {
    if (!tenant.empty()) return AdminFail("tenant commands take no --tenant");
    return TenantCommand(region.config, *region.db, args, BrandingOptions(vm));
  }
  if (args[0] == "client") return ClientCommand(*region.store, args, vm);
  if (args[0] == "ip" && args[1] == "unlock" && args.size() == 3) {
    auto r = region.store->ClearFailures("ip:" + args[2]);
    return r ? 0 : AdminFail(r.error().message);
  }
  std::cerr << kUsage;
  return 2;
}

}  // namespace

int RunAdmin(int argc, char** argv) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "help")("config,c", po::value<Strings>(), "authd config")(
      "dir", po::value<std::string>(), "key directory")("email", po::value<std::string>(), "")(
      "name", po::value<std::string>(), "")("subject", po::value<std::string>(), "")(
      "redirect-uri", po::value<Strings>(), "")("post-logout-uri", po::value<Strings>(), "")(
      "grant", po::value<Strings>(), "")("scope", po::value<Strings>(), "")(
      "audience", po::value<std::string>(), "")("alg", po::value<std::string>(), "")(
      "id-token-alg", po::value<std::string>(), "")("public", "")(
      "web-origin", po::value<Strings>(), "")("secret-stdin", "")("args", po::value<Strings>(), "")(
      "tenant", po::value<std::string>(), "")("display-name", po::value<std::string>(), "")(
      "logo-url", po::value<std::string>(), "")("primary-color", po::value<std::string>(), "")(
      "background-color", po::value<std::string>(), "")("from", po::value<std::string>(), "")(
      "to", po::value<std::string>(), "");
  po::positional_options_description pos;
  pos.add("args", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
  } catch (po::error& e) {
    std::cerr << steer::base::OptionErrorText(e) << "\n" << kUsage;
    return 2;
  }
  Strings args = Many(vm, "args");
  if (vm.count("help") || args.size() < 2) {
    std::cout << kUsage;
    return vm.count("help") ? 0 : 2;
  }
  return RunCommand(args, vm);
}

}  // namespace steer::auth
