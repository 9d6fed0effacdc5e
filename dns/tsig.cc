#include "tsig.h"

#include <algorithm>
#include <cctype>

#include "dns_wire.h"

namespace steer::dns::tsig {
namespace {

using internal::PktPtr;
using internal::RdfPtr;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string WithDot(std::string s) {
  if (s.empty() || s.back() != '.') s += '.';
  return Lower(s);
}

std::string RdfText(const ldns_rdf* rdf) {
  char* text = ldns_rdf2str(rdf);
  std::string out = text != nullptr ? text : "";
  free(text);
  return Lower(out);
}

uint64_t TimeSigned(const ldns_rdf* rdf) {
  if (ldns_rdf_size(rdf) != 6) return 0;
  uint64_t t = 0;
  for (size_t i = 0; i < 6; ++i) t = (t << 8) | ldns_rdf_data(rdf)[i];
  return t;
}

void Put48(wire::Writer& w, uint64_t v) {
  w.Put16(static_cast<uint16_t>(v >> 32));
  w.Put32(static_cast<uint32_t>(v));
}

// Strict base64 (RFC 4648, padded, no whitespace). Checked before ldns sees the secret: ldns's
// signing leaks the parts of the TSIG record it had built when the secret does not decode.
bool ValidBase64(const std::string& s) {
  if (s.empty() || s.size() % 4 != 0) return false;
  size_t pad = 0;
  while (pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
  for (size_t i = 0; i < s.size() - pad; ++i) {
    const char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  return true;
}

}  // namespace

Key Normalize(const std::string& name, const std::string& algorithm, const std::string& secret) {
  return Key{WithDot(name), WithDot(algorithm), secret};
}

Result<Key> MakeKey(const std::string& who, const std::string& name, const std::string& algorithm,
                    const std::string& secret) {
  Key key = Normalize(name, algorithm, secret);
  if (name.empty()) return MakeError(ErrorCode::kInvalidArgument, who + ": TSIG key name is empty");
  if (key.algorithm != "hmac-sha256." && key.algorithm != "hmac-sha512.") {
    return MakeError(
        ErrorCode::kInvalidArgument,
        who + ": TSIG algorithm must be hmac-sha256 or hmac-sha512, not '" + algorithm + "'");
  }
  auto probe = internal::MakeQuery("probe.", "SOA");
  if (!ValidBase64(secret) || !probe || !Sign(probe->get(), key, nullptr)) {
    return MakeError(ErrorCode::kInvalidArgument, who + ": cannot sign with TSIG key " + key.name +
                                                      " (is the secret valid base64?)");
  }
  return key;
}

std::string ErrorName(uint16_t error) {
  switch (error) {
    case kErrBadSig:
      return "BADSIG (wrong secret or algorithm)";
    case kErrBadKey:
      return "BADKEY (the server does not know this key name/algorithm)";
    case kErrBadTime:
      return "BADTIME (clocks differ by more than the fudge)";
    case 22:
      return "BADTRUNC";
    default:
      return "TSIG error " + std::to_string(error);
  }
}

uint16_t ErrorOf(const ldns_pkt* pkt) {
  const ldns_rr* rr = ldns_pkt_tsig(pkt);
  if (rr == nullptr || ldns_rr_rd_count(rr) < 6) return 0;
  return ldns_rdf2native_int16(ldns_rr_rdf(rr, 5));
}

const ldns_rdf* MacOf(const ldns_pkt* pkt) {
  const ldns_rr* rr = ldns_pkt_tsig(pkt);
  return rr != nullptr && ldns_rr_rd_count(rr) > 3 ? ldns_rr_rdf(rr, 3) : nullptr;
}

Result<void> Sign(ldns_pkt* pkt, const Key& key, const ldns_rdf* prior_mac, bool timers_only) {
  if (ldns_pkt_tsig_sign_next(pkt, key.name.c_str(), key.secret.c_str(), kFudge,
                              key.algorithm.c_str(), prior_mac,
                              timers_only ? 1 : 0) != LDNS_STATUS_OK) {
    // ldns rejects a secret that is not base64; never echo it.
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot sign with TSIG key " + key.name + " (is the secret valid base64?)");
  }
  return {};
}

bool Verify(ldns_pkt* pkt, const std::vector<uint8_t>& wire, const Key& key,
            const ldns_rdf* prior_mac, bool timers_only) {
  const ldns_rr* rr = ldns_pkt_tsig(pkt);
  if (rr == nullptr || ldns_rr_rd_count(rr) < 7) return false;
  if (RdfText(ldns_rr_owner(rr)) != key.name || RdfText(ldns_rr_rdf(rr, 0)) != key.algorithm) {
    return false;
  }
  return ldns_pkt_tsig_verify_next(pkt, wire.data(), wire.size(), key.name.c_str(),
                                   key.secret.c_str(), prior_mac, timers_only ? 1 : 0);
}

Result<std::vector<uint8_t>> SignWire(const uint8_t* msg, size_t len, const Key& key,
                                      const ldns_rdf* prior_mac, bool timers_only, RdfPtr* mac) {
  auto pkt = internal::FromWire(std::vector<uint8_t>(msg, msg + len));
  if (!pkt) return tl::unexpected(pkt.error());
  if (auto ok = Sign(pkt->get(), key, prior_mac, timers_only); !ok) {
    return tl::unexpected(ok.error());
  }
  mac->reset(ldns_rdf_clone(MacOf(pkt->get())));
  return internal::ToWire(pkt->get());
}

Request CheckRequest(const uint8_t* msg, size_t len, const Key* key, uint64_t now) {
  Request out;
  std::vector<uint8_t> wire(msg, msg + len);
  auto pkt = internal::FromWire(wire);
  const ldns_rr* rr = pkt ? ldns_pkt_tsig(pkt->get()) : nullptr;
  if (rr == nullptr || ldns_rr_rd_count(rr) < 7) return out;
  out.key_name = RdfText(ldns_rr_owner(rr));
  out.algorithm = RdfText(ldns_rr_rdf(rr, 0));
  out.time_signed = TimeSigned(ldns_rr_rdf(rr, 1));
  uint16_t fudge = ldns_rdf2native_int16(ldns_rr_rdf(rr, 2));
  if (key == nullptr || out.key_name != key->name || out.algorithm != key->algorithm) {
    out.check = Check::kBadKey;
  } else if (!Verify(pkt->get(), wire, *key, nullptr)) {
    out.check = Check::kBadSig;
  } else {
    out.mac.reset(ldns_rdf_clone(ldns_rr_rdf(rr, 3)));
    uint64_t skew = now > out.time_signed ? now - out.time_signed : out.time_signed - now;
    out.check = skew > fudge ? Check::kBadTime : Check::kOk;
  }
  return out;
}

std::vector<uint8_t> AppendErrorTsig(std::vector<uint8_t> reply, const Request& request,
                                     uint16_t id, uint16_t error, uint64_t now) {
  std::string owner, algorithm;
  if (!wire::NameFromText(request.key_name, &owner) ||
      !wire::NameFromText(request.algorithm, &algorithm) || reply.size() < wire::kHeaderSize) {
    return reply;
  }
  std::vector<uint8_t> rr(owner.size() + algorithm.size() + 40);
  wire::Writer w(rr.data(), rr.size());
  w.PutBytes(owner.data(), owner.size());
  w.Put16(kTypeTsig);
  w.Put16(wire::kClassAny);
  w.Put32(0);
  bool badtime = error == kErrBadTime;
  w.Put16(static_cast<uint16_t>(algorithm.size() + 16 + (badtime ? 6 : 0)));
  w.PutBytes(algorithm.data(), algorithm.size());
  Put48(w, request.time_signed);  // RFC 8945 5.2.3: the request's time, ours in Other Data
  w.Put16(kFudge);
  w.Put16(0);  // MAC size: unsigned
  w.Put16(id);
  w.Put16(error);
  w.Put16(badtime ? 6 : 0);
  if (badtime) Put48(w, now);
  reply.insert(reply.end(), rr.begin(), rr.begin() + static_cast<long>(w.size()));
  uint16_t ar = static_cast<uint16_t>((reply[10] << 8 | reply[11]) + 1);
  reply[10] = static_cast<uint8_t>(ar >> 8);
  reply[11] = static_cast<uint8_t>(ar);
  return reply;
}

}  // namespace steer::dns::tsig
