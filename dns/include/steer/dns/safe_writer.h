#pragma once

// SafeWriter wraps one Provider with the rules that make a DNS write safe to automate:
//  - read-back before: a change that is already in place is not written (idempotent, cheap);
//  - a change guard: refuses to leave a name with no answers (how much of a zone a change
//    may touch is not its business: steerd writes only the answer sets a validated policy
//    declares, at a pace bounded by the policy's safety rules);
//  - a token-bucket rate limit on every provider request, retries with full-jitter backoff
//    on 429/5xx/timeouts;
//  - Retry-After, for every provider: an error carrying Error::retry_after blocks this
//    writer's provider until it has passed. No request of any later call goes out before; a
//    retry waits max(backoff, what is left of it); a block longer than max_retry_after fails at
//    once with kResourceExhausted ("retries exhausted") without calling the provider;
//  - a write retried after a failed write request (a timeout, reset or 5xx may still have
//    been applied) re-reads first and is not sent again when the change is already in place;
//  - the whole RRset is replaced in one provider operation, never record by record;
//  - for an AsyncChangeTracker provider, waits until the change is INSYNC;
//  - read-back after: the provider must now return exactly the desired RRset;
//  - one ChangeAudit per call to the sink.
//
// Thread-safety: Replace may be called from several threads; calls are serialized per
// SafeWriter so that read-before / write / read-after of one change are not interleaved.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "steer/base/clock.h"
#include "steer/base/error.h"
#include "steer/base/random.h"
#include "steer/dns/audit.h"
#include "steer/dns/provider.h"
#include "steer/dns/rate_limiter.h"
#include "steer/dns/retry_policy.h"

namespace steer::dns {

struct SafeWriterOptions {
  RetryOptions retry;
  std::chrono::milliseconds insync_timeout{120000};  // async providers: wait for INSYNC
  std::chrono::milliseconds insync_poll{2000};       // async providers: poll period
  // The longest Retry-After this writer waits out; a longer one fails the change at once.
  std::chrono::milliseconds max_retry_after{60000};
};

struct WriteResult {
  ChangeOutcome outcome = ChangeOutcome::kUnchanged;  // kUnchanged or kApplied
  std::optional<RRset> before;
  RRset after;  // as read back from the provider
  ChangeReceipt receipt;
  std::chrono::milliseconds duration{0};
};

// Asked right before every provider write request (each retry too), after the rate limit:
// an error refuses the write (outcome kRefused, not retried). The value is the fencing token
// the write goes out under, recorded in the ChangeAudit.
using WriteFence = std::function<Result<int64_t>()>;

class SafeWriter {
 public:
  // All references must outlive the SafeWriter. `audit` may be null.
  SafeWriter(Provider& provider, RateLimiter& limiter, const base::Clock& clock,
             base::Random& random, AuditSink* audit, SafeWriterOptions options = {});

  // Makes `desired` the RRset of its name/type in `zone`. Errors: the change guard's
  // kFailedPrecondition (no answers), a provider error after retries (its message says
  // "retries exhausted" once max_attempts are spent), kResourceExhausted when a Retry-After
  // exceeds max_retry_after, or kInternal when the read-back disagrees with what was written;
  // the fence's error when it refuses.
  Result<WriteResult> Replace(const std::string& zone, const RRset& desired,
                              const WriteFence& fence = {});

 private:
  template <typename T, typename Fn>
  Result<T> WithRetries(const char* what, Fn&& fn, int* attempts);
  Result<void> WaitInSync(const std::string& change_id);
  // What is left of the provider's Retry-After block; an error when over max_retry_after.
  Result<std::chrono::milliseconds> BlockLeft(const char* what, const Error* last);
  struct WriteState {
    int writes = 0;  // write requests sent
    bool fenced_off = false;
  };
  Result<ChangeReceipt> WriteOnce(const std::string& zone, const RRset& desired,
                                  const WriteFence& fence, ChangeAudit& audit, WriteState& state);
  Result<RRset> ReadBack(const std::string& zone, const RRset& desired);
  Result<WriteResult> ReplaceLocked(const std::string& zone, const RRset& desired,
                                    const WriteFence& fence, ChangeAudit& audit);

  Provider& provider_;
  RateLimiter& limiter_;
  const base::Clock& clock_;
  base::Random& random_;
  AuditSink* audit_;
  SafeWriterOptions options_;
  RetryPolicy retry_;
  std::mutex mu_;                            // held for a whole Replace
  base::Clock::SteadyTime blocked_until_{};  // guarded by mu_: the latest Retry-After's end
};

}  // namespace steer::dns
