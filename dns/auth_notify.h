#pragma once

// Private to steer_dns: NOTIFY (RFC 1996) from the embedded server to its secondaries. Each
// Notify(serial) tells every target that the zone changed: a NOTIFY for the zone's SOA, signed
// with the transfer key when there is one, sent over UDP and sent again with a doubling
// interval (the same message, so a late answer to an earlier try counts) until the target answers
// (NOERROR, or an error rcode, which is logged) or `max_attempts` went unanswered (logged). A later
// serial replaces an earlier one still being retried. Everything runs on the notifier's own thread:
// Notify() only records the serial and wakes it, so it never waits for the network and never delays
// the answering of queries. A reply counts only when its id matches the NOTIFY and, with a key, its
// TSIG verifies against that NOTIFY's MAC.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/error.h"
#include "tsig.h"

namespace steer::dns::auth {

struct NotifyTarget {
  std::string host;  // IP literal
  uint16_t port = 53;
  std::string ToString() const;
};

struct NotifyOptions {
  std::string who = "embedded";  // for logs
  std::string origin;            // the zone, FQDN
  std::vector<NotifyTarget> targets;
  std::optional<tsig::Key> key;
  std::chrono::milliseconds first_retry{1000};  // then 2 s, 4 s, ...
  int max_attempts = 5;
};

class Notifier {
 public:
  struct Stats {
    uint64_t sent = 0;      // NOTIFY messages sent, retries included
    uint64_t answered = 0;  // (target, serial) pairs answered
    uint64_t gave_up = 0;   // (target, serial) pairs given up
  };

  // Opens one UDP socket per target (an address that does not parse is an error).
  static Result<std::unique_ptr<Notifier>> Start(NotifyOptions options);
  virtual ~Notifier() = default;

  // Returns at once; the notifier's thread sends.
  virtual void Notify(uint32_t serial) = 0;
  virtual Stats stats() const = 0;
  // Waits until no NOTIFY is outstanding (answered or given up), at most `timeout`; for tests.
  virtual bool WaitIdle(std::chrono::milliseconds timeout) = 0;
};

}  // namespace steer::dns::auth
