#include "provider_util.h"

#include <algorithm>

#include "json_dump.h"
#include "steer/auth/form.h"

namespace steer::auth {

base::ServerResponse JsonResponse(int status, const nlohmann::json& body) {
  base::ServerResponse r;
  r.status = status;
  r.body = DumpJson(body);
  r.With("Cache-Control", "no-store").With("Pragma", "no-cache");
  return r;
}

base::ServerResponse OAuthError(int status, const std::string& error,
                                const std::string& description) {
  base::ServerResponse r =
      JsonResponse(status, {{"error", error}, {"error_description", description}});
  if (status == 401) r.With("WWW-Authenticate", "Basic realm=\"steer-authd\"");
  return r;
}

base::ServerResponse HtmlPage(int status, const std::string& title, const std::string& body_html) {
  base::ServerResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + HtmlEscape(title) +
           "</title><style>body{font-family:sans-serif;max-width:24em;margin:4em auto}"
           "label,input,button{display:block;margin:.5em 0}</style></head><body><h1>" +
           HtmlEscape(title) + "</h1>" + body_html + "</body></html>";
  // No script at all; inline style only. frame-ancestors 'none' stops click-jacking.
  r.With("Content-Security-Policy",
         "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
         "frame-ancestors 'none'")
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
