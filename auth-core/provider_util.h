#pragma once

// Response builders shared by the provider's endpoint files. Private to auth-core.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "steer/auth/verified_token_cache.h"
#include "steer/base/http_server.h"
#include "steer/config/tenant_config.h"

namespace steer::auth {

inline constexpr char kSessionCookie[] = "steer_session";
inline constexpr char kCsrfCookie[] = "steer_csrf";

// JSON with Cache-Control: no-store (every token endpoint response, RFC 6749 §5.1).
base::ServerResponse JsonResponse(int status, const nlohmann::json& body);
// JsonResponse for a body that is already JSON text.
base::ServerResponse JsonTextResponse(int status, std::string body);
// The introspection answer of an active access token's claims (VerifiedToken::introspection).
std::string IntrospectionBody(const nlohmann::json& claims);
// A verified access token's claims with everything each use checks worked out once.
std::shared_ptr<const VerifiedToken> MakeVerifiedToken(nlohmann::json claims);
// {"error": ..., "error_description": ...}; 401 adds WWW-Authenticate.
base::ServerResponse OAuthError(int status, const std::string& error,
                                const std::string& description);
// An HTML page with CSP (frame-ancestors 'none'), no-store, nosniff. With `branding`, the
// heading names it and carries its logo and colours (all validated when the tenant loaded).
base::ServerResponse HtmlPage(int status, const std::string& title, const std::string& body_html,
                              const config::Branding* branding = nullptr);
// A 302 to `location` (already validated against the client's registration).
base::ServerResponse Redirect(const std::string& location);
// Set-Cookie value with HttpOnly, SameSite=Lax, Path, Max-Age and Secure unless plain HTTP.
std::string CookieHeader(const std::string& name, const std::string& value, const std::string& path,
                         int64_t max_age, bool secure);
// Attacker-chosen text (user names, paths) made safe for a log line: at most 64 bytes,
// control characters and quotes replaced, so it cannot forge or split log records.
std::string ForLog(const std::string& text);
// The words of a space-separated scope, in order (views into `scope`).
std::vector<std::string_view> SplitScope(std::string_view scope);
// Space-separated scope contains `one`.
bool HasScope(std::string_view scope, std::string_view one);

}  // namespace steer::auth
