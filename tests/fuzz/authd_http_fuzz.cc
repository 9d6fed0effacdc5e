// libFuzzer target: any bytes as an HTTP request to steer-authd: Boost.Beast's request parser
// with authd's default limits (16 KiB body, 8 KiB headers), base::ToServerRequest, then
// auth::Provider::Handle (every endpoint: discovery, JWKS, /authorize, /login, /token,
// /userinfo, /introspect, /revoke, /logout, CORS preflights) over a real SQLite store with one
// user (alice / alice-password-1) and one confidential client (cli / the secret below), fresh
// keys in a temporary directory and a fixed fake clock.
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "beast_request.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/key_set.h"
#include "steer/auth/password_hasher.h"
#include "steer/auth/provider.h"
#include "steer/auth/sealer.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/clock.h"
#include "steer/base/log.h"

namespace {

namespace auth = steer::auth;
namespace fs = std::filesystem;
std::string g_dir;

struct World {
  World() : hasher(auth::HashParams{1024, 1, 1}, 2) {
    (void)steer::base::ConfigureLogging("error", steer::base::LogOutput::kText);  // quiet
    char tmpl[] = "/tmp/steer-fuzz-authd-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) std::abort();
    g_dir = tmpl;
    std::atexit([] { fs::remove_all(g_dir); });
    if (!auth::GenerateKeyDir(g_dir)) std::abort();
    store = auth::SqliteStore::Open(g_dir + "/store.db").value();
    auth::User alice{"alice", "sub-alice", hasher.Hash("alice-password-1").value(), "a@example.com",
                     "A"};
    if (!store->AddUser(alice)) std::abort();
    auth::Client cli;
    cli.client_id = "cli";
    // Secret: cli-secret-0123456789abcdef0123456789 (Basic
    // Y2xpOmNsaS1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODk=)
    cli.secret_hash = auth::HexEncode(auth::Sha256("cli-secret-0123456789abcdef0123456789"));
    cli.grant_types = {"password", "refresh_token", "authorization_code", "client_credentials"};
    cli.redirect_uris = {"http://127.0.0.1:9/cb"};
    cli.web_origins = {"http://127.0.0.1:9"};
    cli.scopes = {"api"};
    if (!store->PutClient(cli)) std::abort();
    steer::config::AuthdConfig config;
    config.issuer = "http://127.0.0.1:1";
    config.lockout = {3, 60};
    config.logins_per_minute = 0;
    clock.SetUnixSeconds(1'800'000'000);
    provider = std::make_unique<auth::Provider>(
        config, auth::KeySet::LoadDir(g_dir).value(),
        auth::Sealer::LoadFile(g_dir + "/" + auth::kAeadKeyFileName).value(), *store, hasher,
        clock);
  }
  auth::PasswordHasher hasher;
  std::unique_ptr<auth::SqliteStore> store;
  steer::base::FakeClock clock;
  std::unique_ptr<auth::Provider> provider;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  auto req = steer::fuzz::ParseWithBeast(data, size, 16 * 1024, 8 * 1024);
  if (!req) return 0;
  steer::base::ServerResponse res = world->provider->Handle(*req);
  if (res.status < 100 || res.status > 599) std::abort();
  return 0;
}
