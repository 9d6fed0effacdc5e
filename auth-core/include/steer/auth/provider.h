#pragma once

// The OpenID Provider: every endpoint as a function base::ServerRequest -> base::ServerResponse,
// independent of the transport. Codes, refresh tokens, the pending authorization request and the
// SSO session are sealed with the shared AEAD key, so any region with the same keys answers any
// request; the Store only keeps what must be unique (single use, revocation, lockouts).
// Handle() is thread-safe: members are immutable after construction and the Store, hasher,
// throttles and StoreHealth are thread-safe.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "steer/auth/client_cache.h"
#include "steer/auth/form.h"
#include "steer/auth/ip_throttle.h"
#include "steer/auth/key_set.h"
#include "steer/auth/password_hasher.h"
#include "steer/auth/sealer.h"
#include "steer/auth/store.h"
#include "steer/auth/store_health.h"
#include "steer/auth/verified_token_cache.h"
#include "steer/auth/web_origin.h"
#include "steer/base/clock.h"
#include "steer/base/http_server.h"
#include "steer/config/authd_config.h"
#include "steer/config/tenant_config.h"

namespace steer::auth {

// The largest value of any /authorize parameter, in bytes after %-decoding; beyond it the
// request is refused (invalid_request naming the parameter). It keeps the sealed request,
// code, refresh token and session within the sealer's size limit.
inline constexpr size_t kMaxAuthorizeParamBytes = 512;

class Provider {
 public:
  // `branding` styles the login page (a tenant's; the default is plain). The issuer's path
  // (e.g. /t/acme) prefixes the login form's target and the cookies' Path.
  Provider(config::AuthdConfig config, KeySet keys, Sealer sealer, Store& store,
           PasswordHasher& hasher, const base::Clock& clock, config::Branding branding = {});

  base::ServerResponse Handle(const base::ServerRequest& req) { return Handle(req, req.path); }
  // `path` is the request's path below the issuer's (a tenant router strips /t/<tenant>).
  base::ServerResponse Handle(const base::ServerRequest& req, std::string_view path);

 private:
  // What a code, refresh token or session stands for.
  struct Grant {
    std::string sub;
    std::string username;
    std::string client_id;
    std::string scope;
    std::string nonce;
    std::string sid;
    std::string family;  // refresh family; also the id revoked on code replay
    int64_t auth_time = 0;
    int64_t generation = 0;  // of the refresh token about to be issued
    int64_t user_gen = 0;    // User::generation at login; see UserRevocationId
    // The ids whose revocation ends this grant: its session and its user's generation.
    std::vector<std::string> RevocationIds() const;
  };
  enum class PasswordCheck { kOk, kBad, kBlocked, kDisabled };

  base::ServerResponse Route(const base::ServerRequest& req, std::string_view path);
  base::ServerResponse Dispatch(const base::ServerRequest& req, std::string_view path);
  base::ServerResponse Ready();
  Result<Client> AuthenticateClient(const base::ServerRequest& req, const Params& form,
                                    bool allow_public);
  PasswordCheck CheckPassword(const std::string& username, const std::string& password,
                              const std::string& ip, User* user);
  bool LoginThrottled(const std::string& ip);

  // provider_cors.cc
  // OPTIONS on a CORS endpoint whose methods are `methods`.
  base::ServerResponse Preflight(const base::ServerRequest& req, const char* methods);
  // `r` with Access-Control-Allow-Origin (the request's exact Origin) when `allowed`.
  static base::ServerResponse WithCors(const base::ServerRequest& req, bool allowed,
                                       base::ServerResponse r);
  bool AnyClientAllows(const base::ServerRequest& req);  // the origin index
  static bool ClientAllows(const Client& client, const base::ServerRequest& req);

  // provider_authorize.cc
  base::ServerResponse Authorize(const base::ServerRequest& req);
  // After every parameter is checked: SSO through the session cookie, or the login form.
  base::ServerResponse AuthorizeChecked(const base::ServerRequest& req, const Params& params);

