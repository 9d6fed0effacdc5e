#include "provider_util.h"

#include <algorithm>

#include "json_dump.h"
#include "steer/auth/form.h"
#include "steer/auth/store.h"

namespace steer::auth {

base::ServerResponse JsonResponse(int status, const nlohmann::json& body) {
  return JsonTextResponse(status, DumpJson(body));
}

base::ServerResponse JsonTextResponse(int status, std::string body) {
  base::ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  r.With("Cache-Control", "no-store").With("Pragma", "no-cache");
  return r;
}

std::shared_ptr<const VerifiedToken> MakeVerifiedToken(nlohmann::json claims) {
  auto t = std::make_shared<VerifiedToken>();
  t->introspection = IntrospectionBody(claims);
  auto aud = claims.find("aud");
  if (aud != claims.end()) {
    for (const auto& a : aud->is_array() ? *aud : nlohmann::json::array({*aud})) {
      if (a.is_string()) t->audiences.push_back(a.get<std::string>());
    }
  }
  if (auto nbf = claims.find("nbf"); nbf != claims.end()) {
    if (nbf->is_number_integer()) t->nbf = nbf->get<int64_t>();
    t->bad_nbf = !t->nbf;
  }
  // User tokens name the user's generation: disabling or removing the user revokes it.
  auto sub = claims.find("sub");
  std::string user_id =
      claims.contains("preferred_username") && sub != claims.end() && sub->is_string()
          ? UserRevocationId(sub->get<std::string>(), claims.value("ugen", int64_t{0}))
          : std::string();
  t->revocation_ids = {claims.value("jti", ""), claims.value("gid", ""), claims.value("sid", ""),
                       user_id};
  t->claims = std::move(claims);
  return t;
}

std::string IntrospectionBody(const nlohmann::json& claims) {
  nlohmann::json out = claims;
  out.erase("gid");
  out.erase("ugen");
  out["active"] = true;
  out["token_type"] = "Bearer";
  if (out.contains("preferred_username")) out["username"] = out["preferred_username"];
  return DumpJson(out);
}

base::ServerResponse OAuthError(int status, const std::string& error,
                                const std::string& description) {
  base::ServerResponse r =
      JsonResponse(status, {{"error", error}, {"error_description", description}});
  if (status == 401) r.With("WWW-Authenticate", "Basic realm=\"steer-authd\"");
  return r;
}

namespace {

// The style and heading of a page: plain, or a tenant's name, logo and colours.
std::string PageHead(const std::string& title, const config::Branding* b, std::string* heading) {
  std::string style =
      "body{font-family:sans-serif;max-width:24em;margin:4em auto}"
      "label,input,button{display:block;margin:.5em 0}";
  *heading = "<h1>" + HtmlEscape(title) + "</h1>";
  if (b == nullptr || b->display_name.empty()) return style;
  if (!b->background_color.empty()) style += "body{background:" + b->background_color + "}";
  if (!b->primary_color.empty()) {
    style += "h1,h2{color:" + b->primary_color + "}button{background:" + b->primary_color +
             ";color:#fff;border:0;padding:.5em 1em}";
  }
  *heading = (b->logo_url.empty()
                  ? ""
                  : "<img src=\"" + HtmlEscape(b->logo_url) + "\" alt=\"\" height=\"48\">") +
             "<h1>" + HtmlEscape(b->display_name) + "</h1><h2>" + HtmlEscape(title) + "</h2>";
  return style;
}

}  // namespace

base::ServerResponse HtmlPage(int status, const std::string& title, const std::string& body_html,
                              const config::Branding* branding) {
  base::ServerResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  std::string heading;
  std::string style = PageHead(title, branding, &heading);
  std::string page_title =
      branding && !branding->display_name.empty() ? title + " – " + branding->display_name : title;
  r.body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + HtmlEscape(page_title) +
           "</title><style>" + style + "</style></head><body>" + heading + body_html +
           "</body></html>";
  // No script at all; inline style only, and the tenant's logo URL as the one image source.
  // frame-ancestors 'none' stops click-jacking.
  std::string img =
      branding && !branding->logo_url.empty() ? " img-src " + branding->logo_url + ";" : "";
  r.With("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline';" + img +
                                        " base-uri 'none'; frame-ancestors 'none'")
      .With("X-Frame-Options", "DENY")
      .With("X-Content-Type-Options", "nosniff")
      .With("Referrer-Policy", "no-referrer")
      .With("Cache-Control", "no-store");
  return r;
}

base::ServerResponse Redirect(const std::string& location) {
  base::ServerResponse r;
  r.status = 302;
  r.content_type = "text/plain";
  r.With("Location", location).With("Cache-Control", "no-store");
  return r;
}

std::string CookieHeader(const std::string& name, const std::string& value, const std::string& path,
                         int64_t max_age, bool secure) {
  std::string c = name + "=" + value + "; Path=" + path + "; Max-Age=" + std::to_string(max_age) +
                  "; HttpOnly; SameSite=Lax";
  if (secure) c += "; Secure";
  return c;
}

std::string ForLog(const std::string& text) {
  std::string out = text.substr(0, 64);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"' || c == '\\') c = '?';
  }
  return out;
}

namespace {

// The separators of `std::istream >> std::string` in the C locale, which these replace.
constexpr std::string_view kScopeSpace = " \t\n\v\f\r";

// The word of `scope` starting at or after `*pos` (advanced past it); npos when none is left.
std::string_view NextScope(std::string_view scope, size_t* pos) {
  size_t begin = scope.find_first_not_of(kScopeSpace, *pos);
  if (begin == std::string_view::npos) {
    *pos = scope.size();
    return std::string_view();
  }
  *pos = std::min(scope.find_first_of(kScopeSpace, begin), scope.size());
  return scope.substr(begin, *pos - begin);
}

}  // namespace

std::vector<std::string_view> SplitScope(std::string_view scope) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  for (auto s = NextScope(scope, &pos); !s.empty(); s = NextScope(scope, &pos)) out.push_back(s);
  return out;
}

bool HasScope(std::string_view scope, std::string_view one) {
  size_t pos = 0;
  for (auto s = NextScope(scope, &pos); !s.empty(); s = NextScope(scope, &pos)) {
    if (s == one) return true;
  }
  return false;
}

}  // namespace steer::auth
