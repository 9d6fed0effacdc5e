#pragma once

// The state that must be unique across an issuer: single-use codes, refresh-token families,
// revocations, lockout counters, plus the user and client directory. Everything a client
// carries (session, codes, refresh tokens) is sealed and needs no lookup to be opened; the
// store only answers "has this been used / revoked / blocked". Each ability is its own small
// interface; Store bundles them for the SQLite implementation (and a replicated one later).
// Every implementation must be safe to call from many threads at once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steer/base/error.h"
#include "steer/config/authd_config.h"

namespace steer::auth {

struct User {
  std::string username;       // login name, unique
  std::string subject;        // `sub`: stable, never reused (kept after removal)
  std::string password_hash;  // Argon2id PHC string
  std::string email;
  std::string name;
  // Every code, session, refresh and access token carries the generation it was issued at;
  // disabling or removing the user revokes UserRevocationId(subject, g) for each older g.
  int64_t generation = 0;
  bool disabled = false;  // cannot log in
};

// The revocation id that ends every token of `subject` issued at `generation`.
std::string UserRevocationId(std::string_view subject, int64_t generation);

struct Client {
  std::string client_id;
  // Hex SHA-256 of the secret. Client secrets are generated with 256 bits of entropy, so a
  // fast hash suffices (unlike passwords); empty for a public client (PKCE required).
  std::string secret_hash;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  std::vector<std::string> grant_types;  // authorization_code, refresh_token, ...
  std::string audience;                  // `aud` of its access tokens; empty = issuer
  std::string access_token_alg = "ES256";
  // OIDC Registration's id_token_signed_response_alg; RS256 is the OIDC default, ES256 is
  // about 25 times cheaper to sign, which matters on every code exchange and refresh.
  std::string id_token_alg = "RS256";
  std::vector<std::string> scopes;  // what client_credentials may request
  std::string name;
  // Browser origins allowed to call /token, /revoke and /userinfo cross-origin (CORS),
  // normalised by NormalizeWebOrigin (steer/auth/web_origin.h).
  std::vector<std::string> web_origins;

  bool is_public() const { return secret_hash.empty(); }
  bool AllowsGrant(std::string_view grant) const;
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual Result<std::optional<User>> FindUser(std::string_view username) = 0;
  // Inserts a new user; kAlreadyExists when the name exists or the subject is or was used.
  virtual Result<void> AddUser(const User& user) = 0;
  // True when any user has or had `subject` (subjects of removed users are kept).
  virtual Result<bool> SubjectUsed(std::string_view subject) = 0;
  // Atomically: revokes UserRevocationId(subject, g) for every g < new_generation until
  // `revoke_until`, then either disables the user at `new_generation` or (remove) deletes it
  // and keeps its subject retired. False when there is no such user (nothing changed).
  virtual Result<bool> EndUser(std::string_view username, bool remove, int64_t new_generation,
                               int64_t revoke_until) = 0;
  // Lets a disabled user log in again (at its current generation). False: no such user.
  virtual Result<bool> EnableUser(std::string_view username) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
};

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  virtual Result<std::optional<Client>> FindClient(std::string_view client_id) = 0;
  virtual Result<void> PutClient(const Client& client) = 0;
  virtual Result<bool> RemoveClient(std::string_view client_id) = 0;
  virtual Result<std::vector<Client>> ListClients() = 0;
};

// Single use: authorization codes.
class ReplayStore {
 public:
  virtual ~ReplayStore() = default;
  // True the first time `id` is seen; false on every later call until `expires_at` passes.
  virtual Result<bool> ConsumeOnce(std::string_view id, int64_t expires_at) = 0;
};

enum class RefreshOutcome { kRotated, kReused, kRevoked };

// Where a store's IsRevoked looks: the database each time (admin commands, tests), or an
// in-memory copy kept fresh by a thread of the store (a serving steer-authd).
enum class RevocationReads { kDatabase, kMirror };

class TokenStateStore {
 public:
  virtual ~TokenStateStore() = default;
  // Records `token_id` (generation 0) as the only valid refresh token of a new family.
  virtual Result<void> StartFamily(std::string_view family, std::string_view token_id,
                                   int64_t expires_at) = 0;
  // Atomically: if `presented` (generation `gen`) is the family's current token it is
  // replaced by `next` at gen + 1 (kRotated); a stale token revokes the whole family
  // (kReused); a revoked family stays revoked (kRevoked). A family this store never saw, or
  // saw at an older generation, is adopted: another region rotated it (failover/failback).
  virtual Result<RefreshOutcome> RotateRefresh(std::string_view family, std::string_view presented,
                                               int64_t gen, std::string_view next,
                                               int64_t expires_at) = 0;
  // False when `token_id`/`gen` is no longer the family's current token (rotated away).
  virtual Result<bool> IsCurrentRefresh(std::string_view family, std::string_view token_id,
                                        int64_t gen) = 0;
  // Revokes a token id, family id or session id until `expires_at`.
  virtual Result<void> Revoke(std::string_view id, int64_t expires_at) = 0;
  // True when any of `ids` is revoked; one query for up to four ids.
  virtual Result<bool> IsRevoked(const std::vector<std::string>& ids) = 0;
};

// lockout.* of steer-authd's config.
using LockoutPolicy = config::LockoutPolicy;

class LockoutStore {
 public:
  virtual ~LockoutStore() = default;
  // Epoch seconds until which `key` ("user:alice", "ip:127.0.0.1") is blocked, 0 if not.
  virtual Result<int64_t> BlockedUntil(std::string_view key, int64_t now) = 0;
  // Counts a failure; returns the new BlockedUntil.
  virtual Result<int64_t> RecordFailure(std::string_view key, int64_t now,
                                        const LockoutPolicy& policy) = 0;
  // Success or admin unlock.
  virtual Result<void> ClearFailures(std::string_view key) = 0;
};

class Store : public UserStore,
              public ClientStore,
              public ReplayStore,
              public TokenStateStore,
              public LockoutStore {
 public:
  // Readiness: the store answers a trivial query.
  virtual Result<void> Ping() = 0;
  // Drops rows whose expiry has passed.
  virtual Result<void> Purge(int64_t now) = 0;
};

}  // namespace steer::auth
