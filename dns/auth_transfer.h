#pragma once

// Private to steer_dns: what the embedded server answers to secondaries (RFC 5936 AXFR,
// RFC 1995 IXFR, RFC 8945 TSIG). The fast path (auth_zone.h Respond) hands over every query
// that is a zone transfer or carries a TSIG record; RespondSlow answers it:
// - a bad TSIG (unknown key or algorithm, wrong MAC, time outside the fudge): NOTAUTH with
//   an unsigned TSIG record carrying BADKEY / BADSIG / BADTIME (RFC 8945 5.3.2), logged;
// - AXFR or IXFR from a source outside `allow`, or not signed with the zone's key: REFUSED,
//   logged; AXFR over UDP: FORMERR (RFC 5936 4.2); IXFR over UDP: the SOA alone, which
//   tells the client to ask again over TCP (RFC 1995 2);
// - AXFR over TCP: the whole zone, SOA first and last, in as many messages as `max_message`
//   needs, every one signed (the first with the request's MAC, the later ones with the
//   previous MAC, timers only: RFC 8945 5.3.1);
// - IXFR over TCP: the changes since the client's serial when the zone's history still holds
//   it (auth_ixfr.h; RFC 1995 4), our SOA alone when the client is at our serial, else the
//   whole zone as for AXFR (also when the changes hold more records than the zone, as BIND's
//   default max-ixfr-ratio of 100 % does);
// - any other signed query: the usual answer, signed.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth_zone.h"
#include "tsig.h"

namespace steer::dns::auth {

// An address as 16 bytes; IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d).
using IpBytes = std::array<uint8_t, 16>;
std::optional<IpBytes> ParseIp(std::string_view text);

// "10.0.0.0/8", "2001:db8::/32", or a single address.
struct Network {
  IpBytes address{};
  int prefix = 128;
  static std::optional<Network> Parse(std::string_view text);
  bool Contains(const IpBytes& ip) const;
};

struct TransferPolicy {
  std::vector<Network> allow;    // sources allowed to transfer; empty: none
  std::optional<tsig::Key> key;  // required for transfers; signs NOTIFY and signed answers
  size_t max_message = 65535;    // bytes per transfer message (smaller in tests)
};

struct Peer {
  IpBytes address{};
  std::string text;  // for logs: "127.0.0.1:40312"
};

// Answers a query Respond handed over (RespondOptions::handed_over). Returns the messages to
// send in order (one for UDP), or none. `now` is Unix time, for TSIG.
std::vector<std::vector<uint8_t>> RespondSlow(const ZoneSet& zones, const uint8_t* pkt, size_t len,
                                              const Peer& peer, const RespondOptions& options,
                                              uint64_t now);

}  // namespace steer::dns::auth
