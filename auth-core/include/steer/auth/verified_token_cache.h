#pragma once

// Remembers access tokens whose signature and claims were already verified, keyed by the
// exact token bytes (compared in full, so a forged token never hits an entry; no cryptographic
// hash of the token is computed per request), so introspection and userinfo skip the
// ECDSA/RSA verify for a token they have seen. Entries carry the token's `exp` and are
// ignored after it; revocation is still checked in the store on every use. Bounded: cleared
// when full. Thread-safe (shared mutex).

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace steer::auth {

// What is derived once from a verified access token and never changes for it, so that each
// use reads one small object instead of walking the claims again.
struct VerifiedToken {
  nlohmann::json claims;
  // The RFC 7662 answer while the token is active: the claims without the internal `gid` and
  // `ugen`, plus `active`, `token_type` and `username`. Made once, since a resource server
  // introspects the same token on every call it serves.
  std::string introspection;
  std::vector<std::string> audiences;  // the string members of `aud`
  std::optional<int64_t> nbf;
  bool bad_nbf = false;  // an `nbf` that is not an integer: never usable
  // jti, gid, sid and the user generation's id ("" where absent): revoking any ends the token.
  std::vector<std::string> revocation_ids;
};

class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(size_t max_entries = 50000) : max_(max_entries) {}

  // The verified token, shared: nothing is copied under the lock.
  std::shared_ptr<const VerifiedToken> Find(const std::string& token, int64_t now) const {
    std::shared_lock lock(mu_);
    auto it = map_.find(token);
    if (it == map_.end() || it->second.exp <= now) return nullptr;
    return it->second.verified;
  }

  void Add(const std::string& token, std::shared_ptr<const VerifiedToken> verified, int64_t exp) {
    std::unique_lock lock(mu_);
    if (map_.size() >= max_) map_.clear();
    map_[token] = {std::move(verified), exp};
  }

 private:
  struct Entry {
    std::shared_ptr<const VerifiedToken> verified;
    int64_t exp;
  };
  size_t max_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> map_;
};

}  // namespace steer::auth
