#pragma once

// Private to steer_dns: one DNS message exchange with one server, and ldns RAII helpers.
// Synchronous with a deadline; a connected UDP socket reports a closed port at once
// (ECONNREFUSED) instead of waiting for the timeout. Falls back to TCP on truncation.

// stdbool.h first: without __bool_true_false_are_defined, ldns/common.h #defines bool,
// true and false as macros, which breaks the C++ standard library.
#include <stdbool.h>  // NOLINT
// clang-format off
#include <ldns/ldns.h>
// clang-format on

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/error.h"
#include "steer/dns/propagation.h"
#include "steer/dns/rrset.h"

namespace steer::dns::internal {

struct PktDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct RrListDeleter {
  void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};
struct RdfDeleter {
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;
using RrListPtr = std::unique_ptr<ldns_rr_list, RrListDeleter>;
using RdfPtr = std::unique_ptr<ldns_rdf, RdfDeleter>;

// Sends `query` (wire format) and returns the reply whose id matches.
Result<std::vector<uint8_t>> Exchange(const NameServer& server, const std::vector<uint8_t>& query,
                                      std::chrono::milliseconds timeout);

Result<std::vector<uint8_t>> ToWire(const ldns_pkt* pkt);
Result<PktPtr> FromWire(const std::vector<uint8_t>& wire);

// "NOERROR", "NXDOMAIN", ...
std::string RcodeName(int rcode);

// The RRset of `name`/`type` in the packet's answer section, if any.
std::optional<RRset> AnswerRRset(const ldns_pkt* pkt, const std::string& name,
                                 const std::string& type);

// Record data of one RR in presentation format ("127.0.0.2", "\"txt\"", "host.example.").
std::string RdataText(const ldns_rr* rr);

// Every RRset of the zone file `path` (apex `origin`), the SOA first, read with ldns's zone
// reader. A missing file is kNotFound (`who` leads that message); a syntax error is
// kInvalidArgument "path:line: what"; a zone without SOA is kInvalidArgument. Defined in
// zonefile_provider.cc; the embedded server reads its static records with it too.
Result<std::vector<RRset>> ReadZoneFile(const std::string& path, const std::string& origin,
                                        const std::string& who);

// A plain query for name/type: RD=0, or RD=1 for a resolver (`recursion_desired`).
Result<PktPtr> MakeQuery(const std::string& name, const std::string& type,
                         bool recursion_desired = false);

}  // namespace steer::dns::internal
