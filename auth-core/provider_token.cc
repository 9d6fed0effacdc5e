// /token: authorization_code, refresh_token, client_credentials and password grants.
#include "provider_util.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/provider.h"
#include "steer/base/log.h"

namespace steer::auth {
namespace {

base::ServerResponse InvalidGrant(const std::string& why) {
  return OAuthError(400, "invalid_grant", why);
}

// RFC 7636 §4.6 with S256 only.
bool PkceMatches(const std::string& verifier, const std::string& challenge) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  return ConstantTimeEquals(Base64UrlEncode(Sha256(verifier)), challenge);
}

}  // namespace

base::ServerResponse Provider::Token(const base::ServerRequest& req) {
  if (req.Header("content-type").rfind("application/x-www-form-urlencoded", 0) != 0) {
    return OAuthError(400, "invalid_request", "form body required");
  }
  auto form = ParseForm(req.body);
  if (!form) return OAuthError(400, "invalid_request", "malformed or repeated parameters");
  std::string grant = Get(*form, "grant_type");
  bool public_ok = grant == "authorization_code" || grant == "refresh_token";
  auto client = AuthenticateClient(req, *form, public_ok);
  if (!client) {
    if (client.error().code == ErrorCode::kInvalidArgument) {
      return OAuthError(400, "invalid_request", client.error().message);
    }
    if (client.error().code == ErrorCode::kUnavailable) {
      return OAuthError(503, "temporarily_unavailable", "store unavailable");
    }
    return OAuthError(401, "invalid_client", "client authentication failed");
  }
  // CORS only for an origin this very client registered (the body names the client).
  return WithCors(req, ClientAllows(*client, req), TokenFor(*client, *form, req.remote_ip));
}

base::ServerResponse Provider::TokenFor(const Client& client, const Params& form,
                                        const std::string& ip) {
  std::string grant = Get(form, "grant_type");
  if (grant.empty()) return OAuthError(400, "invalid_request", "grant_type missing");
  if (!client.AllowsGrant(grant)) {
    return OAuthError(400,
                      grant == "authorization_code" || grant == "refresh_token" ||
                              grant == "client_credentials" || grant == "password"
                          ? "unauthorized_client"
                          : "unsupported_grant_type",
                      "grant not allowed for this client");
  }
  if (grant == "authorization_code") return CodeGrant(client, form);
  if (grant == "refresh_token") return RefreshGrant(client, form);
  if (grant == "client_credentials") return ClientCredentialsGrant(client, form);
  if (grant == "password") return PasswordGrant(client, form, ip);
  return OAuthError(400, "unsupported_grant_type", "unsupported grant_type");
}

base::ServerResponse Provider::CodeGrant(const Client& client, const Params& form) {
  auto code = OpenSealed("code", Get(form, "code"));
  int64_t now = base::UnixSeconds(clock_);
  if (!code || (*code)["exp"].get<int64_t>() < now) return InvalidGrant("invalid or expired code");
  if ((*code)["cid"] != client.client_id) return InvalidGrant("code was issued to another client");
  if ((*code)["ruri"] != Get(form, "redirect_uri")) return InvalidGrant("redirect_uri mismatch");
  std::string challenge = (*code)["cc"], verifier = Get(form, "code_verifier");
  if (challenge.empty() ? !verifier.empty() : !PkceMatches(verifier, challenge)) {
    return InvalidGrant("PKCE verification failed");
  }
  std::string jti = (*code)["jti"];
  Grant g;
  g.sub = (*code)["sub"];
  g.username = (*code)["usr"];
  g.sid = (*code)["sid"];
  g.user_gen = code->value("ug", int64_t{0});
  auto revoked = store_.IsRevoked(g.RevocationIds());
  if (!revoked) return OAuthError(503, "temporarily_unavailable", "store unavailable");
  if (*revoked) return InvalidGrant("session ended or user disabled");
  auto first = store_.ConsumeOnce(jti, (*code)["exp"].get<int64_t>() + config_.leeway);
  if (!first) return OAuthError(503, "temporarily_unavailable", "store unavailable");
  if (!*first) {
    // A replayed code means it leaked: revoke everything issued from it (RFC 6749 §4.1.2).
    (void)store_.Revoke(jti, now + config_.refresh_ttl);
    base::Logger("auth")->warn("code replay client={}; its tokens are revoked",
                               ForLog(client.client_id));
    return InvalidGrant("code already used");
  }
  g.client_id = client.client_id;
  g.scope = (*code)["scope"];
  g.nonce = (*code)["nonce"];
  g.family = jti;
  g.auth_time = (*code)["at"];
  auto tid = StartRefresh(client, g, now + config_.refresh_ttl);
  if (!tid) return OAuthError(503, "temporarily_unavailable", "store unavailable");
  return IssueTokens(client, g, *tid, now + config_.refresh_ttl);
}

