#include "auth_zone.h"

#include <algorithm>
#include <cstring>

#include "auth_ixfr.h"
#include "dns_exchange.h"
#include "dns_wire.h"

namespace steer::dns::auth {
namespace {

Error Bad(const std::string& origin, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "zone " + origin + ": " + what);
}

bool InZone(const std::string& name, const std::string& apex) {
  // Both lower-case wire names: `name` ends with `apex` on a label boundary.
  if (name.size() < apex.size()) return false;
  size_t p = 0;
  while (p < name.size()) {
    if (name.size() - p == apex.size()) return name.compare(p, apex.size(), apex) == 0;
    p += static_cast<uint8_t>(name[p]) + 1;
  }
  return false;
}

// One record's RDATA in wire form, parsed by ldns for its type.
Result<std::string> RdataWire(const RRset& rrset, const std::string& record, uint16_t* type) {
  std::string text =
      rrset.name + " " + std::to_string(rrset.ttl) + " IN " + rrset.type + " " + record;
  ldns_rr* rr = nullptr;
  if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot parse " + rrset.type + " record '" + record + "' of " + rrset.name);
  }
  *type = static_cast<uint16_t>(ldns_rr_get_type(rr));
  uint8_t* wire = nullptr;
  size_t size = 0;
  ldns_status st = ldns_rr2wire(&wire, rr, LDNS_SECTION_ANSWER, &size);
  size_t owner = ldns_rdf_size(ldns_rr_owner(rr));
  ldns_rr_free(rr);
  if (st != LDNS_STATUS_OK || size < owner + 10) {
    free(wire);
    return MakeError(ErrorCode::kInvalidArgument, "cannot encode record '" + record + "'");
  }
  std::string out(reinterpret_cast<const char*>(wire) + owner + 10, size - owner - 10);
  free(wire);
  return out;
}

Result<void> AddRRset(Zone& zone, const RRset& rrset) {
  std::string name;
  if (!wire::NameFromText(rrset.name, &name) || !InZone(name, zone.apex)) {
    return tl::unexpected(Bad(zone.origin, rrset.name + " is not inside the zone"));
  }
  if (rrset.name.rfind("*.", 0) == 0 || rrset.name == "*") {
    return tl::unexpected(Bad(zone.origin, rrset.name + ": wildcard records are not served"));
  }
  WireRRset w;
  w.ttl = static_cast<uint32_t>(rrset.ttl);
  for (const auto& record : rrset.records) {
    auto rdata = RdataWire(rrset, record, &w.type);
    if (!rdata) return tl::unexpected(Bad(zone.origin, rdata.error().message));
    w.rdata.push_back(std::move(*rdata));
  }
  if (w.rdata.empty()) return tl::unexpected(Bad(zone.origin, rrset.name + " has no records"));
  if (w.type == wire::kTypeNs && name != zone.apex) {
    return tl::unexpected(
        Bad(zone.origin, rrset.name + ": delegations (NS below the apex) are not served"));
  }
  if (w.type == wire::kTypeSoa) {
    if (name != zone.apex || !zone.soa.rdata.empty() || w.rdata.size() != 1) {
      return tl::unexpected(Bad(zone.origin, "exactly one SOA record, at the apex"));
    }
    zone.soa = w;
  }
  auto& node = zone.nodes[name];
  for (const auto& existing : node) {
    bool cname = existing.type == wire::kTypeCname || w.type == wire::kTypeCname;
    if (existing.type == w.type || cname) {
      return tl::unexpected(Bad(zone.origin, rrset.name + (cname ? ": CNAME next to other data"
                                                                 : ": " + rrset.type + " twice")));
    }
  }
  node.push_back(std::move(w));
  return {};
}

// Every ancestor of every name, up to the apex, exists (as an empty non-terminal if it has
// no data): a query for it is NODATA, not NXDOMAIN (RFC 8020).
void AddEmptyNonTerminals(Zone& zone) {
  std::vector<std::string> names;
  for (const auto& [name, _] : zone.nodes) names.push_back(name);
  for (const auto& name : names) {
    size_t p = static_cast<uint8_t>(name[0]) + 1;
    while (name.size() - p > zone.apex.size()) {
      zone.nodes.try_emplace(name.substr(p));
      p += static_cast<uint8_t>(name[p]) + 1;
    }
  }
}

void SetSerial(Zone& zone, uint32_t serial) {
  std::string& rdata = zone.soa.rdata[0];
  // SOA RDATA: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM; the last five are 4 bytes.
  size_t at = rdata.size() - 20;
  for (int i = 0; i < 4; ++i) rdata[at + i] = static_cast<char>(serial >> (24 - 8 * i));
  auto minimum = [&] {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(rdata[rdata.size() - 4 + i]);
    return v;
  }();
  zone.serial = serial;
  zone.negative_ttl = std::min(zone.soa.ttl, minimum);
  zone.nodes[zone.apex].front() = zone.soa;  // the SOA is the apex's first RRset
}

}  // namespace

Result<std::shared_ptr<const Zone>> BuildZone(const std::string& origin,
                                              const std::vector<RRset>& rrsets, uint32_t serial,
                                              std::shared_ptr<const TransferPolicy> transfer,
                                              const Zone* previous) {
  auto zone = std::make_shared<Zone>();
  zone->transfer = std::move(transfer);
  zone->origin = CanonicalName(origin);
  if (!wire::NameFromText(zone->origin, &zone->apex)) {
    return tl::unexpected(Bad(zone->origin, "not a valid zone name"));
  }
  // The SOA first, so it is the apex's first RRset.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& rrset : rrsets) {
      if ((rrset.type == "SOA") != (pass == 0)) continue;
      RRset normalized = rrset.Normalized();
      if (auto ok = AddRRset(*zone, normalized); !ok) return tl::unexpected(ok.error());
      zone->rrsets.push_back(std::move(normalized));
    }
  }
  if (zone->soa.rdata.empty() || zone->soa.rdata[0].size() < 22) {
    return tl::unexpected(Bad(zone->origin, "no SOA record at the apex"));
  }
  AddEmptyNonTerminals(*zone);
  SetSerial(*zone, serial);
  for (auto& rrset : zone->rrsets) {
    if (rrset.type != "SOA") continue;
    // Keep the presentation form in step: MNAME RNAME SERIAL ...
    auto first = rrset.records[0].find(' ');
    auto second = rrset.records[0].find(' ', first + 1);
    auto third = rrset.records[0].find(' ', second + 1);
    if (third != std::string::npos) {
      rrset.records[0].replace(second + 1, third - second - 1, std::to_string(serial));
    }
  }
  if (previous != nullptr && previous->apex == zone->apex && previous->serial != serial) {
    zone->history = NextHistory(*previous, *zone);
  }
  return std::shared_ptr<const Zone>(std::move(zone));
}

}  // namespace steer::dns::auth
