#pragma once

// Private to steer_dns: the one home of TSIG (RFC 8945) for every part of steer_dns that
// signs or verifies DNS messages: the rfc2136 provider's UPDATEs and their replies, and the
// embedded server's zone transfers, signed answers and NOTIFYs. The HMAC and the wire layout
// are ldns's (ldns_pkt_tsig_sign_next / ldns_pkt_tsig_verify_next); this file adds the key
// model, the checks ldns leaves to its caller (key name, algorithm, time) and wire helpers.
// Messages name a key, never its secret.

#include <cstdint>
#include <string>
#include <vector>

#include "dns_exchange.h"
#include "steer/base/error.h"

namespace steer::dns::tsig {

inline constexpr uint16_t kFudge = 300;  // seconds of clock skew tolerated, as nsupdate and BIND
inline constexpr uint16_t kTypeTsig = 250;
inline constexpr uint16_t kErrBadSig = 16, kErrBadKey = 17, kErrBadTime = 18;

struct Key {
  std::string name;       // FQDN, lower case: "steer-key."
  std::string algorithm;  // "hmac-sha256." or "hmac-sha512."
  std::string secret;     // base64

  bool operator==(const Key&) const = default;
};

// name and algorithm as FQDNs in lower case; nothing checked.
Key Normalize(const std::string& name, const std::string& algorithm, const std::string& secret);
// A key from configuration: `algorithm` must be hmac-sha256 or hmac-sha512 (with or without
// the trailing dot), the name non-empty and the secret valid base64 (checked by signing a
// probe message). Errors name the key and `who`, never the secret.
Result<Key> MakeKey(const std::string& who, const std::string& name, const std::string& algorithm,
                    const std::string& secret);

// "BADSIG (wrong secret or algorithm)", ...
std::string ErrorName(uint16_t error);
// The TSIG error field of a message's TSIG record (0 when unsigned or no error).
uint16_t ErrorOf(const ldns_pkt* pkt);

// Signs `pkt` in place. `prior_mac` is null for a request, the request's MAC for its reply,
// or the previous message's MAC for the later messages of a multi-message reply (RFC 8945
// 5.3.1), which set `timers_only`.
Result<void> Sign(ldns_pkt* pkt, const Key& key, const ldns_rdf* prior_mac,
                  bool timers_only = false);
// Verifies a message's TSIG against `key` (name, algorithm and MAC); see Sign for prior_mac.
bool Verify(ldns_pkt* pkt, const std::vector<uint8_t>& wire, const Key& key,
            const ldns_rdf* prior_mac, bool timers_only = false);

// The MAC field of a signed message's TSIG record (null when unsigned); owned by `pkt`.
const ldns_rdf* MacOf(const ldns_pkt* pkt);

// Signs a message given in wire form and returns it re-encoded with its TSIG record;
// `*mac` receives the new MAC (the prior MAC of the next message of a stream).
Result<std::vector<uint8_t>> SignWire(const uint8_t* msg, size_t len, const Key& key,
                                      const ldns_rdf* prior_mac, bool timers_only,
                                      internal::RdfPtr* mac);

// A received request checked against the one key a server knows.
enum class Check { kUnsigned, kOk, kBadKey, kBadSig, kBadTime };
struct Request {
  Check check = Check::kUnsigned;
  std::string key_name;   // as sent (for logs and the error reply)
  std::string algorithm;  // as sent
  internal::RdfPtr mac;   // the request's MAC, to sign the reply with (kOk, kBadTime)
  uint64_t time_signed = 0;
};
Request CheckRequest(const uint8_t* msg, size_t len, const Key* key, uint64_t now);

// RFC 8945 5.3.2: the unsigned error reply to a request whose key or MAC is bad: `reply`
// (a complete message, header counts included) gets a TSIG record with an empty MAC and
// `error`; NOTAUTH is set by the caller.
std::vector<uint8_t> AppendErrorTsig(std::vector<uint8_t> reply, const Request& request,
                                     uint16_t id, uint16_t error, uint64_t now);

}  // namespace steer::dns::tsig
