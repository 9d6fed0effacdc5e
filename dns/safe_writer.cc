#include "steer/dns/safe_writer.h"

#include <algorithm>
#include <set>

#include "steer/base/clock.h"
#include "steer/base/log.h"
#include "steer/base/random.h"

namespace steer::dns {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Records removed plus records added; a TTL-only change touches every record.
size_t TouchedRecords(const std::optional<RRset>& before, const RRset& desired) {
  if (!before) return desired.records.size();
  RRset b = before->Normalized();
  RRset d = desired.Normalized();
  std::set<std::string> old_set(b.records.begin(), b.records.end());
  std::set<std::string> new_set(d.records.begin(), d.records.end());
  size_t touched = 0;
  for (const auto& r : old_set) touched += new_set.count(r) ? 0 : 1;
  for (const auto& r : new_set) touched += old_set.count(r) ? 0 : 1;
  if (touched == 0 && b.ttl != d.ttl) touched = new_set.size();
  return touched;
}

}  // namespace

SafeWriter::SafeWriter(Provider& provider, RateLimiter& limiter, base::Clock& clock,
                       base::Random& random, AuditSink* audit, SafeWriterOptions options)
    : provider_(provider),
      limiter_(limiter),
      clock_(clock),
      random_(random),
      audit_(audit),
      options_(options),
      retry_(options.retry) {}

template <typename T, typename Fn>
Result<T> SafeWriter::WithRetries(const char* what, Fn&& fn, int* attempts) {
  for (int attempt = 1;; ++attempt) {
    limiter_.Acquire();
    if (attempts != nullptr) ++*attempts;
    Result<T> result = fn();
    if (result || !RetryPolicy::IsRetryable(result.error()) || attempt >= retry_.max_attempts()) {
      return result;
    }
    milliseconds wait = retry_.Backoff(attempt, random_);
    base::Logger("dns")->warn("{}: {} failed (attempt {} of {}), retrying in {} ms: {}",
                              provider_.Name(), what, attempt, retry_.max_attempts(), wait.count(),
                              result.error().message);
    clock_.SleepFor(wait);
  }
}

Result<void> SafeWriter::CheckGuard(const std::string& zone, const std::optional<RRset>& before,
                                    const RRset& desired, size_t zone_records) {
  if (!options_.guard.check_share) return {};
  size_t touched = TouchedRecords(before, desired);
  if (zone_records < static_cast<size_t>(options_.guard.min_zone_records)) return {};
  if (static_cast<double>(touched) >
      options_.guard.max_zone_share * static_cast<double>(zone_records)) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "change guard: " + desired.name + " " + desired.type + " touches " +
                         std::to_string(touched) + " of " + std::to_string(zone_records) +
                         " records in " + zone + " (more than " +
                         std::to_string(static_cast<int>(options_.guard.max_zone_share * 100)) +
                         "%); use force to apply");
  }
  return {};
}

Result<SafeWriter::Current> SafeWriter::ReadCurrent(const std::string& zone, const RRset& desired,
                                                    bool force) {
  Current current;
  auto* lister = dynamic_cast<ZoneLister*>(&provider_);
  if (lister == nullptr || force) {
    // No share check: a plain read of the one RRset is enough.
    auto before = WithRetries<std::optional<RRset>>(
        "read", [&] { return provider_.Read(zone, desired.name, desired.type); }, nullptr);
    if (!before) return tl::unexpected(before.error());
    current.before = *before;
    return current;
  }
  // One listing serves both the read-before and the share check.
  auto rrsets = WithRetries<std::vector<RRset>>(
      "list zone", [&] { return lister->List(zone); }, nullptr);
  if (!rrsets) return tl::unexpected(rrsets.error());
  current.zone_records = 0;
  for (const auto& rrset : *rrsets) {
    *current.zone_records += rrset.records.size();
    RRset n = rrset.Normalized();
    if (n.name == desired.name && n.type == desired.type) current.before = n;
  }
  return current;
}

Result<void> SafeWriter::WaitInSync(const std::string& change_id) {
  auto* tracker = dynamic_cast<AsyncChangeTracker*>(&provider_);
  if (tracker == nullptr || change_id.empty()) return {};
  base::Clock::SteadyTime deadline = clock_.SteadyNow() + options_.insync_timeout;
  while (true) {
    auto status = WithRetries<ChangeStatus>(
        "change status", [&] { return tracker->Status(change_id); }, nullptr);
    if (!status) return tl::unexpected(status.error());
    if (*status == ChangeStatus::kInSync) return {};
    if (clock_.SteadyNow() + options_.insync_poll > deadline) {
      return MakeError(ErrorCode::kDeadlineExceeded,
                       provider_.Name() + ": change " + change_id + " still pending after " +
                           std::to_string(options_.insync_timeout.count()) + " ms");
    }
    clock_.SleepFor(options_.insync_poll);
  }
}

