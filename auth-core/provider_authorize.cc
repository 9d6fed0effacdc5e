// /authorize and /login: the authorization code flow's front channel.
#include <algorithm>

#include "provider_util.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/provider.h"
#include "steer/base/log.h"

namespace steer::auth {
namespace {

constexpr int64_t kLoginFormTtl = 600;

// RFC 7636 §4.2: 43-128 characters of [A-Za-z0-9-._~].
bool ValidChallenge(const std::string& c) {
  return c.size() >= 43 && c.size() <= 128 && std::all_of(c.begin(), c.end(), [](char ch) {
           return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' ||
                  ch == '_' || ch == '~';
         });
}

// Only scopes we implement survive; unknown ones are dropped (RFC 6749 §3.3 allows it).
std::string FilterScope(const std::string& requested) {
  std::string out;
  for (const char* s : {"openid", "profile", "email", "offline_access"}) {
    if (HasScope(requested, s)) out += (out.empty() ? "" : " ") + std::string(s);
  }
  return out;
}

base::ServerResponse ErrorRedirect(const std::string& redirect_uri, const std::string& error,
                                   const std::string& state, const std::string& iss) {
  return Redirect(AppendQuery(redirect_uri, {{"error", error}, {"state", state}, {"iss", iss}}));
}

}  // namespace

base::ServerResponse Provider::Authorize(const base::ServerRequest& req) {
  auto params = ParseForm(req.method == "POST" ? req.body : req.query);
  if (!params) return HtmlPage(400, "Invalid request", "<p>Malformed parameters.</p>");
  std::string client_id = Get(*params, "client_id"), ruri = Get(*params, "redirect_uri");
  auto client = clients_.Find(client_id);
  if (!client) return HtmlPage(503, "Unavailable", "<p>Please try again.</p>");
  // Until client and redirect_uri are known good, errors are shown here, never redirected:
  // redirecting to an unregistered URI would make us an open redirector.
  if (!*client) return HtmlPage(400, "Invalid request", "<p>Unknown client.</p>");
  const auto& uris = (*client)->redirect_uris;
  if (ruri.empty() || std::find(uris.begin(), uris.end(), ruri) == uris.end()) {
    return HtmlPage(400, "Invalid request", "<p>redirect_uri is not registered.</p>");
  }
  std::string state = Get(*params, "state"), challenge = Get(*params, "code_challenge");
  std::string method = Get(*params, "code_challenge_method");
  if (Get(*params, "response_type") != "code") {
    return ErrorRedirect(ruri, "unsupported_response_type", state, config_.issuer);
  }
  if (!(*client)->AllowsGrant("authorization_code")) {
    return ErrorRedirect(ruri, "unauthorized_client", state, config_.issuer);
  }
  bool pkce_ok = challenge.empty() ? method.empty() && !(*client)->is_public()
                                   : method == "S256" && ValidChallenge(challenge);
  if (!pkce_ok) return ErrorRedirect(ruri, "invalid_request", state, config_.issuer);
  nlohmann::json areq = {{"cid", client_id},
                         {"ruri", ruri},
                         {"scope", FilterScope(Get(*params, "scope"))},
                         {"state", state},
                         {"nonce", Get(*params, "nonce")},
                         {"cc", challenge},
                         {"exp", base::UnixSeconds(clock_) + kLoginFormTtl}};
  std::string prompt = Get(*params, "prompt");
  if (prompt != "login") {
    if (auto session = SessionFromCookie(req)) {
      session->client_id = client_id;
      return RedirectWithCode(areq, *session);
    }
  }
  if (prompt == "none") return ErrorRedirect(ruri, "login_required", state, config_.issuer);
  auto sealed = sealer_.Seal("authreq", areq.dump());
  if (!sealed) return HtmlPage(500, "Error", "<p>Internal error.</p>");
  std::string csrf = RandomToken(24);
  return LoginPage(200, *sealed, csrf, "")
      .With("Set-Cookie", CookieHeader(kCsrfCookie, csrf, base_path_ + "/login", kLoginFormTtl,
                                       !config_.plain_http()));
}

base::ServerResponse Provider::LoginPage(int status, const std::string& sealed_request,
                                         const std::string& csrf,
                                         const std::string& message) const {
  std::string html;
  if (!message.empty()) html += "<p role=\"alert\">" + HtmlEscape(message) + "</p>";
  html += "<form method=\"post\" action=\"" + HtmlEscape(base_path_) +
          "/login\">"
          "<input type=\"hidden\" name=\"req\" value=\"" +
          HtmlEscape(sealed_request) +
          "\">"
          "<input type=\"hidden\" name=\"csrf\" value=\"" +
          HtmlEscape(csrf) +
          "\">"
          "<label>Username <input name=\"username\" autocomplete=\"username\" required></label>"
          "<label>Password <input type=\"password\" name=\"password\" "
          "autocomplete=\"current-password\" required></label>"
          "<button type=\"submit\">Sign in</button></form>";
  return HtmlPage(status, "Sign in", html, &branding_);
}

base::ServerResponse Provider::Login(const base::ServerRequest& req) {
  auto form = ParseForm(req.body);
  if (!form) return HtmlPage(400, "Invalid request", "<p>Malformed form.</p>");
  std::string sealed = Get(*form, "req"), csrf = Get(*form, "csrf");
  auto areq = OpenSealed("authreq", sealed);
  if (!areq || (*areq)["exp"].get<int64_t>() < base::UnixSeconds(clock_)) {
    return HtmlPage(400, "Sign-in expired", "<p>Go back to the application and retry.</p>");
  }
  // Double-submit check: a cross-site form cannot know the cookie's value.
  std::string cookie = CookieValue(req.Header("cookie"), kCsrfCookie);
  if (csrf.empty() || !ConstantTimeEquals(csrf, cookie)) {
    return HtmlPage(403, "Invalid request", "<p>CSRF check failed.</p>");
  }
  if (LoginThrottled(req.remote_ip)) {
    return LoginPage(429, sealed, csrf, "Too many attempts; wait a minute.")
        .With("Retry-After", "60");
  }
  User user;
  switch (CheckPassword(Get(*form, "username"), Get(*form, "password"), req.remote_ip, &user)) {
    case PasswordCheck::kBlocked:
      return LoginPage(403, sealed, csrf, "Sign-in is temporarily blocked.");
    case PasswordCheck::kBad:
      return LoginPage(401, sealed, csrf, "Wrong username or password.");
    case PasswordCheck::kOk:
      break;
  }
  Grant grant;
  grant.sub = user.subject;
  grant.username = user.username;
  grant.client_id = (*areq)["cid"];
  grant.sid = RandomToken(16);
  grant.auth_time = base::UnixSeconds(clock_);
  base::Logger("auth")->info("login ok user={} client={}", ForLog(user.username),
                             ForLog(grant.client_id));
  return RedirectWithCode(*areq, grant)
      .With("Set-Cookie", SessionCookie(grant, config_.session_ttl))
      .With("Set-Cookie",
            CookieHeader(kCsrfCookie, "", base_path_ + "/login", 0, !config_.plain_http()));
}

base::ServerResponse Provider::RedirectWithCode(const nlohmann::json& areq, const Grant& grant) {
  int64_t exp = base::UnixSeconds(clock_) + config_.code_ttl;
  nlohmann::json code = {{"jti", RandomToken(16)},
                         {"cid", areq["cid"]},
                         {"ruri", areq["ruri"]},
                         {"sub", grant.sub},
                         {"usr", grant.username},
                         {"scope", areq["scope"]},
                         {"nonce", areq["nonce"]},
                         {"cc", areq["cc"]},
                         {"sid", grant.sid},
                         {"at", grant.auth_time},
                         {"exp", exp}};
  auto sealed = sealer_.Seal("code", code.dump());
  if (!sealed) return HtmlPage(500, "Error", "<p>Internal error.</p>");
  return Redirect(AppendQuery(
      areq["ruri"].get<std::string>(),
      {{"code", *sealed}, {"state", areq["state"].get<std::string>()}, {"iss", config_.issuer}}));
}

std::string Provider::SessionCookie(const Grant& grant, int64_t max_age) {
  nlohmann::json s = {{"sid", grant.sid},
                      {"sub", grant.sub},
                      {"usr", grant.username},
                      {"at", grant.auth_time},
                      {"exp", grant.auth_time + max_age}};
  auto sealed = sealer_.Seal("session", s.dump());
  return CookieHeader(kSessionCookie, sealed.value_or(""), base_path_ + "/", max_age,
                      !config_.plain_http());
}

std::optional<Provider::Grant> Provider::SessionFromCookie(const base::ServerRequest& req) {
  auto s = OpenSealed("session", CookieValue(req.Header("cookie"), kSessionCookie));
  if (!s || (*s)["exp"].get<int64_t>() <= base::UnixSeconds(clock_)) return std::nullopt;
  auto revoked = store_.IsRevoked({(*s)["sid"].get<std::string>()});
  if (!revoked || *revoked) return std::nullopt;
  Grant g;
  g.sub = (*s)["sub"];
  g.username = (*s)["usr"];
  g.sid = (*s)["sid"];
  g.auth_time = (*s)["at"];
  return g;
}

}  // namespace steer::auth
