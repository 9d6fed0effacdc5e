#include "auth_transfer.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "auth_ixfr.h"
#include "dns_wire.h"
#include "steer/base/log.h"

namespace steer::dns::auth {
namespace {

constexpr size_t kTsigReserve = 600;  // room left in each message for its TSIG record
constexpr uint8_t kRcodeNotAuth = 9;
constexpr int kLogBurst = 20;  // refusal warnings per minute; the rest are counted

// A flood of refused transfers or badly signed queries must not fill the log: at most
// kLogBurst warnings per minute (per process), then one line with how many were not logged.
void WarnRefused(uint64_t now, const std::string& line) {
  static std::mutex mu;
  static uint64_t window = 0, dropped = 0;
  static int count = 0;
  std::lock_guard lock(mu);
  if (now / 60 != window) {
    if (dropped > 0) {
      base::Logger("dns")->warn("embedded DNS server: {} more refusals in the last minute",
                                dropped);
    }
    window = now / 60;
    count = 0;
    dropped = 0;
  }
  if (++count > kLogBurst) {
    ++dropped;
    return;
  }
  base::Logger("dns")->warn("embedded DNS server: {}", line);
}

// A reply being built: header, the question (echoed as sent), then answer records.
class Message {
 public:
  Message(const wire::Query& q, uint8_t rcode, size_t cap, bool question = true)
      : buf_(cap), w_(buf_.data(), cap) {
    uint16_t flags = 0x8000 | static_cast<uint16_t>(q.opcode << 11) | (q.flags & 0x0100) | rcode;
    if (rcode == wire::kRcodeNoError) flags |= 0x0400;  // AA
    w_.Put16(q.id);
    w_.Put16(flags);
    for (int i = 0; i < 4; ++i) w_.Put16(0);
    if (question) {
      w_.PutBytes(q.qname, q.qname_len);
      w_.Put16(q.qtype);
      w_.Put16(q.qclass);
      w_.Patch16(4, 1);
    }
  }
  // One RR with an uncompressed owner; false (and nothing written) when it does not fit.
  bool Add(std::string_view owner, uint16_t type, uint32_t ttl, std::string_view rdata) {
    size_t before = w_.size();
    bool ok = w_.PutBytes(owner.data(), owner.size()) && w_.Put16(type) &&
              w_.Put16(wire::kClassIn) && w_.Put32(ttl) &&
              w_.Put16(static_cast<uint16_t>(rdata.size())) &&
              w_.PutBytes(rdata.data(), rdata.size());
    if (!ok) {
      w_.Truncate(before);
      return false;
    }
    w_.Patch16(6, ++answers_);
    return true;
  }
  bool Add(std::string_view owner, const WireRRset& rrset, const std::string& rdata) {
    return Add(owner, rrset.type, rrset.ttl, rdata);
  }
  bool Add(const WireRecord& r) { return Add(r.owner, r.type, r.ttl, r.rdata); }
  uint16_t answers() const { return answers_; }
  std::vector<uint8_t> Take() {
    buf_.resize(w_.size());
    return std::move(buf_);
  }

 private:
  std::vector<uint8_t> buf_;
  wire::Writer w_;
  uint16_t answers_ = 0;
};

// A transfer's records, packed into as many messages as `cap` needs.
class Stream {
 public:
  Stream(const wire::Query& q, size_t cap) : q_(q), cap_(cap), m_(q, wire::kRcodeNoError, cap) {}
  template <typename... Rr>
  void Add(const Rr&... rr) {
    if (m_.Add(rr...)) return;
    out_.push_back(m_.Take());
    m_ = Message(q_, wire::kRcodeNoError, cap_, false);
    m_.Add(rr...);  // one RR always fits an empty message of 64 KiB
  }
  std::vector<std::vector<uint8_t>> Finish() {
    out_.push_back(m_.Take());
    return std::move(out_);
  }

