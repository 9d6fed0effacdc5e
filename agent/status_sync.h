#pragma once

// StatusSync: keeps every agent's status page showing the leader's incidents and maintenance
// windows (coordination: etcd). The leader's decision loop calls Publish() on every tick; it
// writes the book's records to the StatusShare when the book's version moved since the last
// successful write (so a failed write is retried on the next tick). A follower's loop calls
// Import() once a second; it replaces the local records with the shared ones when their
// version moved. A change the leader made in its last tick before it died may be lost; the
// new leader's records then win (docs/status.md, "Several agents").
//
// Thread-safety: one thread (the decision loop's) calls every method.

#include <cstdint>
#include <string>

#include "status/incident_book.h"
#include "status_share.h"

namespace steer::agent {

class StatusSync {
 public:
  // Both must outlive this object.
  StatusSync(StatusShare& share, status::IncidentBook& book) : share_(share), book_(book) {}

  // As leader under `token`: the records of incidents opened and windows ending at or after
  // `since_ms` (now minus status.retention), when they changed.
  void Publish(int64_t token, int64_t since_ms);
  // As follower: the shared records into the book, when they changed.
  void Import();
  // Leadership changed: the next Publish() writes, the next Import() reads, whatever was seen.
  void Reset();

 private:
  void Warn(const std::string& what);  // logged when it differs from the previous warning

  StatusShare& share_;
  status::IncidentBook& book_;
  uint64_t published_ = 0;  // the book's version last written
  int64_t imported_ = 0;    // the shared version last read
  std::string warned_;
};

}  // namespace steer::agent
