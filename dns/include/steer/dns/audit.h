#pragma once

// Every change Steer makes (or refuses) is recorded: before, after, provider, the provider's
// change id, attempts and duration. The sink is injected (the agent writes them to its
// journal and notifier).
//
// Order (write-ahead): SafeWriter calls RecordIntent once before the first write request of a
// change and sends nothing to the provider unless it returned success, so every change a
// provider may hold has a durable intent even when the process dies mid-change; Record follows
// once per Replace that reached a decision.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "steer/base/error.h"
#include "steer/dns/rrset.h"

namespace steer::dns {

enum class ChangeOutcome {
  kUnchanged,  // already right: nothing written
  kApplied,    // written and read back
  kRefused,    // refused by the change guard
  kFailed,     // the provider failed (after retries) or the read-back disagreed
};

const char* ChangeOutcomeName(ChangeOutcome outcome);

struct ChangeAudit {
  std::string provider;  // Provider::Name()
  std::string zone;
  std::optional<RRset> before;  // nullopt: the name had no RRset of that type
  RRset after;                  // the desired RRset
  ChangeOutcome outcome = ChangeOutcome::kApplied;
  std::string change_id;                     // provider's id, "" if none
  int attempts = 0;                          // provider write requests made
  std::chrono::milliseconds duration{0};     // first read to final read-back
  std::string error;                         // why it was refused or failed (never a secret)
  std::chrono::system_clock::time_point at;  // when the change started (wall clock)
  int64_t fencing_token = 0;                 // the token the write went out under (0: none)
};

// Thread-safety: implementations must accept calls from several threads.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Must be durable when it returns success (a crash right after loses nothing); an error
  // refuses the change. `intent` has before, after, provider, zone and `at` filled in.
  virtual Result<void> RecordIntent(const ChangeAudit& intent) = 0;
  virtual void Record(const ChangeAudit& audit) = 0;
};

}  // namespace steer::dns
