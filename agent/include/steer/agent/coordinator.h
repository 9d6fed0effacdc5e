#pragma once

// Coordination between the agents of one deployment (one per vantage point).
//
// Two things are coordinated here: (1) observations — each vantage point publishes its
// post-hysteresis view of every probe target and reads everyone else's, so a region is judged
// by a quorum of vantage points and not by one agent's network path; (2) leadership — exactly
// one agent writes DNS, and every write carries a fencing token that the coordinator
// re-checks immediately before the write, so a paused or partitioned ex-leader is refused
// (Kleppmann; in etcd the token is the leader key's create_revision and the check is a txn
// guarded by it). What a new leader continues from (engine state, operator overrides) is the
// SharedState (shared_state.h), guarded by the same token.
//
// Implementations: LocalCoordinator (one agent, always leader; agent/local_coordinator.h) and
// EtcdCoordinator (agent/etcd/etcd_coordinator.h), mapped onto etcd as docs/architecture.md
// "Coordination" describes.
//
// Thread-safety: every method of every implementation may be called from any thread
// concurrently. Methods may block on the network (etcd) but honour their own timeouts.

#include <cstdint>
#include <string>
#include <vector>

#include "steer/base/error.h"
#include "steer/policies/health.h"

namespace steer::agent {

// One vantage point's post-hysteresis state of one probe target, named (not indexed) so that
// agents whose policies differ for a moment during a rolling reload still match targets up.
struct TargetReport {
  std::string region;
  std::string component;
  std::string probe;
  policies::Health state = policies::Health::kUnknown;
  int consecutive_ok = 0;
  int consecutive_fail = 0;
  int64_t age_ms = 0;  // how old the newest probe result was when the report was published
  std::string error;   // the latest failure's short text ("" when healthy)

  bool operator==(const TargetReport&) const = default;
};

// Everything one vantage point publishes: its view of every target it probes.
struct VantageReport {
  std::string vantage;
  std::string home_region;  // "" when the vantage point runs outside every region
  std::vector<TargetReport> targets;
  // Set by ReadReports: this agent's wall time (ms since the epoch) when it first saw this
  // version of the report. Freshness is judged on the reader's clock, never the writer's.
  int64_t received_ms = 0;
};

struct Leadership {
  bool is_leader = false;
  int64_t fencing_token = 0;  // meaningful only while is_leader
  std::string leader;         // vantage name of the current leader; "" if none is known
  bool frozen = false;        // no agent can be known to lead: nothing is written
  std::string why;            // why frozen, or "" (e.g. "etcd unreachable: ...")
};

class Coordinator {
 public:
  virtual ~Coordinator() = default;

  // Replaces this vantage point's previous report.
  virtual Result<void> Publish(const VantageReport& report) = 0;
  // The latest report of every other live vantage point (not this agent's own).
  virtual Result<std::vector<VantageReport>> ReadReports() = 0;

  // This agent's current view of leadership. Cheap; no network round trip.
  virtual Leadership CurrentLeadership() = 0;
  // Ok only if `token` is still the current leader's token. Called right before every DNS
  // write; an error (kFailedPrecondition) means: do not write.
  virtual Result<void> CheckFence(int64_t token) = 0;

  // Gives leadership up at once (shutdown), so another agent need not wait for a lease to
  // expire. No-op for a follower.
  virtual void Resign() = 0;
};

}  // namespace steer::agent
