#include "steer/auth/store_health.h"

#include <string>

#include "steer/base/log.h"

namespace steer::auth {

StoreHealth::StoreHealth(Ping ping, const base::Clock& clock, std::chrono::milliseconds slow)
    : ping_(std::move(ping)), clock_(clock), slow_(slow) {}

StoreHealth::Status StoreHealth::Check() {
  {
    std::lock_guard lock(mu_);
    auto now = clock_.SteadyNow();
    if (in_flight_) {
      auto ran = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_);
      if (ran > slow_) return {false, "a ping has waited " + std::to_string(ran.count()) + " ms"};
      if (!have_last_) return {false, "the first ping has not completed"};
      return last_;
    }
    in_flight_ = true;
    started_ = now;
  }
  Result<void> r;
  try {
    r = ping_();
  } catch (...) {  // not by contract (errors are values), but never leave a ping in flight
    std::lock_guard lock(mu_);
    in_flight_ = false;
    throw;
  }
  std::lock_guard lock(mu_);
  in_flight_ = false;
  Status status = r ? Status{true, ""} : Status{false, r.error().message};
  if (have_last_ && status.ok != last_.ok) {
    if (status.ok) base::Logger("auth")->info("store health: the store answers again");
    if (!status.ok) base::Logger("auth")->warn("store health: {}", status.detail);
  }
  have_last_ = true;
  last_ = std::move(status);
  return last_;
}

}  // namespace steer::auth
