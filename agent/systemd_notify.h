#pragma once

// systemd readiness and watchdog (sd_notify): READY=1 once the agent serves, STATUS= lines an
// operator sees in `systemctl status`, WATCHDOG=1 at half of WATCHDOG_USEC from the decision
// loop (so a hung loop gets the service restarted), STOPPING=1 on shutdown. Every call is a
// no-op when not started by systemd (no NOTIFY_SOCKET).
//
// Thread-safety: all methods may be called from any thread (sd_notify is stateless).

#include <chrono>
#include <mutex>
#include <string>

namespace steer::agent {

class SystemdNotifier {
 public:
  using Clock = std::chrono::steady_clock;

  // Reads WATCHDOG_USEC/WATCHDOG_PID now.
  SystemdNotifier();

  void Ready(const std::string& status);
  void Status(const std::string& status);
  void Stopping();
  // Sends WATCHDOG=1 if at least the ping interval passed since the last one. Cheap.
  void MaybePetWatchdog(Clock::time_point now);

  // Half of WATCHDOG_USEC; zero when the watchdog is off.
  std::chrono::microseconds ping_interval() const { return interval_; }

 private:
  std::chrono::microseconds interval_{0};
  std::mutex mu_;
  Clock::time_point last_ping_{};
};

}  // namespace steer::agent
