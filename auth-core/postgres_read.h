#pragma once

// PostgresStore::Read, shared by postgres_store.cc and postgres_directory.cc (private).

#include <chrono>

#include "pg_pool.h"
#include "steer/auth/postgres_store.h"

namespace steer::auth {

// After the primary failed, reads go straight to the standby for this long: with packets
// dropped, every attempt on the primary would cost connect_timeout.
inline constexpr std::chrono::seconds kPrimaryHold{1};

template <typename Fn>
auto PostgresStore::Read(Fn&& fn, bool* from_standby) -> decltype(fn(std::declval<pg::Lease&>())) {
  if (from_standby != nullptr) *from_standby = false;
  if (standby_ == nullptr) return pool_->Run(/*idempotent=*/true, fn);
  if (!PrimaryRecentlyDown()) {
    auto r = pool_->Run(/*idempotent=*/true, fn);
    if (r || r.error().code != ErrorCode::kUnavailable) return r;
    MarkPrimaryDown();
  }
  if (from_standby != nullptr) *from_standby = true;
  return standby_->Run(/*idempotent=*/true, fn);
}

}  // namespace steer::auth
