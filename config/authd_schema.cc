// The one place where steer-authd's config keys are written. Every section of the file binds
// into the flat AuthdConfig; the parser and the key reference in docs/auth-core.md follow it.
#include "authd_schema.h"

namespace steer::config {
namespace {

#define F STEER_FIELD

using Spec = ObjectSpec<AuthdConfig>;

// A string that must not be empty; `check` returns a problem with the value, or "".
template <typename T = AuthdConfig, typename Get, typename Check>
Binding<T> Text(KeyInfo info, Get get, Check check) {
  info.kind = ValueKind::kString;
  return {std::move(info),
          [get, check](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            std::string s;
            if (!r.ReadString(n, p, &s)) return;
            std::string problem = s.empty() ? "must not be empty" : check(s);
            if (!problem.empty()) return r.Error(n, p, problem);
            get(t) = s;
          }};
}

template <typename T = AuthdConfig, typename Get>
Binding<T> Text(KeyInfo info, Get get) {
  return Text<T>(std::move(info), get, [](const std::string&) { return std::string(); });
}

// A duration of at least 1s, stored in whole seconds.
template <typename T = AuthdConfig, typename Get>
Binding<T> Seconds(KeyInfo info, Get get) {
  info = AtLeast(std::move(info), 1000);
  info.kind = ValueKind::kDuration;
  return {info, [get, info](Reader& r, const YAML::Node& n, const std::string& p, T& t) {
            base::Duration d{};
            if (!r.ReadDuration(n, p, &d)) return;
            if (!r.CheckBounds(n, p, info, static_cast<double>(d.count()))) return;
            if (d.count() % 1000 != 0) return r.Error(n, p, "must be a whole number of seconds");
            get(t) = d.count() / 1000;
          }};
}

template <typename T = AuthdConfig, typename Get>
Binding<T> Int(KeyInfo info, long long lo, long long hi, Get get) {
  return IntKey<T>(Range(std::move(info), lo, hi), get);
}

template <typename T = AuthdConfig>
ObjectSpec<T> Section(const char* name) {
  ObjectSpec<T> s;
  s.info.name = name;
  return s;
}

void AddTopLevel(Spec& s) {
  KeyInfo issuer = Required(K("issuer",
                              "The issuer URL, identical in every region: https://, no query, "
                              "fragment or trailing slash (http:// only for a loopback host).",
                              "", "https://login.example.com"));
  issuer.url_schemes = {"https", "http"};
  s.Add(Text(std::move(issuer), F(AuthdConfig, t.issuer), IssuerProblem));
  s.Add(Int(K("threads", "I/O and handler threads.", "2", "4"), 1, 64, F(AuthdConfig, t.threads)));
  s.Add(Text(Required(K("keys_dir",
                        "Directory of the signing keys ({previous,current,next}-{rs256,es256}.pem) "
                        "and aead.keys; the same in every region.",
                        "", "/etc/steer/authd/keys")),
             F(AuthdConfig, t.keys_dir)));
}

Spec MakeListen() {
  Spec s = Section("listen");
  s.Add(Text(
      K("address", "IP address to listen on; plain HTTP only on loopback.", "127.0.0.1", "0.0.0.0"),
      F(AuthdConfig, t.listen_address)));
  s.Add(Int(K("port", "TCP port (0: any free port).", "8443", "9443"), 0, 65535,
            F(AuthdConfig, t.port)));
  s.Add(Seconds(K("shutdown_timeout",
                  "On SIGTERM, how long requests in progress may take to finish before the "
                  "remaining connections are closed.",
                  "30s", "10s"),
                F(AuthdConfig, t.shutdown_timeout)));
  return s;
}

Spec MakeTls() {
  Spec s = Section("tls");
  s.Add(Text(K("cert_file", "PEM certificate chain; with key_file.", "", "tls/chain.pem"),
             F(AuthdConfig, t.tls_cert_file)));
  s.Add(Text(K("key_file", "PEM private key; with cert_file.", "", "tls/key.pem"),
             F(AuthdConfig, t.tls_key_file)));
  return s;
}

std::string DsnProblem(const std::string& dsn) {
  // Secrets are references (password:), never part of the DSN that is logged and shown.
  if (dsn.find("password") != std::string::npos) {
    return "must not contain a password; use store.postgres.password (env: or file:)";
  }
  if (dsn.find("://") != std::string::npos) return "use key=value conninfo, not a URI";
  return "";
}

Spec MakePostgres() {
  Spec s = Section("postgres");
  s.Add(Text(Required(K("dsn",
                        "libpq connection string (key=value); list several hosts with "
                        "target_session_attrs=read-write to follow the primary.",
                        "",
                        "\"host=db1,db2 port=5432 dbname=authd user=authd "
                        "target_session_attrs=read-write\"")),
             F(AuthdConfig, t.postgres.dsn), DsnProblem));
  s.Add(SecretKey<AuthdConfig>(
      K("password", "Database password, by reference.", "", "env:STEER_AUTHD_PGPASSWORD"),
      F(AuthdConfig, t.postgres.password)));
  s.Add(Text(K("standby_dsn",
               "libpq connection string of this region's own node (a synchronous standby), read "
               "for sign-in, SSO and token checks while the primary cannot be reached; writes "
               "then wait for it to apply them (synchronous_commit = remote_apply).",
               "", "\"host=db-a port=5432 dbname=authd user=authd\""),
             F(AuthdConfig, t.postgres.standby_dsn), DsnProblem));
  s.Add(Int(K("pool_size", "Connections kept open by this process.", "4", "8"), 1, 64,
            F(AuthdConfig, t.postgres.pool_size)));
  s.Add(Seconds(K("connect_timeout", "Give up connecting to a host after this long.", "5s", "3s"),
                F(AuthdConfig, t.postgres.connect_timeout)));
  s.Add(Seconds(K("statement_timeout", "Abort a statement that runs longer.", "5s", "2s"),
                F(AuthdConfig, t.postgres.statement_timeout)));
  return s;
}

// `postgres` is the section above; the caller keeps it alive.
Spec MakeStore(const Spec& postgres) {
  Spec s = Section("store");
  s.Add(Text(K("sqlite", "SQLite database file of this region (one per region); or postgres.", "",
               "/var/lib/steer-authd/authd.db"),
             F(AuthdConfig, t.store_path)));
  s.Add(ObjectKey<AuthdConfig>(
      K("postgres", "PostgreSQL shared by every region; or sqlite (exactly one of the two)."),
      postgres, F(AuthdConfig, t)));
  return s;
}

Spec MakeTokens() {
  Spec s = Section("tokens");
  s.Add(Seconds(K("access_ttl", "Access token lifetime.", "10m", "5m"),
                F(AuthdConfig, t.access_ttl)));
  s.Add(Seconds(K("id_ttl", "ID token lifetime.", "10m", "5m"), F(AuthdConfig, t.id_ttl)));
  s.Add(Seconds(K("refresh_ttl", "Refresh token lifetime.", "720h", "168h"),
                F(AuthdConfig, t.refresh_ttl)));
  s.Add(Seconds(K("code_ttl", "Authorization code lifetime.", "60s", "30s"),
                F(AuthdConfig, t.code_ttl)));
  s.Add(Seconds(K("session_ttl", "SSO session (cookie) lifetime.", "12h", "8h"),
                F(AuthdConfig, t.session_ttl)));
  s.Add(Seconds(K("leeway", "Clock skew allowed when checking exp and nbf.", "30s", "10s"),
                F(AuthdConfig, t.leeway)));
  return s;
}

// lockout.* of the server config and of a tenant's file (where it overrides the server's).
template <typename T>
ObjectSpec<T> MakeLockout() {
  auto s = Section<T>("lockout");
  s.Add(Int<T>(K("max_failures", "Failed logins per account and per IP before a block.", "10", "5"),
               1, 1000, F(T, t.lockout.max_failures)));
  s.Add(
      Seconds<T>(K("block_for", "How long a block lasts; also the window failures are counted in.",
                   "15m", "2m"),
                 F(T, t.lockout.block_seconds)));
  return s;
}

std::string DnsNameProblem(const std::string& name) {
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string label = name.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!TenantNameProblem(label).empty()) return "must be a DNS name of lowercase labels";
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return "";
}

Spec MakeTenants() {
  Spec s = Section("tenants");
  s.Add(Text(Required(K("dir",
                        "Directory of tenants, one subdirectory each (tenant.yaml + keys/), "
                        "managed with `steer-authd admin tenant`; the same in every region.",
                        "", "/etc/steer/authd/tenants")),
             F(AuthdConfig, t.tenants_dir)));
  s.Add(EnumKey<AuthdConfig, TenantRouting>(
      K("routing",
        "How a request names its tenant: `path` (issuer <issuer>/t/<tenant>) or `host` "
        "(issuer <scheme>://<tenant>.<domain>, with the issuer's port).",
        "path", "host"),
      {{"path", TenantRouting::kPath}, {"host", TenantRouting::kHost}},
      F(AuthdConfig, t.tenant_routing)));
  s.Add(Text(K("domain",
               "Parent domain of the tenants' host names, not of the issuer's own host; "
               "required with routing: host.",
               "", "login.example.com"),
             F(AuthdConfig, t.tenant_domain), DnsNameProblem));
  return s;
}

Spec MakeThrottle() {
  Spec s = Section("throttle");
  s.Add(Int(
      K("logins_per_minute", "Login attempts per IP per minute (429 beyond; 0: off).", "30", "60"),
      0, 100000, F(AuthdConfig, t.logins_per_minute)));
  s.Add(Int(
      K("requests_per_second", "Requests per IP per second to any endpoint (0: off).", "0", "100"),
      0, 10000000, F(AuthdConfig, t.requests_per_second)));
  return s;
}

Spec MakeLimits() {
  Spec s = Section("limits");
  s.Add(Int(K("max_body_bytes", "Largest request body (413 beyond).", "16384", "65536"), 1024,
            1 << 20, F(AuthdConfig, t.max_body_bytes)));
  s.Add(Int(K("max_header_bytes", "Largest request header block (431 beyond).", "8192", "16384"),
            1024, 1 << 16, F(AuthdConfig, t.max_header_bytes)));
  return s;
}

Spec MakeHashing() {
  Spec s = Section("hashing");
  s.Add(Int(K("memory_kib", "Argon2id memory cost in KiB.", "19456", "65536"), 8, 4 << 20,
            F(AuthdConfig, t.hashing.memory_kib)));
  s.Add(Int(K("iterations", "Argon2id time cost.", "2", "3"), 1, 100,
            F(AuthdConfig, t.hashing.iterations)));
  s.Add(Int(K("parallelism", "Argon2id lanes.", "1", "2"), 1, 64,
            F(AuthdConfig, t.hashing.parallelism)));
  s.Add(Int(K("max_concurrent", "Password hashes computed at once (a semaphore).", "2", "4"), 1,
            1024, F(AuthdConfig, t.max_concurrent_hashes)));
  return s;
}

Spec MakeLog() {
  Spec s = Section("log");
  s.Add(EnumKey<AuthdConfig, std::string>(K("level", "Log level.", "info", "debug"),
                                          {{"trace", "trace"},
                                           {"debug", "debug"},
                                           {"info", "info"},
                                           {"warn", "warn"},
                                           {"error", "error"},
                                           {"off", "off"}},
                                          F(AuthdConfig, t.log_level)));
  s.Add(EnumKey<AuthdConfig, std::string>(K("format", "Log line format.", "text", "json"),
                                          {{"text", "text"}, {"json", "json"}},
                                          F(AuthdConfig, t.log_format)));
  return s;
}

struct AuthdSpecs {
  Spec postgres, listen, tls, store, tokens, lockout, throttle, limits, hashing, log, tenants, root;
};

// Each section is a mapping whose keys land in the flat AuthdConfig itself.
void AddSection(Spec& root, const char* key, const char* description, const Spec& section,
                bool required = false) {
  KeyInfo info = K(key, description);
  info.required = required;
  root.Add(ObjectKey<AuthdConfig>(std::move(info), section, F(AuthdConfig, t)));
}

}  // namespace

