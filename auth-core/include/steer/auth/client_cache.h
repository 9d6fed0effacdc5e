#pragma once

// A short-lived read-through cache of client registrations in front of the ClientStore, so
// the token and introspection hot paths do not query the store per request. A changed or
// removed client takes effect within `ttl_seconds`. Lookups that fail are not cached.
// Thread-safe (shared mutex).

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "steer/auth/store.h"

namespace steer::auth {

class ClientCache {
 public:
  ClientCache(ClientStore& store, double ttl_seconds) : store_(store), ttl_(ttl_seconds) {}

  Result<std::optional<Client>> Find(std::string_view client_id) {
    auto now = std::chrono::steady_clock::now();
    {
      std::shared_lock lock(mu_);
      auto it = entries_.find(client_id);
      if (it != entries_.end() && it->second.expires > now) return it->second.client;
    }
    auto found = store_.FindClient(client_id);
    if (!found) return found;
    std::unique_lock lock(mu_);
    if (entries_.size() > 10000) entries_.clear();  // bounded; unknown ids are cached too
    entries_[std::string(client_id)] = {
        *found, now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(ttl_))};
    return found;
  }

 private:
  struct Entry {
    std::optional<Client> client;
    std::chrono::steady_clock::time_point expires;
  };
  ClientStore& store_;
  double ttl_;
  std::shared_mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace steer::auth
