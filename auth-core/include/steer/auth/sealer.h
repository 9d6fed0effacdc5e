#pragma once

// AEAD sealing (AES-256-GCM) of the state a client carries for us: the SSO session cookie,
// the pending authorization request, authorization codes and refresh tokens. Every region
// loads the same key file, so any region opens what another sealed.
// Key file (aead.keys): lines "<slot> <base64url 32-byte key>", slot current|next|previous.
// Seal uses `current`; Open accepts all three, so keys rotate like signing keys (publish next
// everywhere, promote, retire). Sealed form: base64url(key id[4] || nonce[12] || ct || tag[16]);
// the key id is the first 4 bytes of SHA-256(key). The purpose string is authenticated data,
// so a refresh token cannot be replayed as a code or cookie. Immutable; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steer/base/error.h"

namespace steer::auth {

inline constexpr char kAeadKeyFileName[] = "aead.keys";
// The longest sealed value (base64url characters) Open accepts and Seal produces; plaintexts
// up to kMaxSealedPlaintext bytes fit.
inline constexpr size_t kMaxSealed = 8192;
inline constexpr size_t kMaxSealedPlaintext = kMaxSealed / 4 * 3 - 4 - 12 - 16;

// One key file line with a fresh random key, newline-terminated.
std::string NewAeadKeyLine(std::string_view slot);
// next -> current -> previous, fresh next; old previous dropped.
Result<std::string> RotateAeadKeyText(std::string_view text);

class Sealer {
 public:
  struct Key {
    std::string slot;
    std::string bytes;  // 32 bytes
  };

  static Result<Sealer> Parse(std::string_view text);
  static Result<Sealer> LoadFile(const std::string& path);

  // The same keys bound to `context` (a tenant's name): the context is authenticated data
  // too, so nothing sealed under one context opens under another, even with the same keys.
  Sealer WithContext(std::string context) const;

  // kInvalidArgument when `plaintext` is longer than kMaxSealedPlaintext: Open would refuse it.
  Result<std::string> Seal(std::string_view purpose, std::string_view plaintext) const;
  // nullopt for anything not sealed by one of our keys for this purpose.
  std::optional<std::string> Open(std::string_view purpose, std::string_view sealed) const;

 private:
  struct Loaded {
    std::string id;  // 4 bytes
    std::string bytes;
  };
  std::string Aad(std::string_view purpose, std::string_view key_id) const;

  std::vector<Loaded> keys_;  // keys_[0] is current
  std::string context_;
};

}  // namespace steer::auth
