#pragma once

// StatusSync: keeps every agent's status page showing the leader's incidents, maintenance
// windows and uptime figures (coordination: etcd).
//  - The leader's decision loop calls Publish() on every tick. It writes the incident book's
//    records when the book's version moved since the last successful write, and the uptime
//    store's newest finished minute when it has not written it yet, keeping the last
//    kSharedMinutes minutes in the share. A failed write is retried on the next tick.
//  - A follower's loop calls Import() once a second. It replaces the local records with the
//    shared ones when their version moved, and each shared minute newer than the last one it
//    took replaces that minute of the local history. Followers record no uptime samples of
//    their own in this mode, so every page counts the same samples.
// A change the leader made in its last tick before it died, and the minute it was counting,
// may be lost; the new leader's records win. An agent stopped for longer than kSharedMinutes
// keeps a gap in its history (docs/status.md, "Several agents").
//
// Thread-safety: one thread (the decision loop's) calls every method.

#include <cstdint>
#include <string>

#include "status/incident_book.h"
#include "status/uptime_store.h"
#include "status_share.h"

namespace steer::agent {

inline constexpr int kSharedMinutes = 60;

class StatusSync {
 public:
  // All three must outlive this object.
  StatusSync(StatusShare& share, status::IncidentBook& book, status::UptimeStore& uptime)
      : share_(share), book_(book), uptime_(uptime) {}

  // As leader under `token`: the records of incidents opened and windows ending at or after
  // `since_ms` (now minus status.retention), and the newest finished minute, when not written.
  void Publish(int64_t token, int64_t since_ms);
  // As follower: the shared records and minutes into the book and the store, when new.
  void Import();
  // Leadership changed: the next Publish() writes and the next Import() reads everything,
  // whatever was seen before.
  void Reset();

 private:
  void PublishRecords(int64_t token, int64_t since_ms);
  void PublishMinute(int64_t token);
  void ImportRecords();
  void ImportMinutes();
  void Warn(const std::string& what);  // logged when it differs from the previous warning

  StatusShare& share_;
  status::IncidentBook& book_;
  status::UptimeStore& uptime_;
  uint64_t published_ = 0;         // the book's version last written
  int64_t published_minute_ = -1;  // the minute last written
  int64_t imported_ = 0;           // the shared records' version last read
  int64_t imported_minute_ = 0;    // the newest shared minute taken
  std::string warned_;
};

}  // namespace steer::agent
