// /userinfo, /introspect (RFC 7662), /revoke (RFC 7009) and /logout (RP-initiated).
#include <algorithm>

#include "provider_util.h"
#include "steer/auth/jwt.h"
#include "steer/auth/provider.h"
#include "steer/base/log.h"

namespace steer::auth {
namespace {

base::ServerResponse BearerError(const std::string& error, const std::string& description) {
  base::ServerResponse r = JsonResponse(error == "invalid_request" ? 400 : 401,
                                        {{"error", error}, {"error_description", description}});
  r.With("WWW-Authenticate", "Bearer error=\"" + error + "\"");
  return r;
}

base::ServerResponse ClientAuthError(const Error& e) {
  if (e.code == ErrorCode::kInvalidArgument) return OAuthError(400, "invalid_request", e.message);
  if (e.code == ErrorCode::kUnavailable) {
    return OAuthError(503, "temporarily_unavailable", "store unavailable");
  }
  return OAuthError(401, "invalid_client", "client authentication failed");
}

}  // namespace

base::ServerResponse Provider::UserInfo(const base::ServerRequest& req) {
  std::optional<std::string> client_id;
  base::ServerResponse r = UserInfoFor(req, client_id);
  if (!client_id) return WithCors(req, AnyClientAllows(req), std::move(r));  // token errors
  // Claims only for an origin registered by the client the token was issued to.
  auto client = clients_.Find(*client_id);
  return WithCors(req, client && *client && ClientAllows(**client, req), std::move(r));
}

base::ServerResponse Provider::UserInfoFor(const base::ServerRequest& req,
                                           std::optional<std::string>& client_id) {
  std::string auth = req.Header("authorization"), token;
  Params form;
  if (req.method == "POST") {
    auto parsed = ParseForm(req.body);
    if (!parsed) return BearerError("invalid_request", "malformed body");
    form = std::move(*parsed);
  }
  bool in_header = auth.rfind("Bearer ", 0) == 0;
  if (in_header && form.count("access_token")) {
    return BearerError("invalid_request", "token given twice");
  }
  token = in_header ? auth.substr(7) : Get(form, "access_token");
  if (token.empty()) return BearerError("invalid_token", "no access token");
  auto verified = VerifyAccessToken(token, config_.issuer);
  const nlohmann::json* claims = verified ? &verified->claims : nullptr;
  if (!claims || !HasScope(claims->value("scope", ""), "openid")) {
    return BearerError("invalid_token", "invalid, expired or revoked token");
  }
  client_id = claims->value("client_id", "");
  std::string sub = claims->value("sub", "");
  nlohmann::json out = {{"sub", sub}};
  auto user = store_.FindUser(claims->value("preferred_username", ""));
  if (!user) return OAuthError(503, "temporarily_unavailable", "store unavailable");
  if (!*user || (*user)->subject != sub) {
    return BearerError("invalid_token", "user no longer exists");
  }
  std::string scope = claims->value("scope", "");
  if (HasScope(scope, "profile")) {
    out["preferred_username"] = (*user)->username;
    out["name"] = (*user)->name;
  }
  if (HasScope(scope, "email")) out["email"] = (*user)->email;
  return JsonResponse(200, out);
}

base::ServerResponse Provider::Introspect(const base::ServerRequest& req) {
  auto form = ParseForm(req.body);
  if (!form) return OAuthError(400, "invalid_request", "malformed body");
  auto client = AuthenticateClient(req, *form, false);
  if (!client) return ClientAuthError(client.error());
  std::string token = Get(*form, "token");
  if (token.empty()) return OAuthError(400, "invalid_request", "token missing");
  if (auto verified = VerifyAccessToken(token, "")) {
    return JsonTextResponse(200, verified->introspection);
  }
  auto rt = OpenSealed("refresh", token);
  if (rt && (*rt)["exp"].get<int64_t>() > base::UnixSeconds(clock_)) {
    auto revoked = store_.IsRevoked(
        {(*rt)["fam"].get<std::string>(), (*rt)["sid"],
         UserRevocationId((*rt)["sub"].get<std::string>(), rt->value("ug", int64_t{0}))});
    auto current =
        store_.IsCurrentRefresh((*rt)["fam"].get<std::string>(), (*rt)["tid"].get<std::string>(),
                                (*rt)["gen"].get<int64_t>());
    if (revoked && !*revoked && current && *current) {
      nlohmann::json out = {
          {"active", true},      {"token_type", "refresh_token"}, {"client_id", (*rt)["cid"]},
          {"sub", (*rt)["sub"]}, {"exp", (*rt)["exp"]},           {"iss", config_.issuer}};
      if (!(*rt)["scope"].get<std::string>().empty()) out["scope"] = (*rt)["scope"];
      return JsonResponse(200, out);
    }
  }
  return JsonResponse(200, {{"active", false}});
}

base::ServerResponse Provider::Revoke(const base::ServerRequest& req) {
  auto form = ParseForm(req.body);
  if (!form) return OAuthError(400, "invalid_request", "malformed body");
  auto client = AuthenticateClient(req, *form, true);
  if (!client) return ClientAuthError(client.error());
  return WithCors(req, ClientAllows(*client, req), RevokeFor(*client, *form));
}

base::ServerResponse Provider::RevokeFor(const Client& client, const Params& form) {
  std::string token = Get(form, "token");
  if (token.empty()) return OAuthError(400, "invalid_request", "token missing");
  // RFC 7009 §2.2: unknown or foreign tokens still get 200, so nothing is revealed.
  if (auto rt = OpenSealed("refresh", token); rt && (*rt)["cid"] == client.client_id) {
    if (!store_.Revoke((*rt)["fam"].get<std::string>(), (*rt)["exp"].get<int64_t>())) {
      return OAuthError(503, "temporarily_unavailable", "store unavailable");
    }
  } else if (auto verified = VerifyAccessToken(token, "");
             verified && verified->claims.value("client_id", "") == client.client_id) {
    const nlohmann::json& claims = verified->claims;
    if (!store_.Revoke(claims.value("jti", ""), claims.value("exp", int64_t{0}))) {
      return OAuthError(503, "temporarily_unavailable", "store unavailable");
    }
  }
  return JsonResponse(200, nlohmann::json::object());
}

base::ServerResponse Provider::Logout(const base::ServerRequest& req) {
  auto params = ParseForm(req.method == "POST" ? req.body : req.query);
  if (!params) return HtmlPage(400, "Invalid request", "<p>Malformed parameters.</p>");
  std::string client_id = Get(*params, "client_id"), sid_from_hint;
  if (std::string hint = Get(*params, "id_token_hint"); !hint.empty()) {
    JwtRules rules;
    rules.issuer = config_.issuer;
    rules.typ = kTypIdToken;
    rules.now = base::UnixSeconds(clock_);
    rules.check_expiry = false;  // an expired ID token still names the session to end
    auto claims = VerifyJwt(hint, keys_, rules);
    if (!claims) return HtmlPage(400, "Invalid request", "<p>Invalid id_token_hint.</p>");
    std::string aud = (*claims)["aud"].is_string() ? (*claims)["aud"].get<std::string>() : "";
    if (!client_id.empty() && client_id != aud) {
      return HtmlPage(400, "Invalid request", "<p>client_id does not match the hint.</p>");
    }
    client_id = aud;
    sid_from_hint = claims->value("sid", "");
  }
  std::string target = Get(*params, "post_logout_redirect_uri");
  if (!target.empty()) {
    auto client = clients_.Find(client_id);
    const auto* uris = client && *client ? &(*client)->post_logout_redirect_uris : nullptr;
    if (!uris || std::find(uris->begin(), uris->end(), target) == uris->end()) {
      return HtmlPage(400, "Invalid request", "<p>post_logout_redirect_uri is not registered.</p>");
    }
  }
  int64_t until = base::UnixSeconds(clock_) + config_.session_ttl;
  auto session = SessionFromCookie(req);
  for (const std::string& sid : {session ? session->sid : std::string(), sid_from_hint}) {
    if (!sid.empty() && !store_.Revoke(sid, until)) {
      return HtmlPage(503, "Unavailable", "<p>Please try again.</p>");
    }
  }
  std::string clear = CookieHeader(kSessionCookie, "", base_path_ + "/", 0, !config_.plain_http());
  if (!target.empty()) {
    return Redirect(AppendQuery(target, {{"state", Get(*params, "state")}}))
        .With("Set-Cookie", clear);
  }
  return HtmlPage(200, "Signed out", "<p>You are signed out.</p>").With("Set-Cookie", clear);
}

}  // namespace steer::auth
