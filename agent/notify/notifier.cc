#include "notify/notifier.h"

#include <ctime>

namespace steer::agent::notify {

std::string FormatUtc(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string RenderText(const Notification& n) {
  std::string out = "[steer] " + n.summary + "\n";
  out += "event: " + n.event + "\n";
  if (!n.service.empty()) out += "service: " + n.service + "\n";
  out += "time: " + FormatUtc(n.when) + "\n";
  for (const auto& [k, v] : n.fields) out += k + ": " + v + "\n";
  return out;
}

}  // namespace steer::agent::notify
