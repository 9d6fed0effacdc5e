#include "active_overrides.h"

#include <mutex>
#include <string>

#include "steer/base/log.h"

namespace steer::agent {
namespace {

policies::Time Ms(WallTime t) {
  return std::chrono::duration_cast<policies::Time>(t.time_since_epoch());
}

policies::Pin PinOf(const Override& a, policies::Time now) {
  policies::Pin pin{
      a.kind == OverrideKind::kForce ? policies::PinKind::kForce : policies::PinKind::kSwitchover,
      a.target,
      a.value,
      {},
      OverrideUntil(a, now),
      a.who};
  for (const auto& r : a.rules) {
    if (auto rule = policies::ParseRule(r)) pin.bypass.push_back(*rule);
  }
  return pin;
}

}  // namespace

std::optional<policies::Time> OverrideUntil(const Override& o, policies::Time now) {
  if (!o.expires) return std::nullopt;
  policies::Time until = Ms(*o.expires);
  const policies::Time created = Ms(o.created);
  if (created > now) until -= created - now;  // the clock was stepped back since it was made
  return until;
}

std::optional<policies::Overrides> LoadOverrides(SharedState& shared, policies::Time now) {
  policies::Overrides o;
  auto active = shared.ActiveOverrides(WallTime(now));
  if (!active) {
    // Read every tick: say it once per distinct error, not 10 times a second.
    static std::mutex mu;
    static std::string last;
    std::lock_guard lock(mu);
    if (active.error().message != last) {
      base::Logger("agent")->error("overrides unreadable: {}", active.error().message);
      last = active.error().message;
    }
    return std::nullopt;
  }
  for (const auto& a : *active) {
    switch (a.kind) {
      case OverrideKind::kPause:
        o.pauses.push_back({a.target == "*" ? "" : a.target, OverrideUntil(a, now)});
        break;
      case OverrideKind::kDrain:
        o.drains.push_back({a.target, OverrideUntil(a, now)});
        break;
      case OverrideKind::kForce:
      case OverrideKind::kSwitchover:
        o.pins.push_back(PinOf(a, now));
        break;
    }
  }
  return o;
}

}  // namespace steer::agent
