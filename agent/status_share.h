#pragma once

// StatusShare: the status page's records that every agent of a deployment shows the same
// (coordination: etcd). The leader publishes its incidents and maintenance windows as one
// document after each change (fenced by its token, like every shared write); followers read it
// once a second and replace their own copies with it, so a follower's page shows the leader's
// incidents and a new leader continues them. Uptime history is not shared: every agent records
// its own samples of the same shared health view and engine state (docs/status.md).
//
// An optional ability: EtcdSharedState has it; the local mode (one agent) has nothing to share.
//
// Thread-safety: every method may be called from any thread; methods may block on the network
// and honour their own timeouts.

#include <cstdint>
#include <optional>
#include <string>

#include "steer/base/error.h"

namespace steer::agent {

struct SharedDocument {
  std::string value;
  int64_t version = 0;  // changes with every put (etcd: the key's mod revision)
};

class StatusShare {
 public:
  virtual ~StatusShare() = default;

  // Replaces the shared records (status::RecordsToJson); kFailedPrecondition when `token` is no
  // longer the leader's.
  virtual Result<void> PutStatusRecords(const std::string& json, int64_t token) = 0;
  // The records last put; nullopt before the first put.
  virtual Result<std::optional<SharedDocument>> StatusRecords() = 0;
};

}  // namespace steer::agent