 private:
  const wire::Query& q_;
  size_t cap_;
  Message m_;
  std::vector<std::vector<uint8_t>> out_;
};

// The zone as AXFR sends it (RFC 5936 2.2): SOA, every other RR, SOA again.
std::vector<std::vector<uint8_t>> WholeZone(const Zone& zone, const wire::Query& q, size_t cap) {
  Stream s(q, cap);
  s.Add(zone.apex, zone.soa, zone.soa.rdata[0]);
  for (const auto& [name, node] : zone.nodes) {
    for (const auto& rrset : node) {
      if (rrset.type == wire::kTypeSoa) continue;
      for (const auto& rdata : rrset.rdata) s.Add(name, rrset, rdata);
    }
  }
  s.Add(zone.apex, zone.soa, zone.soa.rdata[0]);
  return s.Finish();
}

size_t RecordCount(const Zone& zone) {
  size_t n = 0;
  for (const auto& [_, node] : zone.nodes) {
    for (const auto& rrset : node) n += rrset.rdata.size();
  }
  return n;
}

// RFC 1995 4: the current SOA, then per step the old SOA, what it removed, its new SOA and what
// it added, and the current SOA again. Empty when the client's serial is not in the history,
// or when the steps would be longer than the whole zone (the client then gets the zone).
std::vector<std::vector<uint8_t>> Increments(const Zone& zone, const wire::Query& q, size_t cap) {
  auto steps = StepsSince(zone, q.client_serial);
  size_t records = 0;
  for (const ZoneStep* step : steps) records += 2 + step->removed.size() + step->added.size();
  if (steps.empty() || records > RecordCount(zone)) return {};
  Stream s(q, cap);
  s.Add(zone.apex, zone.soa, zone.soa.rdata[0]);
  for (const ZoneStep* step : steps) {
    s.Add(step->from_soa);
    for (const auto& r : step->removed) s.Add(r);
    s.Add(step->to_soa);
    for (const auto& r : step->added) s.Add(r);
  }
  s.Add(zone.apex, zone.soa, zone.soa.rdata[0]);
  return s.Finish();
}

// Signs every message of a reply with the request's MAC, then each previous one's.
std::vector<std::vector<uint8_t>> SignAll(std::vector<std::vector<uint8_t>> msgs,
                                          const tsig::Key& key, const tsig::Request& request) {
  internal::RdfPtr prior(ldns_rdf_clone(request.mac.get()));
  for (size_t i = 0; i < msgs.size(); ++i) {
    internal::RdfPtr mac;
    auto signed_msg = tsig::SignWire(msgs[i].data(), msgs[i].size(), key, prior.get(), i > 0, &mac);
    if (!signed_msg) {
      base::Logger("dns")->error("embedded DNS server: {}", signed_msg.error().message);
      return {};
    }
    msgs[i] = std::move(*signed_msg);
    prior = std::move(mac);
  }
  return msgs;
}

// Why a transfer of `zone` to `peer` is refused; empty when it is allowed.
std::string Refusal(const Zone* zone, const wire::Query& q, const Peer& peer,
                    const tsig::Request& request) {
  const TransferPolicy* policy = zone != nullptr ? zone->transfer.get() : nullptr;
  std::string_view name(reinterpret_cast<const char*>(q.lname), q.qname_len);
  if (zone == nullptr || name != zone->apex) return "not a zone served here";
  if (policy == nullptr || policy->allow.empty()) return "transfers are not enabled";
  bool allowed = false;
  for (const auto& n : policy->allow) allowed = allowed || n.Contains(peer.address);
  if (!allowed) return "source not in transfer.allow";
  if (policy->key && request.check != tsig::Check::kOk) {
    return "not signed with TSIG key " + policy->key->name;
  }
  return "";
}

std::string QueryText(const wire::Query& q) {
  char* type = ldns_rr_type2str(static_cast<ldns_rr_type>(q.qtype));
  std::string out =
      std::string(type != nullptr ? type : "?") + " " + wire::NameToText(q.qname, q.qname_len);
  free(type);
  return out;
}

std::vector<std::vector<uint8_t>> BadTsig(const wire::Query& q, const Peer& peer,
                                          const tsig::Request& request, uint64_t now) {
  uint16_t error = request.check == tsig::Check::kBadKey   ? tsig::kErrBadKey
                   : request.check == tsig::Check::kBadSig ? tsig::kErrBadSig
                                                           : tsig::kErrBadTime;
  WarnRefused(now, QueryText(q) + " from " + peer.text + " refused: TSIG key " + request.key_name +
                       ": " + tsig::ErrorName(error));
  Message m(q, kRcodeNotAuth, 512);
  return {tsig::AppendErrorTsig(m.Take(), request, q.id, error, now)};
}

std::vector<std::vector<uint8_t>> Transfer(const Zone* zone, const wire::Query& q, const Peer& peer,
                                           const tsig::Request& request, bool over_tcp,
                                           uint64_t now) {
  std::string why = Refusal(zone, q, peer, request);
  if (why.empty() && !over_tcp && q.qtype == wire::kTypeAxfr) why = "AXFR over UDP";
  std::vector<std::vector<uint8_t>> out;
  if (!why.empty()) {
    WarnRefused(now, QueryText(q) + " from " + peer.text + " refused: " + why);
    bool udp_axfr = why == "AXFR over UDP";
    out.push_back(Message(q, udp_axfr ? wire::kRcodeFormErr : wire::kRcodeRefused, 512).Take());
  } else if (!over_tcp || (q.has_client_serial && q.client_serial == zone->serial)) {
    // IXFR over UDP: our SOA, "ask again over TCP"; a client at our serial: "up to date".
    Message m(q, wire::kRcodeNoError, 65535);
    m.Add(zone->apex, zone->soa, zone->soa.rdata[0]);
    out.push_back(m.Take());
  } else {
    const size_t cap = zone->transfer->max_message - kTsigReserve;
    if (q.qtype == wire::kTypeIxfr && q.has_client_serial) out = Increments(*zone, q, cap);
    const bool incremental = !out.empty();
    if (!incremental) out = WholeZone(*zone, q, cap);
    base::Logger("dns")->info(
        "embedded DNS server: {} to {}: serial {}{}, {} message(s)", QueryText(q), peer.text,
        zone->serial, incremental ? " (changes since " + std::to_string(q.client_serial) + ")" : "",
        out.size());
  }
  return out;
}

}  // namespace

std::optional<IpBytes> ParseIp(std::string_view text) {
  std::string s(text);
  IpBytes out{};
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return out;
  return std::nullopt;
}

std::optional<Network> Network::Parse(std::string_view text) {
  size_t slash = text.find('/');
  auto ip = ParseIp(text.substr(0, slash));
  if (!ip) return std::nullopt;
  bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  Network n{*ip, 128};
  if (slash == std::string_view::npos) return n;
  std::string_view digits = text.substr(slash + 1);
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  int prefix = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix > (v4 ? 32 : 128)) return std::nullopt;
  n.prefix = v4 ? prefix + 96 : prefix;
  return n;
}

