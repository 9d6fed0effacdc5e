#include "active_overrides.h"

#include "steer/base/log.h"

namespace steer::agent {
namespace {

std::optional<policies::Time> Until(const std::optional<WallTime>& t) {
  if (!t) return std::nullopt;
  return std::chrono::duration_cast<policies::Time>(t->time_since_epoch());
}

policies::Pin PinOf(const Override& a) {
  policies::Pin pin{
      a.kind == OverrideKind::kForce ? policies::PinKind::kForce : policies::PinKind::kSwitchover,
      a.target,
      a.value,
      {},
      Until(a.expires),
      a.who};
  for (const auto& r : a.rules) {
    if (auto rule = policies::ParseRule(r)) pin.bypass.push_back(*rule);
  }
  return pin;
}

}  // namespace

policies::Overrides LoadOverrides(SharedState& shared, policies::Time now) {
  policies::Overrides o;
  auto active = shared.ActiveOverrides(WallTime(now));
  if (!active) {
    base::Logger("agent")->error("overrides: {}", active.error().message);
    return o;
  }
  for (const auto& a : *active) {
    switch (a.kind) {
      case OverrideKind::kPause:
        o.pauses.push_back({a.target == "*" ? "" : a.target, Until(a.expires)});
        break;
      case OverrideKind::kDrain:
        o.drains.push_back({a.target, Until(a.expires)});
        break;
      case OverrideKind::kForce:
      case OverrideKind::kSwitchover:
        o.pins.push_back(PinOf(a));
        break;
    }
  }
  return o;
}

}  // namespace steer::agent
