#pragma once

// Proves a change landed: every authoritative server of the zone is asked directly (no
// recursion, no cache) until all of them answer the new RRset or a deadline passes. The
// report is per server so an operator sees which one lags.
//
// Thread-safety: DnsQuerier implementations must be thread-safe (WaitFor asks servers in
// parallel); PropagationChecker holds no mutable state beyond its references and may be shared.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/clock.h"
#include "steer/base/error.h"
#include "steer/dns/rrset.h"

namespace steer::dns {

struct NameServer {
  std::string host;  // an IP address literal (v4 or v6)
  uint16_t port = 53;
  std::string label;       // how to show it: the NS name or "host:port"
  bool recursive = false;  // a resolver, not an authoritative server: queries set RD=1

  std::string ToString() const;
};

// "127.0.0.1:5300", "[::1]:53", "127.0.0.1" (port 53).
Result<NameServer> ParseNameServer(const std::string& text);

// The `nameserver` lines of a resolv.conf(5) file (the system resolver), in order, each a
// recursive NameServer on port 53. A missing file or one without such lines gives none.
std::vector<NameServer> SystemResolvers(const std::string& resolv_conf = "/etc/resolv.conf");

// One direct question to one server.
struct QueryAnswer {
  std::string rcode = "NOERROR";         // NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ...
  bool authoritative = false;            // the AA bit
  std::optional<RRset> rrset;            // the answer section's RRset for name/type, if any
  std::vector<std::string> referral_ns;  // NS names in the authority section (NS queries)
};

class DnsQuerier {
 public:
  virtual ~DnsQuerier() = default;
  // Sends one query over UDP (TCP on truncation), RD=0 unless `server.recursive`. A timeout
  // or unreachable server is kDeadlineExceeded / kUnavailable.
  virtual Result<QueryAnswer> Query(const NameServer& server, const std::string& name,
                                    const std::string& type, std::chrono::milliseconds timeout) = 0;
};

// What a server's reply (wire format) says about name/type: the rcode, the AA bit, the
// answer's RRset and the authority section's NS names. LdnsQuerier's reading of every reply;
// a reply ldns cannot parse is an error.
Result<QueryAnswer> ParseQueryAnswer(const std::vector<uint8_t>& reply_wire,
                                     const std::string& name, const std::string& type);

// The ldns implementation: synchronous, one socket per query.
class LdnsQuerier : public DnsQuerier {
 public:
  Result<QueryAnswer> Query(const NameServer& server, const std::string& name,
                            const std::string& type, std::chrono::milliseconds timeout) override;
};

struct ServerResult {
  NameServer server;
  bool in_sync = false;
  std::optional<RRset> last_answer;  // what it answered last
  std::string last_error;            // rcode or transport error of the last try, "" if fine
  int queries = 0;
  std::chrono::milliseconds elapsed{0};  // until in sync (or until the deadline)
};

struct PropagationReport {
  bool complete = false;  // every server in sync
  std::vector<ServerResult> servers;
  std::chrono::milliseconds elapsed{0};
};

struct PropagationOptions {
  std::chrono::milliseconds deadline{30000};
  std::chrono::milliseconds poll_interval{50};  // between rounds for lagging servers
  std::chrono::milliseconds query_timeout{1000};
};

class PropagationChecker {
 public:
  PropagationChecker(DnsQuerier& querier, const base::Clock& clock)
      : querier_(querier), clock_(clock) {}

  // Asks every server until each answers exactly `want`'s records (TTL not compared: a
  // server may count down). Never an Error: unreachable servers are reported per server.
  PropagationReport WaitFor(const RRset& want, const std::vector<NameServer>& servers,
                            const PropagationOptions& options);

  // One round, no waiting: what each server answers now (for `steerctl dns show`).
  std::vector<ServerResult> Snapshot(const std::string& name, const std::string& type,
                                     const std::vector<NameServer>& servers,
                                     std::chrono::milliseconds timeout);

  // The zone's NS set as asked of `bootstrap` (an authoritative server of the zone or a
  // resolver), each NS name resolved to its A/AAAA addresses by asking the same server
  // (in-zone glue); NS names outside the zone that `bootstrap` does not resolve are asked of
  // `resolver`, if given. Every server found is kept on `bootstrap`'s port. An empty NS set,
  // or an NS name nobody resolves, is kNotFound.
  Result<std::vector<NameServer>> ResolveNameServers(
      const std::string& zone, const NameServer& bootstrap, std::chrono::milliseconds timeout,
      const std::optional<NameServer>& resolver = std::nullopt);

 private:
  DnsQuerier& querier_;
  const base::Clock& clock_;
};

}  // namespace steer::dns
