#include "dns_wire.h"

#include <cstring>

namespace steer::dns::wire {
namespace {

uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Get32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

uint8_t Lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c; }

// The EDNS options of an OPT record must tile its RDATA exactly.
bool OptionsWellFormed(const uint8_t* rdata, size_t rdlen) {
  size_t p = 0;
  while (p < rdlen) {
    if (rdlen - p < 4) return false;
    size_t optlen = Get16(rdata + p + 2);
    if (rdlen - p - 4 < optlen) return false;
    p += 4 + optlen;
  }
  return true;
}

// One RR of the additional section. Only OPT is interpreted; anything else is skipped.
ParseStatus ParseAdditional(const uint8_t* pkt, size_t len, size_t* pos, Query& q, bool* seen_opt,
                            int* version) {
  uint8_t name[kMaxName];
  size_t name_len = 0;
  if (!ReadName(pkt, len, pos, name, &name_len)) return ParseStatus::kFormErr;
  if (len - *pos < 10) return ParseStatus::kFormErr;
  const uint8_t* rr = pkt + *pos;
  uint16_t type = Get16(rr);
  uint16_t rdlen = Get16(rr + 8);
  if (len - *pos - 10 < rdlen) return ParseStatus::kFormErr;
  if (type == kTypeOpt) {
    if (*seen_opt || name_len != 1) return ParseStatus::kFormErr;  // RFC 6891 6.1.1
    if (!OptionsWellFormed(rr + 10, rdlen)) return ParseStatus::kFormErr;
    *seen_opt = true;
    q.edns = true;
    uint16_t size = Get16(rr + 2);
    q.udp_size = size < 512 ? 512 : size;
    uint32_t ttl = Get32(rr + 4);
    *version = static_cast<int>((ttl >> 16) & 0xff);
    q.do_bit = (ttl & 0x8000) != 0;
  }
  if (type == kTypeTsig) q.tsig = true;
  *pos += 10 + rdlen;
  return ParseStatus::kOk;
}

bool SkipRecord(const uint8_t* pkt, size_t len, size_t* pos) {
  uint8_t name[kMaxName];
  size_t name_len = 0;
  if (!ReadName(pkt, len, pos, name, &name_len) || len - *pos < 10) return false;
  size_t rdlen = Get16(pkt + *pos + 8);
  if (len - *pos - 10 < rdlen) return false;
  *pos += 10 + rdlen;
  return true;
}

// An IXFR's authority record: the client's SOA (RFC 1995 3). Reads its serial when the record
// is an SOA of class IN whose RDATA holds exactly MNAME, RNAME and five 32-bit fields.
bool ReadClientSoa(const uint8_t* pkt, size_t len, size_t* pos, Query& q) {
  uint8_t name[kMaxName];
  size_t name_len = 0;
  const size_t start = *pos;
  if (!SkipRecord(pkt, len, pos)) return false;
  size_t p = start;
  if (!ReadName(pkt, len, &p, name, &name_len)) return false;
  const uint16_t type = Get16(pkt + p), klass = Get16(pkt + p + 2);
  const size_t rdata_end = p + 10 + Get16(pkt + p + 8);
  p += 10;
  if (type != kTypeSoa || klass != kClassIn) return true;  // not an SOA: no serial to use
  if (!ReadName(pkt, rdata_end, &p, name, &name_len) ||
      !ReadName(pkt, rdata_end, &p, name, &name_len) || rdata_end - p != 20) {
    return false;
  }
  q.has_client_serial = true;
  q.client_serial = Get32(pkt + p);
  return true;
}

}  // namespace

bool ReadName(const uint8_t* pkt, size_t len, size_t* pos, uint8_t* out, size_t* out_len) {
  size_t p = *pos;
  size_t run_start = p;  // every pointer must point before the run it ends: no loops
  size_t n = 0;
  size_t resume = 0;
  while (true) {
    if (p >= len) return false;
    uint8_t label = pkt[p];
    if ((label & 0xC0) == 0xC0) {
      if (len - p < 2) return false;
      size_t target = (static_cast<size_t>(label & 0x3F) << 8) | pkt[p + 1];
      if (resume == 0) resume = p + 2;
      if (target >= run_start) return false;
      p = run_start = target;
      continue;
    }
    if ((label & 0xC0) != 0) return false;  // 0x40/0x80: extended label types, obsolete
    if (n + label + 1 > kMaxName || len - p < static_cast<size_t>(label) + 1) return false;
    std::memcpy(out + n, pkt + p, label + 1);
    n += label + 1;
    p += label + 1;
    if (label == 0) break;
  }
  *out_len = n;
  *pos = resume != 0 ? resume : p;
  return true;
}

