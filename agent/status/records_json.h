#pragma once

// What a leader publishes for its followers' status pages (agent/status_share.h), as JSON: the
// shared status records (StatusRecords: its incidents and maintenance windows) and each
// finished minute of its uptime history.
// Field names are this file's own, not Statuspage's: followers render the page themselves.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <map>
#include <string>

#include "incident_book.h"
#include "steer/base/error.h"
#include "uptime_store.h"

namespace steer::status {

// etcd refuses requests over 1.5 MiB by default; the document stays under 1 MiB.
inline constexpr size_t kMaxSharedRecordsBytes = 1 << 20;

struct RecordsJson {
  std::string json;
  size_t dropped = 0;  // oldest resolved incidents left out to fit max_bytes
};

// Every window and open incident is kept; resolved incidents are left out oldest first while
// the document is over `max_bytes`.
RecordsJson RecordsToJson(const StatusRecords& records, size_t max_bytes = kMaxSharedRecordsBytes);
// kInvalidArgument when `json` is not such a document; nothing is half-read.
Result<StatusRecords> RecordsFromJson(const std::string& json);

// One minute of uptime rows, series -> row: {"series": {"login": [good, bad, bad_minutes]}}.
std::string MinuteToJson(const std::map<std::string, UptimeBucket>& rows);
// The rows get `minute_ms` as start and a minute as span. kInvalidArgument on a bad document.
Result<std::map<std::string, UptimeBucket>> MinuteFromJson(const std::string& json,
                                                           int64_t minute_ms);

}  // namespace steer::status