Result<WriteResult> SafeWriter::ReplaceLocked(const std::string& zone, const RRset& desired,
                                              bool force, ChangeAudit& audit) {
  auto current = ReadCurrent(zone, desired, force);
  if (!current) return tl::unexpected(current.error());
  const std::optional<RRset>& before = current->before;
  audit.before = before;
  WriteResult result;
  result.before = before;
  if (before && SameRRset(*before, desired)) {
    result.after = *before;
    audit.outcome = ChangeOutcome::kUnchanged;
    return result;
  }
  if (current->zone_records) {
    if (auto guard = CheckGuard(zone, before, desired, *current->zone_records); !guard) {
      audit.outcome = ChangeOutcome::kRefused;
      return tl::unexpected(guard.error());
    }
  }
  int attempts = 0;
  auto receipt = WithRetries<ChangeReceipt>(
      "replace", [&] { return provider_.Replace(zone, desired); }, &attempts);
  audit.attempts = attempts;
  if (!receipt) return tl::unexpected(receipt.error());
  receipt->attempts = attempts;
  audit.change_id = receipt->change_id;
  result.receipt = *receipt;
  if (auto synced = WaitInSync(receipt->change_id); !synced) {
    return tl::unexpected(synced.error());
  }
  // Some APIs are eventually consistent on reads: re-read with backoff before declaring
  // the read-back wrong.
  for (int read = 1;; ++read) {
    auto after = WithRetries<std::optional<RRset>>(
        "read-back", [&] { return provider_.Read(zone, desired.name, desired.type); }, nullptr);
    if (!after) return tl::unexpected(after.error());
    if (*after && SameRRset(**after, desired)) {
      result.after = **after;
      break;
    }
    if (read >= retry_.max_attempts()) {
      return MakeError(ErrorCode::kInternal, provider_.Name() + ": read-back of " + desired.name +
                                                 " " + desired.type + " shows " +
                                                 (*after ? ToString(**after) : "nothing") +
                                                 " after writing " + ToString(desired));
    }
    clock_.SleepFor(retry_.Backoff(read, random_));
  }
  result.outcome = ChangeOutcome::kApplied;
  audit.outcome = ChangeOutcome::kApplied;
  return result;
}

Result<WriteResult> SafeWriter::Replace(const std::string& zone, const RRset& desired_in,
                                        bool force) {
  std::lock_guard<std::mutex> lock(mu_);
  RRset desired = desired_in.Normalized();
  ChangeAudit audit;
  audit.provider = provider_.Name();
  audit.zone = CanonicalName(zone);
  audit.after = desired;
  audit.forced = force;
  audit.at = std::chrono::system_clock::now();
  base::Clock::SteadyTime start = clock_.SteadyNow();
  Result<WriteResult> result;
  if (desired.records.empty()) {
    // Not overridable by force: a steering change never removes every answer.
    audit.outcome = ChangeOutcome::kRefused;
    result = MakeError(ErrorCode::kFailedPrecondition, "change guard: " + desired.name + " " +
                                                           desired.type + " would have no answers");
  } else if (auto valid = Validate(desired); !valid) {
    audit.outcome = ChangeOutcome::kRefused;
    result = tl::unexpected(valid.error());
  } else {
    audit.outcome = ChangeOutcome::kFailed;
    result = ReplaceLocked(audit.zone, desired, force, audit);
  }
  audit.duration = duration_cast<milliseconds>(clock_.SteadyNow() - start);
  if (!result) audit.error = result.error().message;
  if (result) result->duration = audit.duration;
  auto logger = base::Logger("dns");
  if (audit.outcome == ChangeOutcome::kApplied) {
    logger->info("{}: {} in {} ({} attempts, {} ms, change id '{}')", audit.provider,
                 ToString(desired), audit.zone, audit.attempts, audit.duration.count(),
                 audit.change_id);
  } else if (!result) {
    logger->error("{}: change of {} {} {}: {}", audit.provider, desired.name, desired.type,
                  ChangeOutcomeName(audit.outcome), audit.error);
  }
  if (audit_ != nullptr) audit_->Record(audit);
  return result;
}

}  // namespace steer::dns
