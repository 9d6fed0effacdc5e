#pragma once

// steer-authd's configuration: YAML -> AuthdConfig, validated like a policy with the same
// reader (config/authd_schema.cc holds every key). Every problem is reported, not just the
// first, as file:line:col: key.path: message; unknown keys are errors. Relative paths are
// resolved against the config file's directory. Stateless; thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "steer/base/secret.h"
#include "steer/config/catalog.h"
#include "steer/config/loader.h"

namespace steer::config {

// lockout.*: failures per account and per IP before a block.
struct LockoutPolicy {
  int max_failures = 10;
  int64_t block_seconds = 900;  // also the window in which failures are counted
  bool operator==(const LockoutPolicy&) const = default;
};

// hashing.*: Argon2id cost (OWASP defaults).
struct HashParams {
  uint32_t memory_kib = 19456;
  uint32_t iterations = 2;
  uint32_t parallelism = 1;
  bool operator==(const HashParams&) const = default;
};

// store.postgres.*: the PostgreSQL store shared by every region (docs/auth-core.md).
struct PostgresConfig {
  std::string dsn;                // dsn: libpq conninfo; several hosts for failover
  base::SecretRef password;       // password: env:NAME or file:/path (never inline)
  std::string standby_dsn;        // standby_dsn: the nearby node read while the primary is away
  int pool_size = 4;              // pool_size: connections per process
  int64_t connect_timeout = 5;    // connect_timeout (seconds)
  int64_t statement_timeout = 5;  // statement_timeout (seconds)
  bool operator==(const PostgresConfig&) const = default;
};

// tenants.routing: how a request names its tenant (and so the tenant's issuer).
enum class TenantRouting {
  kPath,  // <issuer>/t/<tenant>
  kHost,  // <scheme>://<tenant>.<tenants.domain>[:<issuer's port>]
};

struct AuthdConfig {
  std::string issuer;                        // issuer: identical in every region
  std::string listen_address = "127.0.0.1";  // listen.address
  int port = 8443;                           // listen.port
  int64_t shutdown_timeout = 30;             // listen.shutdown_timeout (seconds)
  std::string tls_cert_file;                 // tls.cert_file (PEM chain)
  std::string tls_key_file;                  // tls.key_file
  int threads = 2;                           // threads: I/O + handler threads
  std::string keys_dir;                      // keys_dir: signing PEMs + aead.keys
  std::string store_path;                    // store.sqlite ("" with store.postgres)
  PostgresConfig postgres;                   // store.postgres (dsn "" with store.sqlite)
  int64_t access_ttl = 600;                  // tokens.access_ttl (seconds)
  int64_t id_ttl = 600;                      // tokens.id_ttl
  int64_t refresh_ttl = 30 * 24 * 3600;      // tokens.refresh_ttl
  int64_t code_ttl = 60;                     // tokens.code_ttl
  int64_t session_ttl = 12 * 3600;           // tokens.session_ttl
  int64_t leeway = 30;                       // tokens.leeway
  LockoutPolicy lockout;                     // lockout.max_failures, lockout.block_for
  int logins_per_minute = 30;                // throttle.logins_per_minute (per IP; 0 = off)
  int requests_per_second = 0;               // throttle.requests_per_second (per IP; 0 = off)
  size_t max_body_bytes = 16 * 1024;         // limits.max_body_bytes
  size_t max_header_bytes = 8 * 1024;        // limits.max_header_bytes
  HashParams hashing;                        // hashing.memory_kib, .iterations, .parallelism
  int max_concurrent_hashes = 2;             // hashing.max_concurrent
  std::string log_level = "info";            // log.level
  std::string log_format = "text";           // log.format: text | json
  std::string tenants_dir;                   // tenants.dir ("" = the top-level issuer only)
  TenantRouting tenant_routing = TenantRouting::kPath;  // tenants.routing
  std::string tenant_domain;                            // tenants.domain (routing: host)

  bool plain_http() const { return tls_cert_file.empty(); }
  bool operator==(const AuthdConfig&) const = default;
};

tl::expected<AuthdConfig, Diagnostics> ParseAuthdConfig(std::string_view yaml,
                                                        const std::string& file_name,
                                                        const LoadLimits& limits = {});
tl::expected<AuthdConfig, Diagnostics> LoadAuthdConfig(const std::string& path,
                                                       const LoadLimits& limits = {});

// The root of steer-authd's config file, for the docs (docs/auth-core.md).
const ObjectInfo& AuthdCatalog();

// The key reference of docs/auth-core.md (Markdown tables, one per section).
std::string AuthdMarkdownReference();

// True for 127.0.0.0/8, ::1, "localhost" and names under "localhost." (RFC 6761 §6.3).
bool IsLoopbackHost(std::string_view host);

}  // namespace steer::config
