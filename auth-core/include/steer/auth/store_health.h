#pragma once

// /healthz/ready's view of the Store, kept from piling up on a stalled database. One caller at
// a time pings the store; a caller that arrives while that ping runs answers at once from the
// last completed ping, or "unreachable" when the ping in flight has already run longer than
// `slow` (or no ping has completed yet).
//
// Why: a health checker gives up on a probe after its own timeout, but the server's handler
// thread stays blocked in Ping() until the database answers. Probes every 100 ms against a
// database that takes seconds to fail over blocked steer-authd's threads, so the static
// endpoints (discovery, JWKS) timed out too, first in the region that served the traffic: a
// fault that every region shares then looked like a fault of one region.
//
// Thread-safe.

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "steer/base/clock.h"
#include "steer/base/error.h"

namespace steer::auth {

class StoreHealth {
 public:
  struct Status {
    bool ok = false;
    std::string detail;  // why not ok; "" when ok
  };
  using Ping = std::function<Result<void>()>;

  StoreHealth(Ping ping, const base::Clock& clock, std::chrono::milliseconds slow);

  Status Check();

 private:
  const Ping ping_;
  const base::Clock& clock_;
  const std::chrono::milliseconds slow_;
  std::mutex mu_;
  bool in_flight_ = false;             // guarded by mu_
  base::Clock::SteadyTime started_{};  // guarded by mu_: of the ping in flight
  bool have_last_ = false;             // guarded by mu_
  Status last_;                        // guarded by mu_
};

}  // namespace steer::auth
