// /authorize and /login: the authorization code flow's front channel.
#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>

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
                                   const std::string& state, const std::string& iss,
                                   const std::string& description = "") {
  Params q = {{"error", error}, {"state", state}, {"iss", iss}};
  if (!description.empty()) q["error_description"] = description;
  return Redirect(AppendQuery(redirect_uri, q));
}

std::string TooLong(const std::string& name) {
  return ForLog(name) + " is longer than " + std::to_string(kMaxAuthorizeParamBytes) + " bytes";
}

// The first parameter whose name or value exceeds the limit, or "".
std::string OversizedParam(const Params& params) {
  for (const auto& [name, value] : params) {
    if (name.size() > kMaxAuthorizeParamBytes || value.size() > kMaxAuthorizeParamBytes) {
      return name;
    }
  }
  return "";
}

// RFC 6749 appendix A.5: state is VSCHAR; nonce is held to the same, so escaping can at most
// double what is sealed.
bool Vschar(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// max_age: absent (nullopt) or a non-negative integer; -1 when malformed.
std::optional<int64_t> ParseMaxAge(const Params& params) {
  if (!params.count("max_age")) return std::nullopt;
  std::string v = Get(params, "max_age");
  int64_t out = -1;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  bool digits =
      !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits && ec == std::errc() && end == v.data() + v.size() ? out : -1;
}

struct Prompt {
  bool none = false, login = false;
  std::string error;  // set when the value is not acceptable
};

// OIDC Core §3.1.2.1: space-separated none, login, consent, select_account; none stands alone.
Prompt ParsePrompt(const std::string& value) {
  Prompt p;
  std::istringstream in(value);
  std::string one;
  int count = 0;
  while (in >> one) {
    ++count;
    if (one == "none") {
      p.none = true;
    } else if (one == "login") {
      p.login = true;
    } else if (one != "consent" && one != "select_account") {
      p.error = "unsupported prompt value";
    }
  }
  if (p.none && count > 1) p.error = "prompt=none cannot be combined with other values";
  return p;
}

// The request's problem as an error_description, or "" when it is acceptable.
std::string CheckRequest(const Params& params, const Client& client) {
  if (std::string name = OversizedParam(params); !name.empty()) return TooLong(name);
  if (!Vschar(Get(params, "state")) || !Vschar(Get(params, "nonce"))) {
    return "state and nonce must be printable ASCII";
  }
  std::string challenge = Get(params, "code_challenge");
  std::string method = Get(params, "code_challenge_method");
  bool pkce_ok = challenge.empty() ? method.empty() && !client.is_public()
                                   : method == "S256" && ValidChallenge(challenge);
  if (!pkce_ok) return "PKCE with S256 required";
  if (ParseMaxAge(params) == -1) return "max_age must be a non-negative integer";
  return ParsePrompt(Get(params, "prompt")).error;
}

}  // namespace

base::ServerResponse Provider::Authorize(const base::ServerRequest& req) {
  auto params = ParseForm(req.method == "POST" ? req.body : req.query);
  if (!params) return HtmlPage(400, "Invalid request", "<p>Malformed parameters.</p>");
  std::string client_id = Get(*params, "client_id"), ruri = Get(*params, "redirect_uri");
  for (const char* name : {"client_id", "redirect_uri"}) {
    if (Get(*params, name).size() > kMaxAuthorizeParamBytes) {
      return HtmlPage(400, "Invalid request", "<p>" + HtmlEscape(TooLong(name)) + ".</p>");
    }
  }
  auto client = clients_.Find(client_id);
  if (!client) return HtmlPage(503, "Unavailable", "<p>Please try again.</p>");
  // Until client and redirect_uri are known good, errors are shown here, never redirected:
  // redirecting to an unregistered URI would make us an open redirector.
  if (!*client) return HtmlPage(400, "Invalid request", "<p>Unknown client.</p>");
  const auto& uris = (*client)->redirect_uris;
  if (ruri.empty() || std::find(uris.begin(), uris.end(), ruri) == uris.end()) {
    return HtmlPage(400, "Invalid request", "<p>redirect_uri is not registered.</p>");
  }
  std::string state = Get(*params, "state");
  if (state.size() > kMaxAuthorizeParamBytes) state.clear();  // not echoed
  if (Get(*params, "response_type") != "code") {
    return ErrorRedirect(ruri, "unsupported_response_type", state, config_.issuer);
  }
  if (!(*client)->AllowsGrant("authorization_code")) {
    return ErrorRedirect(ruri, "unauthorized_client", state, config_.issuer);
  }
  if (std::string problem = CheckRequest(*params, **client); !problem.empty()) {
    return ErrorRedirect(ruri, "invalid_request", state, config_.issuer, problem);
  }
  return AuthorizeChecked(req, *params);
}

base::ServerResponse Provider::AuthorizeChecked(const base::ServerRequest& req,
                                                const Params& params) {
  std::string ruri = Get(params, "redirect_uri"), state = Get(params, "state");
  nlohmann::json areq = {{"cid", Get(params, "client_id")},
                         {"ruri", ruri},
                         {"scope", FilterScope(Get(params, "scope"))},
                         {"state", state},
                         {"nonce", Get(params, "nonce")},
                         {"cc", Get(params, "code_challenge")},
                         {"exp", base::UnixSeconds(clock_) + kLoginFormTtl}};
  Prompt prompt = ParsePrompt(Get(params, "prompt"));
  std::optional<int64_t> max_age = ParseMaxAge(params);
  // max_age=0 is prompt=login (OIDC Core §3.1.2.1); otherwise the session must be young enough.
  if (!prompt.login && max_age != 0) {
    auto session = SessionFromCookie(req);
    if (session && (!max_age || base::UnixSeconds(clock_) - session->auth_time <= *max_age)) {
      session->client_id = areq["cid"];
      return RedirectWithCode(areq, *session);
    }
  }
  if (prompt.none) return ErrorRedirect(ruri, "login_required", state, config_.issuer);
  auto sealed = sealer_.Seal("authreq", areq.dump());
  if (!sealed) return HtmlPage(500, "Error", "<p>Internal error.</p>");
  std::string csrf = RandomToken(24);
  return LoginPage(200, *sealed, csrf, "")
      .With("Set-Cookie", CookieHeader(kCsrfCookie, csrf, base_path_ + "/login", kLoginFormTtl,
                                       !config_.plain_http()));
}

}  // namespace steer::auth
