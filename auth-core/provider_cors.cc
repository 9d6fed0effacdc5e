// CORS for the endpoints a browser application calls (docs/auth-core.md, "Browser
// applications (CORS)"). Only origins clients registered (`--web-origin`) are ever allowed,
// always echoed exactly (never `*`), and never for /authorize, /login or /logout.
#include <algorithm>
#include <cctype>
#include <sstream>

#include "provider_util.h"
#include "steer/auth/provider.h"

namespace steer::auth {
namespace {

struct CorsEndpoint {
  const char* path;
  const char* methods;  // Access-Control-Allow-Methods
};
constexpr CorsEndpoint kCorsEndpoints[] = {
    {"/token", "POST"},         {"/revoke", "POST"},
    {"/userinfo", "GET, POST"}, {"/.well-known/openid-configuration", "GET"},
    {"/jwks", "GET"},
};
constexpr char kAllowHeaders[] = "authorization, content-type";
constexpr char kMaxAgeSeconds[] = "600";

// True when every name of a comma-separated Access-Control-Request-Headers is allowed.
bool HeadersAllowed(const std::string& requested) {
  std::istringstream in(requested);
  std::string name;
  while (std::getline(in, name, ',')) {
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!name.empty() && name != "authorization" && name != "content-type") return false;
  }
  return true;
}

bool MethodListed(const std::string& methods, const std::string& method) {
  std::istringstream in(methods);
  std::string one;
  while (std::getline(in, one, ',')) {
    one.erase(0, one.find_first_not_of(' '));
    if (one == method) return true;
  }
  return false;
}

}  // namespace

const char* CorsMethods(std::string_view path) {
  for (const auto& e : kCorsEndpoints) {
    if (path == e.path) return e.methods;
  }
  return nullptr;
}

base::ServerResponse Provider::Preflight(const base::ServerRequest& req, const char* methods) {
  std::string method = req.Header("access-control-request-method");
  if (method.empty()) {  // a plain OPTIONS, not a CORS preflight
    base::ServerResponse r;
    r.status = 204;
    return r.With("Allow", std::string(methods) + ", OPTIONS");
  }
  // A preflight carries no body, hence no client_id: it is allowed for an origin that any
  // client registers; the actual /token, /revoke or /userinfo response then checks the one
  // client the request is for.
  if (!MethodListed(methods, method) ||
      !HeadersAllowed(req.Header("access-control-request-headers")) ||
      !origins_.Contains(req.Header("origin"))) {
    return OAuthError(403, "invalid_request", "CORS preflight refused");
  }
  base::ServerResponse r;
  r.status = 204;
  return r.With("Access-Control-Allow-Origin", req.Header("origin"))
      .With("Access-Control-Allow-Methods", methods)
      .With("Access-Control-Allow-Headers", kAllowHeaders)
      .With("Access-Control-Max-Age", kMaxAgeSeconds);
}

base::ServerResponse Provider::WithCors(const base::ServerRequest& req, bool allowed,
                                        base::ServerResponse r) {
  if (allowed && !req.Header("origin").empty()) {
    r.With("Access-Control-Allow-Origin", req.Header("origin"));
  }
  return r;
}

bool Provider::AnyClientAllows(const base::ServerRequest& req) {
  return origins_.Contains(req.Header("origin"));
}

bool Provider::ClientAllows(const Client& client, const base::ServerRequest& req) {
  std::string origin = req.Header("origin");
  return !origin.empty() && std::find(client.web_origins.begin(), client.web_origins.end(),
                                      origin) != client.web_origins.end();
}

}  // namespace steer::auth