base::ServerResponse Provider::RefreshGrant(const Client& client, const Params& form) {
  auto rt = OpenSealed("refresh", Get(form, "refresh_token"));
  int64_t now = base::UnixSeconds(clock_);
  if (!rt || (*rt)["exp"].get<int64_t>() < now) return InvalidGrant("invalid or expired token");
  if ((*rt)["cid"] != client.client_id) return InvalidGrant("token was issued to another client");
  Grant g;
  g.sub = (*rt)["sub"];
  g.username = (*rt)["usr"];
  g.client_id = client.client_id;
  g.scope = (*rt)["scope"];
  g.sid = (*rt)["sid"];
  g.family = (*rt)["fam"];
  g.auth_time = (*rt)["at"];
  g.user_gen = rt->value("ug", int64_t{0});
  int64_t exp = (*rt)["exp"];  // the family keeps its absolute lifetime across rotations
  auto revoked = store_.IsRevoked(g.RevocationIds());
  if (!revoked) return OAuthError(503, "temporarily_unavailable", "store unavailable");
  if (*revoked) return InvalidGrant("session ended or user disabled");
  std::string next = RandomToken(16);
  int64_t gen = (*rt)["gen"];
  g.generation = gen + 1;
  auto outcome = store_.RotateRefresh(g.family, (*rt)["tid"].get<std::string>(), gen, next, exp);
  if (!outcome) return OAuthError(503, "temporarily_unavailable", "store unavailable");
  if (*outcome == RefreshOutcome::kReused) {
    base::Logger("auth")->warn("refresh token reuse client={}; family revoked",
                               ForLog(client.client_id));
    return InvalidGrant("refresh token reused; all tokens of this grant are revoked");
  }
  if (*outcome == RefreshOutcome::kRevoked) return InvalidGrant("token revoked");
  return IssueTokens(client, g, next, exp);
}

base::ServerResponse Provider::ClientCredentialsGrant(const Client& client, const Params& form) {
  if (client.is_public()) return OAuthError(401, "invalid_client", "confidential client required");
  std::string scope = Get(form, "scope");
  std::string granted;
  for (const auto& s : client.scopes) {
    if (scope.empty() || HasScope(scope, s)) granted += (granted.empty() ? "" : " ") + s;
  }
  for (std::string_view one : SplitScope(scope)) {
    if (!HasScope(granted, one)) return OAuthError(400, "invalid_scope", "scope not allowed");
  }
  std::string audience = client.audience.empty() ? config_.issuer : client.audience;
  if (form.count("resource") && Get(form, "resource") != audience) {
    return OAuthError(400, "invalid_target", "unknown resource");
  }
  Grant g;
  g.sub = client.client_id;
  g.client_id = client.client_id;
  g.scope = granted;
  auto at = AccessToken(g, audience, client.access_token_alg);
  if (!at) return OAuthError(500, "server_error", "signing failed");
  nlohmann::json body(nlohmann::json::value_t::object);
  body["access_token"] = std::move(*at);
  body["token_type"] = "Bearer";
  body["expires_in"] = config_.access_ttl;
  if (!granted.empty()) body["scope"] = granted;
  return JsonResponse(200, body);
}

base::ServerResponse Provider::PasswordGrant(const Client& client, const Params& form,
                                             const std::string& ip) {
  if (LoginThrottled(ip)) {
    return OAuthError(429, "slow_down", "too many attempts").With("Retry-After", "60");
  }
  std::string username = Get(form, "username");
  if (username.empty() || !form.count("password")) {
    return OAuthError(400, "invalid_request", "username and password required");
  }
  User user;
  switch (CheckPassword(username, Get(form, "password"), ip, &user)) {
    case PasswordCheck::kBlocked:
      return InvalidGrant("account or address temporarily blocked");
    case PasswordCheck::kBad:
      return InvalidGrant("wrong username or password");
    case PasswordCheck::kDisabled:
      return InvalidGrant("account disabled");
    case PasswordCheck::kOk:
      break;
  }
  Grant g;
  g.sub = user.subject;
  g.username = user.username;
  g.user_gen = user.generation;
  g.client_id = client.client_id;
  std::string scope = Get(form, "scope");
  for (const char* s : {"openid", "profile", "email", "offline_access"}) {
    if (HasScope(scope, s)) g.scope += (g.scope.empty() ? "" : " ") + std::string(s);
  }
  g.family = RandomToken(16);
  g.auth_time = base::UnixSeconds(clock_);
  int64_t exp = g.auth_time + config_.refresh_ttl;
  auto tid = StartRefresh(client, g, exp);
  if (!tid) return OAuthError(503, "temporarily_unavailable", "store unavailable");
  return IssueTokens(client, g, *tid, exp);
}

}  // namespace steer::auth
