#pragma once

// Private to steer_dns: the DNS wire codec of the embedded authoritative server. A query is
// parsed in place without allocating; every read is bounds-checked against the packet, so a
// truncated packet, a compression loop, a bad section count or an oversized EDNS option is an
// error, never a read past the end. The writer appends to a fixed buffer and reports when
// the reply does not fit (the caller then sets TC).
//
// Hand-written rather than ldns: an ldns_wire2pkt + ldns_pkt2wire round trip allocates every
// name, RR and rdf; bench/dns/dns_codec_bench.cc measures both (figures in docs/benchmarks.md).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace steer::dns::wire {

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxName = 255;
inline constexpr uint16_t kTypeA = 1, kTypeNs = 2, kTypeCname = 5, kTypeSoa = 6, kTypeAaaa = 28,
                          kTypeOpt = 41, kTypeTsig = 250, kTypeIxfr = 251, kTypeAxfr = 252,
                          kTypeAny = 255;
inline constexpr uint16_t kClassIn = 1, kClassAny = 255;
inline constexpr uint8_t kOpQuery = 0;
inline constexpr uint8_t kRcodeNoError = 0, kRcodeFormErr = 1, kRcodeServFail = 2,
                         kRcodeNxDomain = 3, kRcodeNotImp = 4, kRcodeRefused = 5;
inline constexpr uint16_t kRcodeBadVers = 16;  // extended RCODE, sent in OPT

enum class ParseStatus {
  kOk,
  kDrop,     // too short for a header, or a response: no reply at all
  kFormErr,  // reply FORMERR (header and id are valid)
  kNotImp,   // opcode other than QUERY: reply NOTIMP
  kBadVers,  // EDNS version other than 0: reply BADVERS
};

// A parsed query. `qname` is the question's name in uncompressed wire form as sent (case kept,
// for the echo); `lname` is the same lower-cased, for lookups.
struct Query {
  uint16_t id = 0;
  uint16_t flags = 0;  // as received
  uint8_t opcode = 0;
  bool rd = false;
  uint8_t qname[kMaxName];
  uint8_t lname[kMaxName];
  size_t qname_len = 0;
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  bool edns = false;
  uint16_t udp_size = 512;  // the requestor's payload size (>= 512)
  bool do_bit = false;
  bool tsig = false;  // the additional section holds a TSIG record (type 250)
  // IXFR: the serial of the SOA the client sent in the authority section (RFC 1995 3).
  bool has_client_serial = false;
  uint32_t client_serial = 0;
};

// Parses a query packet. On kFormErr/kNotImp/kBadVers, `q.id`, `q.flags` and `q.opcode` are
// set (and the question when it parsed), so the caller can still reply.
ParseStatus ParseQuery(const uint8_t* pkt, size_t len, Query& q);

// Reads the (possibly compressed) name at `*pos` into `out` (uncompressed wire form), moving
// `*pos` past it. Pointers must point strictly backwards, so loops cannot occur; false on any
// malformed name or a read past `len`.
bool ReadName(const uint8_t* pkt, size_t len, size_t* pos, uint8_t* out, size_t* out_len);

// Number of labels and the offset of each label in a wire name (without the root label).
// Used to find the longest served zone that is a suffix of the query name.
size_t LabelOffsets(const uint8_t* name, size_t len, uint8_t* offsets);

// Appends to a caller-owned buffer; every Put* returns false (and writes nothing more) once
// the next piece would not fit.
class Writer {
 public:
  Writer(uint8_t* buf, size_t cap) : buf_(buf), cap_(cap) {}
  bool Put8(uint8_t v);
  bool Put16(uint16_t v);
  bool Put32(uint32_t v);
  bool PutBytes(const void* data, size_t n);
  // A name as a pointer to an earlier offset of the same message (compression).
  bool PutPointer(size_t offset) { return Put16(static_cast<uint16_t>(0xC000 | offset)); }
  // Overwrites a 16-bit field written earlier (header counts, flags).
  void Patch16(size_t at, uint16_t v);
  size_t size() const { return len_; }
  // Drops everything after `len` and clears a failed Put (used to fall back to TC).
  void Truncate(size_t len) {
    len_ = len;
    ok_ = true;
  }
  // Moves the end of the buffer (never past the real capacity given to the constructor).
  void SetCap(size_t cap) { cap_ = cap; }
  bool ok() const { return ok_; }

 private:
  uint8_t* buf_;
  size_t cap_;
  size_t len_ = 0;
  bool ok_ = true;
};

// Text "www.Example.test." to lower-case wire form; false for a malformed name.
bool NameFromText(std::string_view text, std::string* out);
// Wire name to text with the trailing dot ("www.example.test.").
std::string NameToText(const uint8_t* name, size_t len);
void LowerName(const uint8_t* in, size_t len, uint8_t* out);

}  // namespace steer::dns::wire
