#include "systemd_notify.h"

#include <systemd/sd-daemon.h>

#include "steer/base/log.h"

namespace steer::agent {
namespace {

void Send(const std::string& state) {
  int rc = sd_notify(0, state.c_str());
  if (rc < 0) base::Logger("agent")->warn("sd_notify failed: {}", -rc);
}

// STATUS= is one line.
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    interval_ = std::chrono::microseconds(usec / 2);
  }
}

void SystemdNotifier::Ready(const std::string& status) {
  Send("READY=1\nSTATUS=" + OneLine(status));
}

void SystemdNotifier::Status(const std::string& status) { Send("STATUS=" + OneLine(status)); }

void SystemdNotifier::Stopping() { Send("STOPPING=1"); }

void SystemdNotifier::MaybePetWatchdog(Clock::time_point now) {
  if (interval_.count() == 0) return;
  {
    std::lock_guard lock(mu_);
    if (now - last_ping_ < interval_) return;
    last_ping_ = now;
  }
  Send("WATCHDOG=1");
}

}  // namespace steer::agent
