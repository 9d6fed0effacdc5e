#pragma once

// Operator overrides: pause, drain, force, switchover, each with an optional expiry, and the
// named safety rules an operator may bypass. The engine reads them; it never stores them.
// Plain data.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steer/policies/health.h"

namespace steer::policies {

// Every rule that can refuse an operator request or a change. A forced failover may bypass
// the ones marked "bypassable" by naming them; nothing can bypass the others.
enum class Rule {
  kAtLeastOneServing,  // bypassable: the served region must not be down by quorum
  kMaxChangesPerHour,  // bypassable: safety.max_changes_per_hour
  kMinChangeInterval,  // bypassable: min_change_interval
  kNotDrained,         // bypassable: the target region is not drained
  kHealthyTarget,      // switchover only: the target must be healthy by quorum
  kKnownTarget,        // the service and region exist and the region serves the service
};
const char* RuleName(Rule rule);
std::optional<Rule> ParseRule(std::string_view name);

struct Pause {
  std::string service;  // "" pauses every service
  std::optional<Time> until;
};

struct Drain {
  std::string region;
  std::optional<Time> until;
};

enum class PinKind { kForce, kSwitchover };

// Steer one service to one region until cleared or expired.
struct Pin {
  PinKind kind = PinKind::kSwitchover;
  std::string service;
  std::string region;
  std::vector<Rule> bypass;  // force only: the rules the operator overrides, by name
  std::optional<Time> until;
  std::string by;  // who asked, for the reason text ("" = operator)
};

struct Overrides {
  std::vector<Pause> pauses;
  std::vector<Drain> drains;
  std::vector<Pin> pins;  // at most one per service is honoured: the last one
};

bool Active(const std::optional<Time>& until, Time now);
bool IsPaused(const Overrides& o, const std::string& service, Time now);
bool IsDrained(const Overrides& o, const std::string& region, Time now);
const Pin* FindPin(const Overrides& o, const std::string& service, Time now);

// The answer to "may I do this?": allowed, or the first rule that refuses and why.
struct RequestCheck {
  bool allowed = true;
  std::optional<Rule> refused_by;
  std::string reason;
};

}  // namespace steer::policies
