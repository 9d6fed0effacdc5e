#pragma once

// The operations API's current tokens, replaced as a whole when steerd reloads (a rotated
// token file or agent.api_token). Each request takes a snapshot with Get(): a request that
// started before a swap finishes with the tokens it began with, and the old set is freed when
// its last reader lets go.
//
// Thread-safety: Get() and Set() may be called concurrently from any thread.

#include <memory>
#include <mutex>

#include "api/token_auth.h"

namespace steer::agent::api {

class TokenHolder {
 public:
  explicit TokenHolder(TokenAuth initial = {})
      : current_(std::make_shared<const TokenAuth>(std::move(initial))) {}

  std::shared_ptr<const TokenAuth> Get() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void Set(TokenAuth next) {
    auto fresh = std::make_shared<const TokenAuth>(std::move(next));
    std::lock_guard lock(mu_);
    current_.swap(fresh);
    // The old set (now in `fresh`) is released after the lock, by whoever holds it last.
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const TokenAuth> current_;
};

}  // namespace steer::agent::api
