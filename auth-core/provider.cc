#include "steer/auth/provider.h"

#include <chrono>

#include "provider_util.h"
#include "steer/auth/crypto_util.h"
#include "steer/base/clock.h"
#include "steer/base/log.h"

namespace steer::auth {
namespace {

// A /healthz/ready ping in flight longer than this means the store is unreachable.
constexpr std::chrono::milliseconds kSlowStorePing(1000);

double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

nlohmann::json DiscoveryDocument(const std::string& iss) {
  return {
      {"issuer", iss},
      {"authorization_endpoint", iss + "/authorize"},
      {"token_endpoint", iss + "/token"},
      {"userinfo_endpoint", iss + "/userinfo"},
      {"jwks_uri", iss + "/jwks"},
      {"revocation_endpoint", iss + "/revoke"},
      {"introspection_endpoint", iss + "/introspect"},
      {"end_session_endpoint", iss + "/logout"},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query"}},
      {"grant_types_supported",
       {"authorization_code", "refresh_token", "client_credentials", "password"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", {"RS256", "ES256"}},
      {"scopes_supported", {"openid", "profile", "email", "offline_access"}},
      {"claims_supported",
       {"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "name", "email",
        "preferred_username"}},
      {"code_challenge_methods_supported", {"S256"}},
      {"token_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post", "none"}},
      {"revocation_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
      {"introspection_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post"}},
      {"authorization_response_iss_parameter_supported", true},
  };
}

// "https://h/t/acme" -> "/t/acme"; "https://h" -> "".
std::string IssuerPath(const std::string& issuer) {
  size_t scheme = issuer.find("://");
  size_t path = issuer.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return path == std::string::npos ? "" : issuer.substr(path);
}

}  // namespace

Provider::Provider(config::AuthdConfig config, KeySet keys, Sealer sealer, Store& store,
                   PasswordHasher& hasher, const base::Clock& clock, config::Branding branding)
    : config_(std::move(config)),
      keys_(std::move(keys)),
      sealer_(std::move(sealer)),
      store_(store),
      hasher_(hasher),
      clock_(clock),
      clients_(store, 5.0),
      origins_(store, 5.0),
      request_throttle_(config_.requests_per_second, config_.requests_per_second),
      login_throttle_(config_.logins_per_minute / 60.0, config_.logins_per_minute),
      store_health_([&store] { return store.Ping(); }, clock, kSlowStorePing),
      branding_(std::move(branding)),
      base_path_(IssuerPath(config_.issuer)),
      discovery_json_(DiscoveryDocument(config_.issuer).dump()),
      jwks_json_(keys_.JwksJson()) {}

base::ServerResponse Provider::Handle(const base::ServerRequest& req, std::string_view path) {
  try {
    return Route(req, path);
  } catch (const std::exception& e) {
    // Our own sealed values have fixed shapes; landing here is a bug, never client input.
    base::Logger("auth")->error("handler failed on {}: {}", ForLog(std::string(path)), e.what());
    return OAuthError(500, "server_error", "internal error");
  }
}

base::ServerResponse Provider::Route(const base::ServerRequest& req, std::string_view path) {
  const char* cors = CorsMethods(path);
  if (!request_throttle_.Allow(req.remote_ip, MonotonicSeconds())) {
    auto r = OAuthError(429, "slow_down", "too many requests").With("Retry-After", "1");
    return cors ? r.With("Vary", "Origin") : r;
  }
  if (!cors) return Dispatch(req, path);
  base::ServerResponse r = req.method == "OPTIONS" ? Preflight(req, cors) : Dispatch(req, path);
  return r.With("Vary", "Origin");  // caches must not serve one origin's answer to another
}

base::ServerResponse Provider::Dispatch(const base::ServerRequest& req, std::string_view p) {
  bool get = req.method == "GET";
  bool post = req.method == "POST";
  if (p == "/healthz" && get) return JsonResponse(200, {{"status", "ok"}});
  if (p == "/healthz/ready" && get) return Ready();
  if (p == "/.well-known/openid-configuration" && get) {
    base::ServerResponse r;
    r.body = discovery_json_;
    return WithCors(req, AnyClientAllows(req), r.With("Cache-Control", "public, max-age=300"));
  }
  if (p == "/jwks" && get) {
    base::ServerResponse r;
    r.content_type = "application/jwk-set+json";
    r.body = jwks_json_;
    return WithCors(req, AnyClientAllows(req), r.With("Cache-Control", "public, max-age=300"));
  }
  if (p == "/authorize" && (get || post)) return Authorize(req);
  if (p == "/login" && post) return Login(req);
  if (p == "/token" && post) return Token(req);
  if (p == "/userinfo" && (get || post)) return UserInfo(req);
  if (p == "/introspect" && post) return Introspect(req);
  if (p == "/revoke" && post) return Revoke(req);
  if (p == "/logout" && (get || post)) return Logout(req);
  for (const char* known :
       {"/healthz", "/healthz/ready", "/.well-known/openid-configuration", "/jwks", "/authorize",
        "/login", "/token", "/userinfo", "/introspect", "/revoke", "/logout"}) {
    if (p == known) return OAuthError(405, "invalid_request", "method not allowed");
  }
  return OAuthError(404, "not_found", "no such endpoint");
}

base::ServerResponse Provider::Ready() {
  auto store = store_health_.Check();
  bool keys = keys_.Current(JwsAlg::kRS256) != nullptr;
  nlohmann::json body = {{"store", store.ok ? "ok" : "unreachable"},
                         {"keys", keys ? "loaded" : "missing"}};
  body["status"] = store.ok && keys ? "ready" : "not_ready";
  return JsonResponse(store.ok && keys ? 200 : 503, body);
}

Result<Client> Provider::AuthenticateClient(const base::ServerRequest& req, const Params& form,
                                            bool allow_public) {
  std::string id = Get(form, "client_id"), secret = Get(form, "client_secret");
  bool has_secret = form.count("client_secret") > 0;
  std::string auth = req.Header("authorization");
  if (auth.rfind("Basic ", 0) == 0) {
    if (has_secret) return MakeError(ErrorCode::kInvalidArgument, "two client auth methods");
    auto raw = Base64Decode(auth.substr(6));
    size_t colon = raw ? raw->find(':') : std::string::npos;
    if (colon == std::string::npos) return MakeError(ErrorCode::kPermissionDenied, "bad Basic");
    auto basic_id = UrlDecode(raw->substr(0, colon));
    auto basic_secret = UrlDecode(raw->substr(colon + 1));
    if (!basic_id || !basic_secret || (!id.empty() && id != *basic_id)) {
      return MakeError(ErrorCode::kPermissionDenied, "bad Basic");
    }
    id = *basic_id;
    secret = *basic_secret;
    has_secret = true;
  }
  if (id.empty()) return MakeError(ErrorCode::kPermissionDenied, "no client");
  auto client = clients_.Find(id);
  if (!client) return tl::unexpected(client.error());
  if (!*client) return MakeError(ErrorCode::kPermissionDenied, "unknown client");
  if ((*client)->is_public()) {
    if (!allow_public || has_secret) {
      return MakeError(ErrorCode::kPermissionDenied, "public client not accepted");
    }
    return std::move(**client);
  }
  if (!has_secret || !ConstantTimeEquals(HexEncode(Sha256(secret)), (*client)->secret_hash)) {
    return MakeError(ErrorCode::kPermissionDenied, "bad client secret");
  }
  return std::move(**client);
}

bool Provider::LoginThrottled(const std::string& ip) {
  return !login_throttle_.Allow(ip, MonotonicSeconds());
}

Provider::PasswordCheck Provider::CheckPassword(const std::string& username,
                                                const std::string& password, const std::string& ip,
                                                User* user) {
  int64_t now = base::UnixSeconds(clock_);
  std::string user_key = "user:" + username, ip_key = "ip:" + ip;
  auto user_block = store_.BlockedUntil(user_key, now);
  auto ip_block = store_.BlockedUntil(ip_key, now);
  if (!user_block || !ip_block || *user_block > 0 || *ip_block > 0) return PasswordCheck::kBlocked;
  auto found = store_.FindUser(username);
  bool ok = found && *found ? hasher_.Verify((*found)->password_hash, password)
                            : hasher_.VerifyDummy(password);
  if (!ok) {
    auto u = store_.RecordFailure(user_key, now, config_.lockout);
    auto i = store_.RecordFailure(ip_key, now, config_.lockout);
    // The user name is logged (an operator needs it), the password never.
    base::Logger("auth")->info("login failed user={} ip={}", ForLog(username), ip);
    if ((u && *u > 0) || (i && *i > 0)) {
      base::Logger("auth")->warn("login blocked user={} ip={}", ForLog(username), ip);
    }
    return PasswordCheck::kBad;
  }
  (void)store_.ClearFailures(user_key);
  if ((*found)->disabled) {
    base::Logger("auth")->info("login refused user={}: disabled", ForLog(username));
    return PasswordCheck::kDisabled;
  }
  *user = **found;
  return PasswordCheck::kOk;
}

std::vector<std::string> Provider::Grant::RevocationIds() const {
  return {sid, username.empty() ? std::string() : UserRevocationId(sub, user_gen)};
}

base::HttpServerOptions AuthdServerOptions(const config::AuthdConfig& config) {
  base::HttpServerOptions o;
  o.address = config.listen_address;
  o.port = static_cast<uint16_t>(config.port);
  o.threads = config.threads;
  o.max_body_bytes = config.max_body_bytes;
  o.max_header_bytes = config.max_header_bytes;
  o.read_timeout = std::chrono::seconds(30);
  o.header_timeout = std::chrono::seconds(10);  // slowloris: headers trickled in are cut off
  o.tls_cert_file = config.tls_cert_file;
  o.tls_key_file = config.tls_key_file;
  o.plain_http_loopback_only = true;
  return o;
}

}  // namespace steer::auth
