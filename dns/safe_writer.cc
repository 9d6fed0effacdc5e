#include "steer/dns/safe_writer.h"

#include <algorithm>

#include "steer/base/clock.h"
#include "steer/base/log.h"
#include "steer/base/random.h"

namespace steer::dns {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

}  // namespace

SafeWriter::SafeWriter(Provider& provider, RateLimiter& limiter, const base::Clock& clock,
                       base::Random& random, AuditSink* audit, SafeWriterOptions options)
    : provider_(provider),
      limiter_(limiter),
      clock_(clock),
      random_(random),
      audit_(audit),
      options_(options),
      retry_(options.retry) {}

Result<milliseconds> SafeWriter::BlockLeft(const char* what, const Error* last) {
  auto left = std::chrono::ceil<milliseconds>(blocked_until_ - clock_.SteadyNow());
  if (left <= milliseconds(0)) return milliseconds(0);
  if (left <= options_.max_retry_after) return left;
  std::string message = provider_.Name() + ": " + what +
                        ": retries exhausted: the provider asked for no requests for another " +
                        std::to_string((left.count() + 999) / 1000) +
                        " s (Retry-After), longer than this writer waits (" +
                        std::to_string(options_.max_retry_after.count() / 1000) +
                        " s); not calling it";
  if (last != nullptr) message += "; last error: " + last->message;
  Error error(ErrorCode::kResourceExhausted, message);
  error.retry_after = left;
  return tl::unexpected(error);
}

template <typename T, typename Fn>
Result<T> SafeWriter::WithRetries(const char* what, Fn&& fn, int* attempts) {
  for (int attempt = 1;; ++attempt) {
    Result<milliseconds> left = BlockLeft(what, nullptr);
    if (!left) return tl::unexpected(left.error());
    if (*left > milliseconds(0)) clock_.SleepFor(*left);
    limiter_.Acquire();
    if (attempts != nullptr) ++*attempts;
    Result<T> result = fn();
    if (result) return result;
    Error& error = result.error();
    if (error.retry_after) {
      blocked_until_ = std::max(blocked_until_, clock_.SteadyNow() + *error.retry_after);
    }
    if (!RetryPolicy::IsRetryable(error)) return result;
    if (attempt >= retry_.max_attempts()) {
      error.message = std::string(what) + ": retries exhausted after " + std::to_string(attempt) +
                      " attempts: " + error.message;
      return result;
    }
    Result<milliseconds> block = BlockLeft(what, &error);
    if (!block) return tl::unexpected(block.error());
    milliseconds wait = std::max(retry_.Backoff(attempt, random_), *block);
    base::Logger("dns")->warn("{}: {} failed (attempt {} of {}), retrying in {} ms: {}",
                              provider_.Name(), what, attempt, retry_.max_attempts(), wait.count(),
                              error.message);
    clock_.SleepFor(wait);
  }
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
                                              const WriteFence& fence, ChangeAudit& audit) {
  auto current = WithRetries<std::optional<RRset>>(
      "read", [&] { return provider_.Read(zone, desired.name, desired.type); }, nullptr);
  if (!current) return tl::unexpected(current.error());
  const std::optional<RRset>& before = *current;
  audit.before = before;
  WriteResult result;
  result.before = before;
  if (before && SameRRset(*before, desired)) {
    result.after = *before;
    audit.outcome = ChangeOutcome::kUnchanged;
    return result;
  }
  if (audit_ != nullptr) {
    if (auto logged = audit_->RecordIntent(audit); !logged) {
      audit.outcome = ChangeOutcome::kRefused;
      return MakeError(ErrorCode::kUnavailable,
                       "audit log: " + logged.error().message +
                           " (a change that cannot be audited first is not made)");
    }
  }
  WriteState state;
  auto receipt = WithRetries<ChangeReceipt>(
      "replace", [&] { return WriteOnce(zone, desired, fence, audit, state); }, nullptr);
  audit.attempts = state.writes;
  if (state.fenced_off) audit.outcome = ChangeOutcome::kRefused;
  if (!receipt) return tl::unexpected(receipt.error());
  receipt->attempts = state.writes;
  audit.change_id = receipt->change_id;
  result.receipt = *receipt;
  if (auto synced = WaitInSync(receipt->change_id); !synced) {
    return tl::unexpected(synced.error());
  }
  auto after = ReadBack(zone, desired);
  if (!after) return tl::unexpected(after.error());
  result.after = *after;
  result.outcome = ChangeOutcome::kApplied;
  audit.outcome = ChangeOutcome::kApplied;
  return result;
}

Result<ChangeReceipt> SafeWriter::WriteOnce(const std::string& zone, const RRset& desired,
                                            const WriteFence& fence, ChangeAudit& audit,
                                            WriteState& state) {
  if (state.writes > 0) {
    // The last write request failed, but a timeout, a reset or a 5xx may have come after the
    // provider applied it: sending it again would be a second change.
    auto now = provider_.Read(zone, desired.name, desired.type);
    if (!now) return tl::unexpected(now.error());
    if (*now && SameRRset(**now, desired)) return ChangeReceipt{};
    limiter_.Acquire();  // the write is a request of its own
  }
  if (fence) {
    auto token = fence();  // as late as possible: nothing but the request follows
    if (!token) {
      state.fenced_off = true;
      return tl::unexpected(token.error());
    }
    audit.fencing_token = *token;
  }
  ++state.writes;
  return provider_.Replace(zone, desired);
}

// Some APIs are eventually consistent on reads: re-read with backoff before declaring the
// read-back wrong.
Result<RRset> SafeWriter::ReadBack(const std::string& zone, const RRset& desired) {
  for (int read = 1;; ++read) {
    auto after = WithRetries<std::optional<RRset>>(
        "read-back", [&] { return provider_.Read(zone, desired.name, desired.type); }, nullptr);
    if (!after) return tl::unexpected(after.error());
    if (*after && SameRRset(**after, desired)) return **after;
    if (read >= retry_.max_attempts()) {
      return MakeError(ErrorCode::kInternal, provider_.Name() + ": read-back of " + desired.name +
                                                 " " + desired.type + " shows " +
                                                 (*after ? ToString(**after) : "nothing") +
                                                 " after writing " + ToString(desired));
    }
    clock_.SleepFor(retry_.Backoff(read, random_));
  }
}

Result<WriteResult> SafeWriter::Replace(const std::string& zone, const RRset& desired_in,
                                        const WriteFence& fence) {
  std::lock_guard<std::mutex> lock(mu_);
  RRset desired = desired_in.Normalized();
  ChangeAudit audit;
  audit.provider = provider_.Name();
  audit.zone = CanonicalName(zone);
  audit.after = desired;
  audit.at = std::chrono::system_clock::now();
  base::Clock::SteadyTime start = clock_.SteadyNow();
  Result<WriteResult> result;
  if (desired.records.empty()) {
    // A steering change never removes every answer.
    audit.outcome = ChangeOutcome::kRefused;
    result = MakeError(ErrorCode::kFailedPrecondition, "change guard: " + desired.name + " " +
                                                           desired.type + " would have no answers");
  } else if (auto valid = Validate(desired); !valid) {
    audit.outcome = ChangeOutcome::kRefused;
    result = tl::unexpected(valid.error());
  } else {
    audit.outcome = ChangeOutcome::kFailed;
    result = ReplaceLocked(audit.zone, desired, fence, audit);
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