const ObjectSpec<AuthdConfig>& AuthdSpec() {
  static const AuthdSpecs* specs = [] {
    auto* s = new AuthdSpecs{MakePostgres(), MakeListen(),  MakeTls(),
                             Spec(),         MakeTokens(),  MakeLockout<AuthdConfig>(),
                             MakeThrottle(), MakeLimits(),  MakeHashing(),
                             MakeLog(),      MakeTenants(), Section("steer-authd config")};
    s->store = MakeStore(s->postgres);
    AddTopLevel(s->root);
    AddSection(s->root, "listen", "Where to serve.", s->listen);
    AddSection(s->root, "tls", "TLS certificate; required unless listening on loopback.", s->tls);
    AddSection(s->root, "store", "Where the security state lives: sqlite or postgres.", s->store,
               true);
    AddSection(s->root, "tokens", "Token and session lifetimes.", s->tokens);
    AddSection(s->root, "lockout", "Brute-force lockout.", s->lockout);
    AddSection(s->root, "throttle", "Per-IP rate limits.", s->throttle);
    AddSection(s->root, "limits", "Request size limits.", s->limits);
    AddSection(s->root, "hashing", "Password hashing (Argon2id).", s->hashing);
    AddSection(s->root, "log", "Logging.", s->log);
    AddSection(s->root, "tenants", "More issuers served by this process (multi-tenancy).",
               s->tenants);
    return s;
  }();
  return specs->root;
}

