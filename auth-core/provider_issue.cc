// Minting and checking the provider's own tokens.
#include <algorithm>

#include "provider_util.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/jwt.h"
#include "steer/auth/provider.h"

namespace steer::auth {

Result<std::string> Provider::AccessToken(const Grant& g, const nlohmann::json& audience,
                                          const std::string& alg_name) {
  const SigningKey* key = keys_.Current(ParseAlg(alg_name).value_or(JwsAlg::kES256));
  if (!key) key = keys_.Current(JwsAlg::kRS256);
  int64_t now = base::UnixSeconds(clock_);
  // Member by member: an initializer list of pairs costs several times as much in nlohmann.
  nlohmann::json claims(nlohmann::json::value_t::object);
  claims["iss"] = config_.issuer;
  claims["sub"] = g.sub;
  claims["aud"] = audience;
  claims["client_id"] = g.client_id;
  claims["iat"] = now;
  claims["exp"] = now + config_.access_ttl;
  claims["jti"] = RandomToken(16);
  if (!g.scope.empty()) claims["scope"] = g.scope;
  if (!g.sid.empty()) claims["sid"] = g.sid;
  if (!g.family.empty()) claims["gid"] = g.family;
  if (!g.username.empty()) {
    claims["preferred_username"] = g.username;
    claims["ugen"] = g.user_gen;
  }
  return SignJwt(*key, kTypAccessToken, claims);
}

Result<std::string> Provider::IdToken(const Client& client, const Grant& g) {
  int64_t now = base::UnixSeconds(clock_);
  nlohmann::json claims = {{"iss", config_.issuer},       {"sub", g.sub},
                           {"aud", client.client_id},     {"iat", now},
                           {"exp", now + config_.id_ttl}, {"auth_time", g.auth_time}};
  if (!g.nonce.empty()) claims["nonce"] = g.nonce;
  if (!g.sid.empty()) claims["sid"] = g.sid;
  // The admin command only stores algorithms ParseAlg knows; RS256 is the OIDC default.
  const SigningKey* key = keys_.Current(ParseAlg(client.id_token_alg).value_or(JwsAlg::kRS256));
  if (!key) return MakeError(ErrorCode::kInternal, "no current id_token key");
  return SignJwt(*key, kTypIdToken, claims);
}

Result<std::string> Provider::StartRefresh(const Client& client, const Grant& g, int64_t exp) {
  if (!client.AllowsGrant("refresh_token")) return std::string();
  std::string tid = RandomToken(16);
  if (auto r = store_.StartFamily(g.family, tid, exp); !r) return tl::unexpected(r.error());
  return tid;
}

base::ServerResponse Provider::IssueTokens(const Client& client, const Grant& g,
                                           const std::string& refresh_tid, int64_t refresh_exp) {
  // User tokens name the issuer too, so /userinfo accepts them whatever the API audience.
  nlohmann::json aud = client.audience.empty()
                           ? nlohmann::json(config_.issuer)
                           : nlohmann::json::array({client.audience, config_.issuer});
  auto at = AccessToken(g, aud, client.access_token_alg);
  if (!at) return OAuthError(500, "server_error", "signing failed");
  nlohmann::json body = {{"token_type", "Bearer"}, {"expires_in", config_.access_ttl}};
  if (!g.scope.empty()) body["scope"] = g.scope;
  if (HasScope(g.scope, "openid")) {
    auto id = IdToken(client, g);
    if (!id) return OAuthError(500, "server_error", "signing failed");
    body["id_token"] = *id;
  }
  if (!refresh_tid.empty()) {
    nlohmann::json rt = {{"fam", g.family},    {"tid", refresh_tid}, {"gen", g.generation},
                         {"cid", g.client_id}, {"sub", g.sub},       {"usr", g.username},
                         {"scope", g.scope},   {"sid", g.sid},       {"at", g.auth_time},
                         {"ug", g.user_gen},   {"exp", refresh_exp}};
    auto sealed = sealer_.Seal("refresh", rt.dump());
    if (!sealed) return OAuthError(500, "server_error", "sealing failed");
    body["refresh_token"] = *sealed;
  }
  body["access_token"] = *at;
  return JsonResponse(200, body);
}

std::optional<nlohmann::json> Provider::OpenSealed(const char* purpose, const std::string& value) {
  if (value.empty()) return std::nullopt;
  auto plain = sealer_.Open(purpose, value);
  if (!plain) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*plain, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("exp")) return std::nullopt;
  return j;
}

std::shared_ptr<const VerifiedToken> Provider::VerifyAccessToken(const std::string& token,
                                                                 const std::string& audience) {
  int64_t now = base::UnixSeconds(clock_);
  std::shared_ptr<const VerifiedToken> verified = verified_.Find(token, now - config_.leeway);
  if (!verified) {
    JwtRules rules;
    rules.issuer = config_.issuer;
    rules.typ = kTypAccessToken;
    rules.now = now;
    rules.leeway = config_.leeway;
    auto claims = VerifyJwt(token, keys_, rules);
    if (!claims) return nullptr;
    int64_t exp = (*claims)["exp"].get<int64_t>();
    verified = MakeVerifiedToken(std::move(*claims));
    verified_.Add(token, verified, exp);
  }
  // Checked on the shared entry, which callers only read.
  if (!ClaimsUsable(*verified, audience, now)) return nullptr;
  return verified;
}

bool Provider::ClaimsUsable(const VerifiedToken& token, const std::string& audience, int64_t now) {
  // The audience rule is applied here, after the cache, so one cached entry serves all.
  if (!audience.empty() && std::find(token.audiences.begin(), token.audiences.end(), audience) ==
                               token.audiences.end()) {
    return false;
  }
  if (token.bad_nbf || (token.nbf && *token.nbf > now + config_.leeway)) return false;
  auto revoked = store_.IsRevoked(token.revocation_ids);
  return revoked && !*revoked;
}

}  // namespace steer::auth
