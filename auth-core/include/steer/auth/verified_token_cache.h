#pragma once

// Remembers access tokens whose signature and claims were already verified, keyed by the
// exact token bytes (compared in full, so a forged token never hits an entry; no hash of the
// token is computed per request), so introspection and userinfo skip the ECDSA/RSA verify for
// a token they have seen. Entries carry the token's `exp` and are ignored after it;
// revocation is still checked in the store on every use. Bounded: cleared when full.
// Thread-safe (shared mutex).

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace steer::auth {

class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(size_t max_entries = 50000) : max_(max_entries) {}

  // The verified claims, shared: nothing is copied under the lock.
  std::shared_ptr<const nlohmann::json> Find(const std::string& token, int64_t now) const {
    std::shared_lock lock(mu_);
    auto it = map_.find(token);
    if (it == map_.end() || it->second.exp <= now) return nullptr;
    return it->second.claims;
  }

  void Add(const std::string& token, std::shared_ptr<const nlohmann::json> claims, int64_t exp) {
    std::unique_lock lock(mu_);
    if (map_.size() >= max_) map_.clear();
    map_[token] = {std::move(claims), exp};
  }

 private:
  struct Entry {
    std::shared_ptr<const nlohmann::json> claims;
    int64_t exp;
  };
  size_t max_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> map_;
};

}  // namespace steer::auth
