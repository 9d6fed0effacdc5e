#pragma once

// The engine's output for one service on one tick. Plain data.

#include <string>
#include <vector>

#include "steer/policies/health.h"
#include "steer/policies/state.h"

namespace steer::policies {

enum class Action {
  kNone,        // nothing to change
  kHold,        // a change is wanted but a timer has not run out (hold_down, min interval,
                // failback_after) or a region is unknown, or everything is down (keep)
  kFailover,    // automatic move away from a down or drained region, or out of serve_all
                // (cause recovered) to the best healthy region, whichever it is
  kFailback,    // automatic move to a higher-priority region healthy for failback_after
  kBlocked,     // a change is wanted but a rule refuses it (pause, block window, rate limit)
  kSwitchover,  // operator's planned move to a healthy region
  kForced,      // operator's forced move, possibly bypassing named rules
  kServeAll,    // every region down or unknown and all_down: serve_all: fail open
};
const char* ActionName(Action a);

// One region's quorum verdict, with the counts behind it.
struct RegionVerdict {
  std::string region;
  Health verdict = Health::kUnknown;
  int healthy_votes = 0;
  int down_votes = 0;
  int voters = 0;          // outside vantage points with a fresh, definite view
  int eligible = 0;        // outside vantage points known to the view
  int quorum = 0;          // votes needed
  int inside_healthy = 0;  // the region's own vantage points, reported only
  int inside_down = 0;
  std::string summary;  // "us-east down: 3/3 vantage points saw auth fail 3x (HTTP 503)"
  // Down: the counted components the voting vantage points saw fail, in layout order.
  std::vector<std::string> failing{};
};

// One component of a region (e.g. us-east's `auth`) judged alone by the same quorum rule as its
// region: a vantage point sees it down when any fresh probe of it is unhealthy, healthy when
// every probe is fresh and healthy. For uptime history and reports; decisions never read it.
struct ComponentVerdict {
  std::string region;
  std::string component;
  Health verdict = Health::kUnknown;
  int down_votes = 0;
  int voters = 0;  // vantage points with a definite view (the region's own ones only when no
                   // outside vantage point reports on it)
};

struct Decision {
  std::string service;
  Action action = Action::kNone;
  // Machine-readable cause; which action carries which cause: docs/policies.md, "Decision
  // kinds and causes". none: healthy, pinned, failback_manual, all_down_serve_all. hold:
  // hold_down, unknown, failback_wait, all_down_keep, min_change_interval. failover: down,
  // drained, recovered. failback: failback. blocked: paused, block_window,
  // max_changes_per_hour. switchover: switchover. forced: forced. serve_all:
  // all_down_serve_all.
  std::string cause;
  std::string from;                    // region served before this tick ("*" = all regions)
  std::string to;                      // region served after this tick ("*" = all regions)
  std::vector<std::string> answers;    // never empty when the service has answers
  std::vector<std::string> reasons;    // the chain, most important first
  std::string sentence;                // one line for humans
  std::vector<RegionVerdict> regions;  // the service's regions, in policy order
  ServiceState next;                   // the state to pass on the next tick
};

}  // namespace steer::policies
