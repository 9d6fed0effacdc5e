#pragma once

// StatusShare: what every agent of a deployment shows the same on its status page
// (coordination: etcd). The leader publishes its incidents and maintenance windows as one
// document after each change, and each finished minute of its uptime history, fenced by its
// token like every shared write; followers read both once a second and replace their own
// copies, so every page shows the leader's incidents and figures and a new leader continues
// them (agent/status_sync.h, docs/status.md).
//
// An optional ability: EtcdSharedState has it; the local mode (one agent) has nothing to share.
//
// Thread-safety: every method may be called from any thread; methods may block on the network
// and honour their own timeouts.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

  // One finished minute of uptime rows (status::MinuteToJson) under its start; in the same
  // fenced write, the minutes that started before `keep_from_ms` are deleted.
  virtual Result<void> PutUptimeMinute(int64_t minute_ms, const std::string& json,
                                       int64_t keep_from_ms, int64_t token) = 0;
  // The shared minutes that started after `after_ms`, oldest first: (start, document).
  virtual Result<std::vector<std::pair<int64_t, std::string>>> UptimeMinutesAfter(
      int64_t after_ms) = 0;
};

}  // namespace steer::agent
