#pragma once

// The signing keys of one issuer: for each algorithm a previous, current and next key,
// loaded from PEM files that are identical in every region. Tokens are signed with the
// current key; the JWKS publishes all three so verifiers already know `next` before it is
// promoted and still know `previous` until tokens signed with it have expired.
// Key directory layout: {previous,current,next}-{rs256,es256}.pem; only current-rs256.pem is
// mandatory (OIDC requires RS256). Immutable after loading; thread-safe.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "steer/auth/signing_key.h"
#include "steer/base/error.h"

namespace steer::auth {

enum class KeySlot { kPrevious, kCurrent, kNext };

const char* SlotName(KeySlot slot);
// "current-es256.pem" etc.
std::string KeyFileName(KeySlot slot, JwsAlg alg);

class KeySet {
 public:
  static Result<KeySet> LoadDir(const std::string& dir);

  void Add(KeySlot slot, std::shared_ptr<const SigningKey> key);
  // The key to sign with, or nullptr when the algorithm has no current key.
  const SigningKey* Current(JwsAlg alg) const;
  // Lookup by kid only: the kid is never used as a path or query (RFC 8725 §3.10).
  const SigningKey* Find(std::string_view kid) const;
  std::string JwksJson() const;
  size_t size() const { return by_kid_.size(); }

 private:
  std::map<std::string, std::shared_ptr<const SigningKey>, std::less<>> by_kid_;
  std::map<std::pair<KeySlot, JwsAlg>, std::shared_ptr<const SigningKey>> by_slot_;
};

// Admin: creates current and next keys of both algorithms plus the AEAD key file in `dir`
// where they are missing (mode 0600). Never overwrites.
Result<std::vector<std::string>> GenerateKeyDir(const std::string& dir);
// Admin: previous is removed, current becomes previous, next becomes current, a fresh next is
// generated; the AEAD key file gains a new current key and keeps one previous key.
Result<std::vector<std::string>> RotateKeyDir(const std::string& dir);

}  // namespace steer::auth
