#pragma once

// SafeWriter wraps one Provider with the rules that make a DNS write safe to automate:
//  - read-back before: a change that is already in place is not written (idempotent, cheap);
//  - a change guard: refuses to leave a name with no answers, and refuses a change touching
//    more than `max_zone_share` of a zone's records (when the provider is a ZoneLister and the
//    zone has at least `min_zone_records`), unless forced — OctoDNS's TooMuchChange;
//  - a token-bucket rate limit on every provider request, retries with full-jitter backoff
//    on 429/5xx/timeouts;
//  - the whole RRset is replaced in one provider operation, never record by record;
//  - for an AsyncChangeTracker provider, waits until the change is INSYNC;
//  - read-back after: the provider must now return exactly the desired RRset;
//  - one ChangeAudit per call to the sink.
//
// Thread-safety: Replace may be called from several threads; calls are serialized per
// SafeWriter so that read-before / write / read-after of one change are not interleaved.

#include <chrono>
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

struct ChangeGuardOptions {
  double max_zone_share = 0.3;  // share of the zone's records one change may touch
  int min_zone_records = 10;    // smaller zones are not share-checked (OctoDNS's default)
  // Off for a caller that only writes answer sets declared in a validated policy (steerd):
  // there a refusal would not catch a mistake, it would block a failover — two addresses per
  // region already touch 4 records, a third of a 12-record zone.
  bool check_share = true;
};

struct SafeWriterOptions {
  RetryOptions retry;
  ChangeGuardOptions guard;
  std::chrono::milliseconds insync_timeout{120000};  // async providers: wait for INSYNC
  std::chrono::milliseconds insync_poll{2000};       // async providers: poll period
};

struct WriteResult {
  ChangeOutcome outcome = ChangeOutcome::kUnchanged;  // kUnchanged or kApplied
  std::optional<RRset> before;
  RRset after;  // as read back from the provider
  ChangeReceipt receipt;
  std::chrono::milliseconds duration{0};
};

class SafeWriter {
 public:
  // All references must outlive the SafeWriter. `audit` may be null.
  SafeWriter(Provider& provider, RateLimiter& limiter, base::Clock& clock, base::Random& random,
             AuditSink* audit, SafeWriterOptions options = {});

  // Makes `desired` the RRset of its name/type in `zone`. Errors: the change guard's
  // kFailedPrecondition, a provider error after retries, or kInternal when the read-back
  // disagrees with what was written.
  Result<WriteResult> Replace(const std::string& zone, const RRset& desired, bool force = false);

 private:
  template <typename T, typename Fn>
  Result<T> WithRetries(const char* what, Fn&& fn, int* attempts);
  struct Current {
    std::optional<RRset> before;
    std::optional<size_t> zone_records;  // known when the provider listed the zone
  };
  Result<Current> ReadCurrent(const std::string& zone, const RRset& desired, bool force);
  Result<void> CheckGuard(const std::string& zone, const std::optional<RRset>& before,
                          const RRset& desired, size_t zone_records);
  Result<void> WaitInSync(const std::string& change_id);
  Result<WriteResult> ReplaceLocked(const std::string& zone, const RRset& desired, bool force,
                                    ChangeAudit& audit);

  Provider& provider_;
  RateLimiter& limiter_;
  base::Clock& clock_;
  base::Random& random_;
  AuditSink* audit_;
  SafeWriterOptions options_;
  RetryPolicy retry_;
  std::mutex mu_;
};

}  // namespace steer::dns