ParseStatus ParseQuery(const uint8_t* pkt, size_t len, Query& q) {
  if (pkt == nullptr || len < kHeaderSize) return ParseStatus::kDrop;
  q.id = Get16(pkt);
  q.flags = Get16(pkt + 2);
  if ((q.flags & 0x8000) != 0) return ParseStatus::kDrop;  // a response: never answer it
  q.opcode = static_cast<uint8_t>((q.flags >> 11) & 0xF);
  q.rd = (q.flags & 0x0100) != 0;
  q.qname_len = 0;
  q.edns = false;
  q.udp_size = 512;
  q.do_bit = false;
  q.tsig = false;
  if (q.opcode != kOpQuery) return ParseStatus::kNotImp;
  uint16_t qd = Get16(pkt + 4), an = Get16(pkt + 6), ns = Get16(pkt + 8), ar = Get16(pkt + 10);
  if (qd != 1 || an != 0) return ParseStatus::kFormErr;
  size_t pos = kHeaderSize;
  size_t name_len = 0;
  if (!ReadName(pkt, len, &pos, q.qname, &name_len)) return ParseStatus::kFormErr;
  if (len - pos < 4) return ParseStatus::kFormErr;
  q.qname_len = name_len;
  LowerName(q.qname, name_len, q.lname);
  q.qtype = Get16(pkt + pos);
  q.qclass = Get16(pkt + pos + 2);
  pos += 4;
  // Only an IXFR has an authority section: the client's SOA (RFC 1995 3).
  q.has_client_serial = false;
  if (ns != 0 && (q.qtype != kTypeIxfr || ns != 1 || !ReadClientSoa(pkt, len, &pos, q))) {
    return ParseStatus::kFormErr;
  }
  bool seen_opt = false;
  int version = 0;
  for (uint16_t i = 0; i < ar; ++i) {
    ParseStatus s = ParseAdditional(pkt, len, &pos, q, &seen_opt, &version);
    if (s != ParseStatus::kOk) return s;
  }
  if (pos != len) return ParseStatus::kFormErr;  // bytes beyond the counted records
  if (version != 0) return ParseStatus::kBadVers;
  return ParseStatus::kOk;
}

size_t LabelOffsets(const uint8_t* name, size_t len, uint8_t* offsets) {
  size_t count = 0;
  for (size_t p = 0; p < len && name[p] != 0; p += name[p] + 1) {
    offsets[count++] = static_cast<uint8_t>(p);
  }
  return count;
}

bool Writer::Put8(uint8_t v) { return PutBytes(&v, 1); }
bool Writer::Put16(uint16_t v) {
  uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return PutBytes(b, 2);
}
bool Writer::Put32(uint32_t v) {
  uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                  static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return PutBytes(b, 4);
}
bool Writer::PutBytes(const void* data, size_t n) {
  if (!ok_ || cap_ - len_ < n) {
    ok_ = false;
    return false;
  }
  std::memcpy(buf_ + len_, data, n);
  len_ += n;
  return true;
}
void Writer::Patch16(size_t at, uint16_t v) {
  if (at + 2 > len_) return;
  buf_[at] = static_cast<uint8_t>(v >> 8);
  buf_[at + 1] = static_cast<uint8_t>(v);
}

void LowerName(const uint8_t* in, size_t len, uint8_t* out) {
  // Length bytes are < 64, so lower-casing them is a no-op: one loop over the whole name.
  for (size_t i = 0; i < len; ++i) out[i] = Lower(in[i]);
}

bool NameFromText(std::string_view text, std::string* out) {
  out->clear();
  if (text.empty() || text == ".") {
    out->push_back('\0');
    return true;
  }
  if (text.back() == '.') text.remove_suffix(1);
  size_t start = 0;
  while (start <= text.size()) {
    size_t dot = text.find('.', start);
    if (dot == std::string_view::npos) dot = text.size();
    size_t label = dot - start;
    if (label == 0 || label > 63 || text.find('\\', start) < dot) return false;
    out->push_back(static_cast<char>(label));
    for (size_t i = start; i < dot; ++i) out->push_back(static_cast<char>(Lower(text[i])));
    start = dot + 1;
  }
  out->push_back('\0');
  return out->size() <= kMaxName;
}

std::string NameToText(const uint8_t* name, size_t len) {
  std::string out;
  for (size_t p = 0; p < len && name[p] != 0; p += name[p] + 1) {
    out.append(reinterpret_cast<const char*>(name + p + 1), name[p]);
    out.push_back('.');
  }
  return out.empty() ? "." : out;
}

}  // namespace steer::dns::wire