  // provider_login.cc
  base::ServerResponse Login(const base::ServerRequest& req);
  base::ServerResponse LoginPage(int status, const std::string& sealed_request,
                                 const std::string& csrf, const std::string& message) const;
  base::ServerResponse RedirectWithCode(const nlohmann::json& areq, const Grant& grant);
  std::optional<Grant> SessionFromCookie(const base::ServerRequest& req);
  std::string SessionCookie(const Grant& grant, int64_t max_age);

  // provider_token.cc
  base::ServerResponse Token(const base::ServerRequest& req);
  base::ServerResponse TokenFor(const Client& client, const Params& form, const std::string& ip);
  base::ServerResponse CodeGrant(const Client& client, const Params& form);
  base::ServerResponse RefreshGrant(const Client& client, const Params& form);
  base::ServerResponse ClientCredentialsGrant(const Client& client, const Params& form);
  base::ServerResponse PasswordGrant(const Client& client, const Params& form,
                                     const std::string& ip);

  // provider_issue.cc
  // A refresh token is included when `refresh_tid` is not empty.
  base::ServerResponse IssueTokens(const Client& client, const Grant& grant,
                                   const std::string& refresh_tid, int64_t refresh_exp);
  // Starts a refresh family for a new grant; returns the token id ("" = no refresh token).
  Result<std::string> StartRefresh(const Client& client, const Grant& grant, int64_t exp);
  Result<std::string> AccessToken(const Grant& grant, const nlohmann::json& audience,
                                  const std::string& alg);
  Result<std::string> IdToken(const Client& client, const Grant& grant);
  // The verified, unrevoked token meant for `audience` (any when empty), or nullptr.
  std::shared_ptr<const VerifiedToken> VerifyAccessToken(const std::string& token,
                                                         const std::string& audience);
  // VerifyAccessToken's checks after the signature (or the cache): audience, nbf, revocation.
  bool ClaimsUsable(const VerifiedToken& token, const std::string& audience, int64_t now);
  std::optional<nlohmann::json> OpenSealed(const char* purpose, const std::string& value);

  // provider_resource.cc
  base::ServerResponse UserInfo(const base::ServerRequest& req);
  // Sets `client_id` once the access token verified: the client it was issued to.
  base::ServerResponse UserInfoFor(const base::ServerRequest& req,
                                   std::optional<std::string>& client_id);
  base::ServerResponse Introspect(const base::ServerRequest& req);
  base::ServerResponse Revoke(const base::ServerRequest& req);
  base::ServerResponse RevokeFor(const Client& client, const Params& form);
  base::ServerResponse Logout(const base::ServerRequest& req);

  config::AuthdConfig config_;
  KeySet keys_;
  Sealer sealer_;
  Store& store_;
  PasswordHasher& hasher_;
  const base::Clock& clock_;
  ClientCache clients_;
  WebOriginIndex origins_;  // every client's web origins, for preflights
  VerifiedTokenCache verified_;
  IpThrottle request_throttle_;
  IpThrottle login_throttle_;
  StoreHealth store_health_;  // /healthz/ready
  config::Branding branding_;
  std::string base_path_;  // the issuer's path, "" or e.g. "/t/acme"
  std::string discovery_json_;
  std::string jwks_json_;
};

// The methods a browser may use on `path` cross-origin ("POST", "GET, POST"), or nullptr for
// an endpoint that never answers CORS (/authorize, /login, /logout, ...). provider_cors.cc.
const char* CorsMethods(std::string_view path);

// The options steer-authd serves its Provider with: listen address, threads, limits and TLS
// from the config, a 30 s read timeout, and plain HTTP refused off loopback.
base::HttpServerOptions AuthdServerOptions(const config::AuthdConfig& config);

}  // namespace steer::auth
