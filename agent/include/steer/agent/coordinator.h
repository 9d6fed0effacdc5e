#pragma once

// Coordination between the agents of one deployment (one per vantage point).
//
// Three things are shared: (1) observations — each vantage point publishes its view of each
// region and reads everyone's, so a region is judged by a quorum of vantage points and not by
// one agent's network path; (2) leadership — exactly one agent writes DNS, and every write
// carries a fencing token that the coordinator re-checks immediately before the write, so a
// paused or partitioned ex-leader is refused (Kleppmann; in etcd the token is the leader key's
// create_revision and writes are txns guarded by it); (3) desired state — the answers the
// leader decided, so a new leader continues from them instead of re-deciding from scratch.
//
// Implementations: LocalCoordinator (one agent, always leader). An etcd implementation maps
// onto this interface as described in docs/architecture.md, "Coordination".
//
// Thread-safety: every method of every implementation may be called from any thread
// concurrently. Methods may block on the network (etcd) but must honour their own timeouts.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "steer/base/error.h"

namespace steer::agent {

// One vantage point's judgement of one region at one moment.
struct Observation {
  std::string vantage;
  std::string region;
  bool healthy = false;
  std::chrono::system_clock::time_point observed_at{};
  std::string detail;  // short reason, e.g. "api: connection refused"
};

struct Leadership {
  bool is_leader = false;
  int64_t fencing_token = 0;  // meaningful only while is_leader
  std::string leader;         // vantage name of the current leader; "" if none is known
};

// The answers the leader decided for one service.
struct DesiredState {
  std::string service;
  std::string region;
  std::vector<std::string> answers;
  int64_t fencing_token = 0;  // the token of the leader that wrote it
};

class Coordinator {
 public:
  virtual ~Coordinator() = default;

  // Replaces this vantage point's previous observations of the same regions.
  virtual Result<void> Publish(const std::vector<Observation>& observations) = 0;
  // The latest observation of each (vantage, region); staleness is the caller's judgement.
  virtual Result<std::vector<Observation>> ReadObservations() = 0;

  // This agent's current view of leadership. Cheap; no network round trip.
  virtual Leadership CurrentLeadership() = 0;
  // Ok only if `token` is still the current leader's token. Called right before every DNS
  // write; an error (kFailedPrecondition) means: do not write.
  virtual Result<void> CheckFence(int64_t token) = 0;

  // Stores desired state, guarded by the fencing token (refused if stale).
  virtual Result<void> PutDesired(const DesiredState& state) = 0;
  virtual Result<std::vector<DesiredState>> ReadDesired() = 0;
};

}  // namespace steer::agent