namespace {

using TenantSpecT = ObjectSpec<TenantConfig>;

std::string LogoUrlProblem(const std::string& url) {
  // It lands in an HTML attribute and a Content-Security-Policy header.
  if (url.find_first_of("\"'<> \t\r\n;,") != std::string::npos) {
    return "must not contain quotes, angle brackets, spaces, ';' or ','";
  }
  // https only (an http image is mixed content on the login page), and a host after it.
  constexpr std::string_view kHttps = "https://";
  if (url.rfind(kHttps, 0) != 0 || url.size() == kHttps.size() || url[kHttps.size()] == '/') {
    return "must start with https:// and a host";
  }
  return "";
}

TenantSpecT MakeBranding() {
  auto s = Section<TenantConfig>("branding");
  s.Add(Text<TenantConfig>(K("logo_url", "Logo shown on the login page (https:// image URL).", "",
                             "https://cdn.example.com/acme.svg"),
                           F(TenantConfig, t.branding.logo_url), LogoUrlProblem));
  s.Add(Text<TenantConfig>(
      K("primary_color", "Button and heading colour, #rgb or #rrggbb.", "", "\"#0b5fff\""),
      F(TenantConfig, t.branding.primary_color), ColorProblem));
  s.Add(Text<TenantConfig>(
      K("background_color", "Page background colour, #rgb or #rrggbb.", "", "\"#f7f7f7\""),
      F(TenantConfig, t.branding.background_color), ColorProblem));
  return s;
}

struct TenantSpecs {
  TenantSpecT branding, lockout, root;
};

}  // namespace

