#pragma once

// Test fixture of the provider tests: a region (its own SQLite store, keys shared through a
// directory) driven like a browser and a client would, on a fake clock. Test code only.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "steer/auth/crypto_util.h"
#include "steer/auth/form.h"
#include "steer/auth/provider.h"
#include "steer/auth/sqlite_store.h"
#include "steer/base/clock.h"

namespace steer::auth::testing {

namespace fs = std::filesystem;
inline constexpr char kSecret[] = "cli-secret-0123456789abcdef0123456789";
inline constexpr char kRedirect[] = "http://127.0.0.1:9/cb";
// A valid S256 pair: challenge = base64url(SHA-256(verifier)).
inline constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk";
inline constexpr char kChallenge[] = "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g";

// The value of a response header ("" if absent); the last one when it repeats.
inline std::string HeaderOf(const base::ServerResponse& r, const std::string& name) {
  std::string v;
  for (const auto& [k, val] : r.headers) {
    if (k == name) v = val;
  }
  return v;
}

// A query parameter of a redirect's Location.
inline std::string LocationParam(const base::ServerResponse& r, const std::string& name) {
  std::string loc = HeaderOf(r, "Location");
  size_t q = loc.find('?');
  auto params = ParseForm(q == std::string::npos ? "" : loc.substr(q + 1));
  return params ? Get(*params, name) : "";
}

// One region: its own store, keys shared through `dir`. `cli` is a confidential client with
// every user grant; alice's password is "alice-password-1".
struct Region {
  Region(const fs::path& dir, const std::string& db, const config::AuthdConfig& config,
         base::FakeClock& clock)
      : store(SqliteStore::Open((dir / db).string()).value()), hasher(HashParams{1024, 1, 1}, 2) {
    User alice{"alice", "sub-alice", hasher.Hash("alice-password-1").value(), "a@example.com", "A"};
    EXPECT_TRUE(store->AddUser(alice));
    Client cli;
    cli.client_id = "cli";
    cli.secret_hash = HexEncode(Sha256(kSecret));
    cli.grant_types = {"password", "refresh_token", "authorization_code"};
    cli.redirect_uris = {kRedirect};
    EXPECT_TRUE(store->PutClient(cli));
    provider = std::make_unique<Provider>(
        config, KeySet::LoadDir(dir.string()).value(),
        Sealer::LoadFile((dir / kAeadKeyFileName).string()).value(), *store, hasher, clock);
  }
  base::ServerResponse Post(const std::string& path, const std::string& body,
                            const std::string& ip = "10.0.0.1") {
    base::ServerRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.remote_ip = ip;
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    r.headers["authorization"] = "Basic " + Base64Encode(std::string("cli:") + kSecret);
    return provider->Handle(r);
  }
  base::ServerResponse Password(const std::string& pw, const std::string& ip = "10.0.0.1") {
    return Post("/token", "grant_type=password&username=alice&scope=openid&password=" + pw, ip);
  }
  base::ServerResponse Refresh(const std::string& rt) {
    return Post("/token", "grant_type=refresh_token&refresh_token=" + rt);
  }
  base::ServerResponse Redeem(const std::string& code) {
    return Post("/token", "grant_type=authorization_code&code=" + code + "&redirect_uri=" +
                              UrlEncode(kRedirect) + "&code_verifier=" + kVerifier);
  }
  // GET /authorize for `cli` with PKCE, the browser's cookies and `extra` parameters.
  base::ServerResponse Authorize(const std::string& extra) {
    base::ServerRequest r{"GET", "/authorize", AuthorizeQuery() + extra, {}, "", "10.0.0.1"};
    r.headers["cookie"] = CookieHeader();
    return Absorb(provider->Handle(r));
  }
  static std::string AuthorizeQuery() {
    return "client_id=cli&redirect_uri=" + UrlEncode(kRedirect) +
           "&response_type=code&scope=openid%20offline_access&code_challenge=" + kChallenge +
           "&code_challenge_method=S256";
  }
  // Posts the login form of `page` with alice's (or the given) credentials.
  base::ServerResponse SubmitLogin(const base::ServerResponse& page,
                                   const std::string& user = "alice",
                                   const std::string& pw = "alice-password-1") {
    base::ServerRequest r{"POST", "/login", "", {}, "", "10.0.0.1"};
    r.headers["cookie"] = CookieHeader();
    r.body = "req=" + Hidden(page, "req") + "&csrf=" + Hidden(page, "csrf") +
             "&username=" + UrlEncode(user) + "&password=" + UrlEncode(pw);
    return Absorb(provider->Handle(r));
  }
  // The whole login: authorize, form, redirect; returns the code ("" on failure).
  std::string LoginForCode(const std::string& extra = "&state=s") {
    auto page = Authorize(extra);
    EXPECT_EQ(page.status, 200) << page.body;
    auto back = SubmitLogin(page);
    EXPECT_EQ(back.status, 302) << back.body;
    return LocationParam(back, "code");
  }
  static std::string Hidden(const base::ServerResponse& page, const std::string& name) {
    std::smatch m;
    std::regex re("name=\"" + name + "\" value=\"([^\"]*)\"");
    return std::regex_search(page.body, m, re) ? m[1].str() : "";
  }
  std::string CookieHeader() const {
    std::string out;
    for (const auto& [k, v] : jar) out += (out.empty() ? "" : "; ") + k + "=" + v;
    return out;
  }
  base::ServerResponse Absorb(base::ServerResponse r) {
    for (const auto& [k, v] : r.headers) {
      if (k != "Set-Cookie") continue;
      size_t eq = v.find('='), semi = v.find(';');
      std::string value = v.substr(eq + 1, semi - eq - 1);
      if (value.empty()) {
        jar.erase(v.substr(0, eq));
      } else {
        jar[v.substr(0, eq)] = value;
      }
    }
    return r;
  }
  std::unique_ptr<SqliteStore> store;
  PasswordHasher hasher;
  std::unique_ptr<Provider> provider;
  std::map<std::string, std::string> jar;  // the browser's cookies
};

class ProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("steer-provider-" + RandomToken(6));
    ASSERT_TRUE(GenerateKeyDir(dir_.string()));
    config_.issuer = "http://127.0.0.1:1";
    config_.lockout = {3, 60};
    config_.logins_per_minute = 0;
    clock_.SetUnixSeconds(1'800'000'000);  // token lifetimes are counted from here
  }
  void TearDown() override { fs::remove_all(dir_); }
  static nlohmann::json Body(const base::ServerResponse& r) {
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  // The payload of a JWT, unverified.
  static nlohmann::json Claims(const std::string& jwt) {
    size_t a = jwt.find('.'), b = jwt.find('.', a + 1);
    return nlohmann::json::parse(Base64UrlDecode(jwt.substr(a + 1, b - a - 1)).value_or(""),
                                 nullptr, false);
  }
  fs::path dir_;
  config::AuthdConfig config_;
  base::FakeClock clock_;
};

}  // namespace steer::auth::testing