bool Network::Contains(const IpBytes& ip) const {
  for (int bit = 0; bit < prefix; ++bit) {
    int mask = 0x80 >> (bit % 8);
    if ((ip[bit / 8] & mask) != (address[bit / 8] & mask)) return false;
  }
  return true;
}

std::vector<std::vector<uint8_t>> RespondSlow(const ZoneSet& zones, const uint8_t* pkt, size_t len,
                                              const Peer& peer, const RespondOptions& options,
                                              uint64_t now) {
  wire::Query q;
  if (wire::ParseQuery(pkt, len, q) != wire::ParseStatus::kOk) return {};
  const Zone* zone = q.qclass == wire::kClassIn ? FindZone(zones, q) : nullptr;
  const TransferPolicy* policy = zone != nullptr ? zone->transfer.get() : nullptr;
  const tsig::Key* key = policy != nullptr && policy->key ? &*policy->key : nullptr;
  tsig::Request request;
  if (q.tsig) request = tsig::CheckRequest(pkt, len, key, now);
  if (request.check != tsig::Check::kUnsigned && request.check != tsig::Check::kOk) {
    return BadTsig(q, peer, request, now);
  }
  std::vector<std::vector<uint8_t>> out;
  if (q.qtype == wire::kTypeAxfr || q.qtype == wire::kTypeIxfr) {
    out = Transfer(zone, q, peer, request, options.tcp, now);
  } else {
    std::vector<uint8_t> reply(65535);
    RespondOptions plain = options;
    plain.handed_over = nullptr;
    reply.resize(Respond(zones, pkt, len, reply.data(), reply.size(), plain));
    if (!reply.empty()) out.push_back(std::move(reply));
  }
  if (request.check != tsig::Check::kOk || out.empty()) return out;
  out = SignAll(std::move(out), *key, request);
  size_t udp_limit =
      q.edns ? std::max<size_t>(512, std::min(q.udp_size, options.max_udp_size)) : 512;
  if (!options.tcp && out.size() == 1 && out[0].size() > udp_limit) {
    // The signature made the answer too long for UDP: sent empty with TC, signed, so the
    // client asks again over TCP (RFC 8945 5.3).
    std::vector<uint8_t> tc = Message(q, wire::kRcodeNoError, 512).Take();
    tc[2] |= 0x02;
    out = SignAll({std::move(tc)}, *key, request);
  }
  return out;
}

}  // namespace steer::dns::auth
