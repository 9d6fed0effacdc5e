#pragma once

// A DNS provider: somewhere Steer reads and replaces RRsets (PowerDNS, an RFC 2136 primary,
// Route 53, Cloudflare, a zone file). One class per provider kind, in its own file pair.
// Optional abilities are separate small interfaces below (a provider implements them in
// addition), never capability flags.
//
// Error codes returned by providers (SafeWriter retries on the transient ones):
//   kUnavailable        network failure, connection refused, HTTP 5xx (transient)
//   kDeadlineExceeded   request timed out (transient)
//   kResourceExhausted  rate limited: HTTP 429, Route 53 Throttling (transient)
//   kPermissionDenied   credentials refused (HTTP 401/403, TSIG BADSIG/BADKEY, NOTAUTH)
//   kNotFound           the zone does not exist at the provider
//   kInvalidArgument    the provider rejected the data (HTTP 400/422, FORMERR)
//   kFailedPrecondition refused by the provider's rules (REFUSED, NOTZONE)
// Messages name the provider, zone and RRset but never contain a secret.
//
// Thread-safety: every implementation is safe to call from several threads at once.
// Writes to one zone are serialized by the caller (SafeWriter) to keep read-backs meaningful.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steer/base/error.h"
#include "steer/base/http_client.h"
#include "steer/dns/rrset.h"

namespace steer::dns {

// What a provider says about an accepted change.
struct ChangeReceipt {
  std::string change_id;  // provider's id (Route 53 change id, PowerDNS serial, ...); may be ""
  int attempts = 1;       // requests made, including retries (SafeWriter fills the total)
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Stable name for logs and audit, e.g. "powerdns:primary" (kind:config name).
  virtual std::string Name() const = 0;

  // The current RRset of `name`/`type` in `zone` (both FQDN with trailing dot), or nullopt when
  // the name has no records of that type. A zone that does not exist is kNotFound.
  virtual Result<std::optional<RRset>> Read(const std::string& zone, const std::string& name,
                                            const std::string& type) = 0;

  // Replaces the whole RRset `rrset.name`/`rrset.type` in `zone` with `rrset` in one atomic
  // provider operation. Idempotent: replacing with the current content succeeds again.
  // `rrset.records` is never empty (deleting is not a steering operation).
  virtual Result<ChangeReceipt> Replace(const std::string& zone, const RRset& rrset) = 0;
};

enum class ChangeStatus { kPending, kInSync };

// Optional: a provider whose accepted changes reach its authoritative servers later
// (Route 53: PENDING until INSYNC). SafeWriter polls it before the read-back.
class AsyncChangeTracker {
 public:
  virtual ~AsyncChangeTracker() = default;
  virtual Result<ChangeStatus> Status(const std::string& change_id) = 0;
};

// Maps a non-2xx API response to the provider error codes above: 429 -> kResourceExhausted,
// 5xx -> kUnavailable, 401/403 -> kPermissionDenied, 404 -> kNotFound, other 4xx ->
// kInvalidArgument. `what` leads the message, the body's first 200 bytes end it.
// A Retry-After in the response (delta-seconds or an HTTP-date against the system clock,
// base::ParseRetryAfter) is put into the Error's retry_after, and named at the end of its
// message; a missing or malformed one leaves both alone.
Error HttpStatusError(const base::HttpResponse& response, std::string_view what);
void NoteRetryAfter(const base::HttpResponse& response, Error& error);

}  // namespace steer::dns
