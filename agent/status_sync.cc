#include "status_sync.h"

#include "status/records_json.h"
#include "steer/base/log.h"

namespace steer::agent {

void StatusSync::Publish(int64_t token, int64_t since_ms) {
  PublishRecords(token, since_ms);
  PublishMinute(token);
}

void StatusSync::Import() {
  ImportRecords();
  ImportMinutes();
}

void StatusSync::Reset() {
  published_ = 0;
  published_minute_ = -1;
  imported_ = 0;
  imported_minute_ = 0;
}

void StatusSync::PublishRecords(int64_t token, int64_t since_ms) {
  const uint64_t version = book_.version();  // read before the export: a later write moves it
  if (version == published_) return;
  auto records = book_.ExportRecords(since_ms);
  if (!records) return Warn("status records not read: " + records.error().message);
  status::RecordsJson doc = status::RecordsToJson(*records);
  if (doc.dropped > 0) {
    Warn("status records over " + std::to_string(status::kMaxSharedRecordsBytes) +
         " bytes: the oldest " + std::to_string(doc.dropped) +
         " resolved incident(s) are not shared");
  }
  if (auto put = share_.PutStatusRecords(doc.json, token); !put) {
    return Warn("status records not shared: " + put.error().message);
  }
  published_ = version;
  warned_.clear();
}

void StatusSync::PublishMinute(int64_t token) {
  const int64_t minute = uptime_.LastFlushedMinute();
  if (minute < 0 || minute == published_minute_) return;
  auto rows = uptime_.Minute(minute);
  if (!rows) return Warn("uptime minute not read: " + rows.error().message);
  const int64_t keep_from = minute - (kSharedMinutes - 1) * status::kMinuteMs;
  if (auto put = share_.PutUptimeMinute(minute, status::MinuteToJson(*rows), keep_from, token);
      !put) {
    return Warn("uptime minute not shared: " + put.error().message);
  }
  published_minute_ = minute;
  warned_.clear();
}

void StatusSync::ImportRecords() {
  auto doc = share_.StatusRecords();
  if (!doc) return Warn("shared status records not read: " + doc.error().message);
  if (!*doc || (*doc)->version == imported_) return;
  auto records = status::RecordsFromJson((*doc)->value);
  if (!records) {
    imported_ = (*doc)->version;  // the same document will not read better next time
    return Warn(records.error().message);
  }
  if (auto replaced = book_.ReplaceRecords(*records); !replaced) {
    return Warn("shared status records not stored: " + replaced.error().message);
  }
  imported_ = (*doc)->version;
  warned_.clear();
}

void StatusSync::ImportMinutes() {
  auto minutes = share_.UptimeMinutesAfter(imported_minute_);
  if (!minutes) return Warn("shared uptime not read: " + minutes.error().message);
  for (const auto& [start, doc] : *minutes) {
    auto rows = status::MinuteFromJson(doc, start);
    if (!rows) {
      Warn(rows.error().message);  // skipped: the same document will not read better
    } else if (auto replaced = uptime_.ReplaceMinute(start, *rows); !replaced) {
      return Warn("shared uptime not stored: " + replaced.error().message);
    }
    imported_minute_ = start;
  }
}

void StatusSync::Warn(const std::string& what) {
  if (what == warned_) return;
  warned_ = what;
  base::Logger("agent")->warn("{}", what);
}

}  // namespace steer::agent
