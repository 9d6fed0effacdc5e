// Respond(): one query against the current zones (auth_zone.h), into a caller's buffer.
#include <algorithm>

#include "auth_zone.h"
#include "dns_wire.h"

namespace steer::dns::auth {
namespace {

constexpr size_t kOptSize = 11;  // root name, type, class, TTL, RDLENGTH 0
constexpr int kMaxChain = 8;     // CNAMEs followed inside the zone

struct Reply {
  wire::Writer w;
  uint16_t counts[3] = {0, 0, 0};  // answer, authority, additional (before OPT)
  uint16_t rcode = wire::kRcodeNoError;
  bool aa = false;
};

const std::vector<WireRRset>* FindNode(const Zone& zone, std::string_view name) {
  auto it = zone.nodes.find(name);
  return it == zone.nodes.end() ? nullptr : &it->second;
}

const WireRRset* FindType(const std::vector<WireRRset>& node, uint16_t type) {
  for (const auto& rrset : node) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

// Owner is a compression pointer (`owner_ptr` >= 0) or a full wire name.
bool PutRRset(Reply& r, int owner_ptr, std::string_view owner, const WireRRset& rrset, uint32_t ttl,
              int section) {
  for (const auto& rdata : rrset.rdata) {
    bool ok = owner_ptr >= 0 ? r.w.PutPointer(static_cast<size_t>(owner_ptr))
                             : r.w.PutBytes(owner.data(), owner.size());
    ok = ok && r.w.Put16(rrset.type) && r.w.Put16(wire::kClassIn) && r.w.Put32(ttl) &&
         r.w.Put16(static_cast<uint16_t>(rdata.size())) && r.w.PutBytes(rdata.data(), rdata.size());
    if (!ok) return false;
    ++r.counts[section];
  }
  return true;
}

// The zone's SOA in the authority section, owner pointing into the question's name.
bool PutSoa(Reply& r, const Zone& zone, const wire::Query& q) {
  int apex_ptr = static_cast<int>(wire::kHeaderSize + q.qname_len - zone.apex.size());
  return PutRRset(r, apex_ptr, {}, zone.soa, zone.negative_ttl, 1);
}

bool PutAny(Reply& r, int owner_ptr, std::string_view owner, const std::vector<WireRRset>& node) {
  for (const auto& rrset : node) {
    if (!PutRRset(r, owner_ptr, owner, rrset, rrset.ttl, 0)) return false;
  }
  return true;
}

// RFC 1034 4.3.2 step 3 for a zone with no delegations and no wildcards.
bool Answer(Reply& r, const Zone& zone, const wire::Query& q) {
  r.aa = true;
  std::string_view name(reinterpret_cast<const char*>(q.lname), q.qname_len);
  int owner_ptr = static_cast<int>(wire::kHeaderSize);
  for (int hop = 0; hop <= kMaxChain; ++hop) {
    const auto* node = FindNode(zone, name);
    if (node == nullptr) {
      r.rcode = wire::kRcodeNxDomain;
      return PutSoa(r, zone, q);
    }
    if (q.qtype == wire::kTypeAny) return PutAny(r, owner_ptr, name, *node);
    if (const WireRRset* rrset = FindType(*node, q.qtype)) {
      return PutRRset(r, owner_ptr, name, *rrset, rrset->ttl, 0);
    }
    const WireRRset* cname = FindType(*node, wire::kTypeCname);
    if (cname == nullptr) return PutSoa(r, zone, q);  // NODATA
    if (!PutRRset(r, owner_ptr, name, *cname, cname->ttl, 0)) return false;
    // Follow the target while it stays in this zone (names in RDATA are uncompressed).
    const std::string& target = cname->rdata[0];
    if (target.size() < zone.apex.size() ||
        target.compare(target.size() - zone.apex.size(), zone.apex.size(), zone.apex) != 0) {
      return true;
    }
    name = target;
    owner_ptr = -1;
  }
  return true;
}

uint16_t Flags(const wire::Query& q, const Reply& r, bool tc) {
  uint16_t flags = 0x8000 | static_cast<uint16_t>(q.opcode << 11) | (q.flags & 0x0100);
  if (r.aa) flags |= 0x0400;
  if (tc) flags |= 0x0200;
  return flags | (r.rcode & 0xF);
}

bool PutQuestion(Reply& r, const wire::Query& q) {
  return r.w.PutBytes(q.qname, q.qname_len) && r.w.Put16(q.qtype) && r.w.Put16(q.qclass);
}

// The answer, authority and rcode for a query that parsed. Returns false when TC is due.
bool Resolve(Reply& r, const ZoneSet& zones, const wire::Query& q, const RespondOptions& options,
             size_t after_question) {
  const Zone* zone = nullptr;
  if (q.qclass != wire::kClassIn || q.qtype == wire::kTypeAxfr || q.qtype == wire::kTypeIxfr ||
      (zone = FindZone(zones, q)) == nullptr) {
    r.rcode = wire::kRcodeRefused;
    return true;
  }
  if (Answer(r, *zone, q)) return true;
  // Did not fit: an empty answer with TC, the client retries over TCP (RFC 2181 9).
  r.w.Truncate(after_question);
  r.counts[0] = r.counts[1] = r.counts[2] = 0;
  if (options.tcp) r.rcode = wire::kRcodeServFail;  // over 64 KiB: nothing to retry with
  return false;
}

// The OPT record, then the header's flags and counts.
void Finish(Reply& r, const wire::Query& q, const RespondOptions& options, size_t limit, bool edns,
            bool badvers, bool question, bool tc) {
  if (edns) {
    r.w.SetCap(limit);
    r.w.Put8(0);
    r.w.Put16(wire::kTypeOpt);
    r.w.Put16(options.max_udp_size);
    r.w.Put32(badvers ? (static_cast<uint32_t>(wire::kRcodeBadVers >> 4) << 24) : 0);
    r.w.Put16(0);
  }
  r.w.Patch16(2, Flags(q, r, tc && !options.tcp));
  r.w.Patch16(4, question ? 1 : 0);
  r.w.Patch16(6, r.counts[0]);
  r.w.Patch16(8, r.counts[1]);
  r.w.Patch16(10, static_cast<uint16_t>(r.counts[2] + (edns ? 1 : 0)));
}

}  // namespace

const Zone* FindZone(const ZoneSet& zones, const wire::Query& q) {
  uint8_t offsets[128];
  size_t n = wire::LabelOffsets(q.lname, q.qname_len, offsets);
  for (size_t i = 0; i < n; ++i) {  // longest match first
    std::string_view suffix(reinterpret_cast<const char*>(q.lname + offsets[i]),
                            q.qname_len - offsets[i]);
    auto it = zones.zones.find(suffix);
    if (it != zones.zones.end()) return it->second.get();
  }
  return nullptr;
}

size_t Respond(const ZoneSet& zones, const uint8_t* pkt, size_t len, uint8_t* out, size_t cap,
               const RespondOptions& options) {
  wire::Query q;
  wire::ParseStatus status = wire::ParseQuery(pkt, len, q);
  if (status == wire::ParseStatus::kDrop || cap < 512) return 0;
  size_t limit = options.tcp ? std::min<size_t>(cap, 65535)
                 : q.edns    ? std::min<size_t>({cap, q.udp_size, options.max_udp_size})
                             : 512;
  limit = std::max<size_t>(limit, 512);
  bool edns = q.edns && status != wire::ParseStatus::kFormErr;
  Reply r{wire::Writer(out, limit - (edns ? kOptSize : 0))};
  for (int i = 0; i < 6; ++i) r.w.Put16(i == 0 ? q.id : 0);
  bool question = status == wire::ParseStatus::kOk || status == wire::ParseStatus::kBadVers;
  if (question) PutQuestion(r, q);
  bool tc = false;
  if (status == wire::ParseStatus::kFormErr) {
    r.rcode = wire::kRcodeFormErr;
  } else if (status == wire::ParseStatus::kNotImp) {
    r.rcode = wire::kRcodeNotImp;
  } else if (status == wire::ParseStatus::kOk) {
    if (options.handed_over != nullptr &&
        (q.tsig || q.qtype == wire::kTypeAxfr || q.qtype == wire::kTypeIxfr)) {
      *options.handed_over = true;
      return 0;
    }
    tc = !Resolve(r, zones, q, options, r.w.size());
  }
  Finish(r, q, options, limit, edns, status == wire::ParseStatus::kBadVers, question, tc);
  return r.w.size();
}

}  // namespace steer::dns::auth
