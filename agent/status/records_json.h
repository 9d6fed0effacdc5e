#pragma once

// The shared status records (StatusRecords: a leader's incidents and maintenance windows) as
// one JSON document, the value a leader publishes for its followers (agent/status_share.h).
// Field names are this file's own, not Statuspage's: followers render the page themselves.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <string>

#include "incident_book.h"
#include "steer/base/error.h"

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

}  // namespace steer::status