const ObjectSpec<TenantConfig>& TenantSpec() {
  static const TenantSpecs* specs = [] {
    auto* s = new TenantSpecs{MakeBranding(), MakeLockout<TenantConfig>(),
                              Section<TenantConfig>("tenant.yaml")};
    s->root.Add(Text<TenantConfig>(
        K("display_name", "Name shown on the login page.", "the tenant's name", "Acme Corp"),
        F(TenantConfig, t.branding.display_name)));
    KeyInfo branding = K("branding", "Login page look.");
    s->root.Add(ObjectKey<TenantConfig>(std::move(branding), s->branding, F(TenantConfig, t)));
    KeyInfo lockout = K("lockout", "Brute-force lockout of this tenant (default: the server's).");
    s->root.Add(ObjectKey<TenantConfig>(std::move(lockout), s->lockout, F(TenantConfig, t)));
    return s;
  }();
  return specs->root;
}

const ObjectInfo& TenantCatalog() { return TenantSpec().info; }

std::string TenantMarkdownReference() {
  // Same tables as the server's keys, headed so that they cannot be mistaken for them.
  return MarkdownReference(TenantCatalog(), "Tenant file ", "tenant.yaml");
}

const ObjectInfo& AuthdCatalog() { return AuthdSpec().info; }

std::string AuthdMarkdownReference() {
  return MarkdownReference(AuthdCatalog()) + TenantMarkdownReference();
}

}  // namespace steer::config
