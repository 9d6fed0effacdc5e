#pragma once

// Small crypto helpers shared by auth-core: base64url (RFC 4648 §5, no padding), randomness
// from the OpenSSL DRBG, SHA-256 and constant-time comparison. All functions are thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace steer::auth {

std::string Base64UrlEncode(std::string_view data);
// Strict: only the URL-safe alphabet, no padding, no whitespace; nullopt otherwise.
std::optional<std::string> Base64UrlDecode(std::string_view text);
// Standard alphabet with padding (HTTP Basic credentials).
std::string Base64Encode(std::string_view data);
// Standard alphabet with padding (HTTP Basic credentials); nullopt when malformed.
std::optional<std::string> Base64Decode(std::string_view text);

// Cryptographically strong random bytes; aborts the process if the DRBG fails, because
// continuing with predictable tokens would be worse than stopping.
std::string RandomBytes(size_t n);
// n random bytes, base64url-encoded: session ids, CSRF tokens, token ids.
std::string RandomToken(size_t n = 16);

std::string Sha256(std::string_view data);
std::string HexEncode(std::string_view data);

// Compares secrets without leaking the position of the first difference (CRYPTO_memcmp).
// Different lengths compare unequal; the length itself is not secret here.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace steer::auth
