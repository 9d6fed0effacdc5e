#pragma once

// Compact JWS JWTs: signing with a KeySet key and verification following RFC 8725:
// an algorithm allow-list (never `none`, never HMAC), the key found by `kid` in the key map
// only and its type bound to the header `alg` (so an HS256 token "signed" with a public key
// is refused), explicit `typ` per kind of token, and `iss`/`aud`/`exp`/`nbf` checks with a
// small leeway. Stateless functions; thread-safe.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "steer/auth/key_set.h"
#include "steer/base/error.h"

namespace steer::auth {

inline constexpr char kTypAccessToken[] = "at+jwt";  // RFC 9068
inline constexpr char kTypIdToken[] = "JWT";
inline constexpr size_t kMaxJwtBytes = 16 * 1024;

Result<std::string> SignJwt(const SigningKey& key, std::string_view typ,
                            const nlohmann::json& claims);

struct JwtRules {
  std::string issuer;
  std::vector<std::string> audiences;  // the token's aud must contain one; empty = any
  std::string typ;                     // required header typ (case-insensitive)
  std::vector<JwsAlg> algorithms = {JwsAlg::kRS256, JwsAlg::kES256};
  int64_t now = 0;
  int64_t leeway = 30;       // seconds
  bool check_expiry = true;  // false only for id_token_hint at logout
};

// The verified claims, or kPermissionDenied with a reason safe to log (never the token).
Result<nlohmann::json> VerifyJwt(std::string_view token, const KeySet& keys, const JwtRules& rules);

}  // namespace steer::auth
