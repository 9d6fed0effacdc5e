// /login and the SSO session cookie: the form's target and what it leaves in the browser.
#include "provider_util.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/provider.h"
#include "steer/base/log.h"

namespace steer::auth {

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
    case PasswordCheck::kDisabled:
      return LoginPage(403, sealed, csrf, "This account is disabled.");
    case PasswordCheck::kOk:
      break;
  }
  Grant grant;
  grant.sub = user.subject;
  grant.username = user.username;
  grant.user_gen = user.generation;
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
  nlohmann::json code = {
      {"jti", RandomToken(16)}, {"cid", areq["cid"]},    {"ruri", areq["ruri"]},
      {"sub", grant.sub},       {"usr", grant.username}, {"scope", areq["scope"]},
      {"nonce", areq["nonce"]}, {"cc", areq["cc"]},      {"sid", grant.sid},
      {"at", grant.auth_time},  {"ug", grant.user_gen},  {"exp", exp}};
  auto sealed = sealer_.Seal("code", code.dump());
  if (!sealed) return HtmlPage(500, "Error", "<p>Internal error.</p>");
  return Redirect(AppendQuery(
      areq["ruri"].get<std::string>(),
      {{"code", *sealed}, {"state", areq["state"].get<std::string>()}, {"iss", config_.issuer}}));
}

std::string Provider::SessionCookie(const Grant& grant, int64_t max_age) {
  nlohmann::json s = {{"sid", grant.sid},      {"sub", grant.sub},
                      {"usr", grant.username}, {"at", grant.auth_time},
                      {"ug", grant.user_gen},  {"exp", grant.auth_time + max_age}};
  auto sealed = sealer_.Seal("session", s.dump());
  return CookieHeader(kSessionCookie, sealed.value_or(""), base_path_ + "/", max_age,
                      !config_.plain_http());
}

std::optional<Provider::Grant> Provider::SessionFromCookie(const base::ServerRequest& req) {
  auto s = OpenSealed("session", CookieValue(req.Header("cookie"), kSessionCookie));
  if (!s || (*s)["exp"].get<int64_t>() <= base::UnixSeconds(clock_)) return std::nullopt;
  Grant g;
  g.sub = (*s)["sub"];
  g.username = (*s)["usr"];
  g.sid = (*s)["sid"];
  g.auth_time = (*s)["at"];
  g.user_gen = s->value("ug", int64_t{0});  // cookies sealed before generations: 0
  auto revoked = store_.IsRevoked(g.RevocationIds());
  if (!revoked || *revoked) return std::nullopt;
  return g;
}

}  // namespace steer::auth
