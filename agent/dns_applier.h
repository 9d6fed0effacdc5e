#pragma once

// Carries one service's desired answers into DNS and proves they landed, on its own thread so
// a slow or unreachable provider never blocks the decision loop. Latest desired state wins:
// a newer decision supersedes a change still being retried or verified.
//
// Each attempt: SafeWriter Replace (read-back before and after, rate limit, retries, and the
// fencing check — the coordinator's token must still be current — right before every write
// request) -> ask every authoritative server directly until all answer the new records. A provider
// that is down is retried with backoff (200 ms doubling to 5 s) until it converges or the desired
// state changes.
//
// Drift: once done, every `recheck_interval` the same SafeWriter Replace runs again while the
// fence allows writing (it reads first and writes only what differs): a provider found serving
// something else than the desired records is corrected and reported (on_drift), then verified
// again. A recheck that fails puts the applier back into retrying.
//
// Thread-safety: SetDesired() and status() from any thread; Stop() from the owner.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "steer/dns/propagation.h"
#include "steer/dns/safe_writer.h"

namespace steer::agent {

struct ApplyStatus {
  std::string region;                // desired region ("*" serving all)
  std::vector<std::string> answers;  // desired records
  std::string phase =
      "idle";        // idle | waiting (InFlightHold) | writing | verifying | done | retrying
  int matching = 0;  // nameservers answering the desired records
  int total = 0;
  bool done = false;
  std::string last_error;
  int ttl = 0;  // seconds: the desired records' TTL
  // When the last nameserver answered the desired records (set once done).
  std::optional<std::chrono::steady_clock::time_point> done_at;
};

struct ApplierDeps {
  std::string provider;  // the provider's name, for logs
  dns::SafeWriter* writer = nullptr;
  dns::PropagationChecker* checker = nullptr;
  // The fencing token if this agent may still write; asked right before every write request.
  dns::WriteFence fence;
  // After the provider accepted and read back the change (before propagation).
  std::function<void(const std::string& region, const dns::WriteResult&)> on_written;
  // Once every nameserver (`nameservers` of them) answers it.
  std::function<void(const std::string& region, std::chrono::milliseconds took, int nameservers)>
      on_propagated;
  std::function<void(const std::string& error)> on_error;
  // A recheck found the provider serving something else and wrote the desired records back.
  std::function<void(const std::string& region, const dns::WriteResult&)> on_drift;
  // A new desired state was accepted (the provider does not serve it yet).
  std::function<void()> on_new_desired;
  std::chrono::milliseconds recheck_interval{0};  // 0: no drift check
  // No write request before then: a request of a process that died may still be in flight
  // (InFlightHold). The phase is "waiting" meanwhile.
  std::chrono::steady_clock::time_point not_before{};
};

class DnsApplier {
 public:
  DnsApplier(std::string zone, std::vector<dns::NameServer> servers,
             std::chrono::milliseconds propagation_timeout, ApplierDeps deps);
  ~DnsApplier();  // Stop()
  DnsApplier(const DnsApplier&) = delete;
  DnsApplier& operator=(const DnsApplier&) = delete;

  // No-op when `rrset` equals the current desired records.
  void SetDesired(const std::string& region, const dns::RRset& rrset);
  ApplyStatus status() const;
  // Ends the worker and joins it; a change in flight finishes its current provider call
  // first. Idempotent; SetDesired() after it is accepted and never carried out. From the
  // owning thread.
  void Stop();

 private:
  void Run();
  // Waits for a new desired state; false when stopping. Rechecks for drift meanwhile.
  bool WaitForWork(uint64_t* generation, std::string* region, dns::RRset* rrset);
  bool Attempt(uint64_t generation, const std::string& region, const dns::RRset& rrset,
               bool recheck = false);
  void Recheck(uint64_t generation, const std::string& region, const dns::RRset& rrset);
  void ReportDrift(const std::string& region, const dns::WriteResult& written);
  bool Verify(uint64_t generation, const dns::RRset& rrset);
  // Sleeps up to `d`; false when stopping or the desired state changed.
  // Until deps_.not_before; false when stopped.
  bool HoldForInFlight();
  bool Pause(std::chrono::milliseconds d, uint64_t generation);
  void SetPhase(const std::string& phase, const std::string& error = "");

  const std::string zone_;
  const std::vector<dns::NameServer> servers_;
  const std::chrono::milliseconds propagation_timeout_;
  ApplierDeps deps_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<dns::RRset> desired_;
  uint64_t generation_ = 0;
  uint64_t applied_generation_ = 0;
  ApplyStatus status_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace steer::agent
