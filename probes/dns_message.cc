#include "dns_message.h"

#include <ares.h>
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace steer::probes {
namespace {

struct TypeName {
  int type;
  const char* name;
};
constexpr std::array<TypeName, 10> kTypes = {{{1, "A"},
                                              {2, "NS"},
                                              {5, "CNAME"},
                                              {6, "SOA"},
                                              {12, "PTR"},
                                              {15, "MX"},
                                              {16, "TXT"},
                                              {28, "AAAA"},
                                              {33, "SRV"},
                                              {257, "CAA"}}};
constexpr std::array<const char*, 11> kRcodes = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                 "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                                 "NXRRSET", "NOTAUTH", "NOTZONE"};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

unsigned Get16(const unsigned char* p) { return (unsigned{p[0]} << 8) | p[1]; }
uint32_t Get32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Expands the name at `p` (compression allowed); advances `p`.
Result<std::string> Name(const unsigned char*& p, const unsigned char* msg, size_t len) {
  char* out = nullptr;
  long used = 0;
  if (ares_expand_name(p, msg, static_cast<int>(len), &out, &used) != ARES_SUCCESS) {
    return MakeError(ErrorCode::kInvalidArgument, "bad name in DNS response");
  }
  std::string name(out);
  ares_free_string(out);
  p += used;
  return name;
}

std::string TypeText(int type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return t.name;
  }
  return "TYPE" + std::to_string(type);
}

// Presentation form of one record's data.
Result<std::string> RData(int type, const unsigned char* p, size_t rdlen, const unsigned char* msg,
                          size_t len) {
  char text[INET6_ADDRSTRLEN] = {};
  if (type == 1 && rdlen == 4) return std::string(inet_ntop(AF_INET, p, text, sizeof text));
  if (type == 28 && rdlen == 16) return std::string(inet_ntop(AF_INET6, p, text, sizeof text));
  if (type == 2 || type == 5 || type == 12) return Name(p, msg, len);
  if (type == 15 && rdlen > 2) {
    unsigned pref = Get16(p);
    p += 2;
    auto host = Name(p, msg, len);
    if (!host) return host;
    return std::to_string(pref) + " " + *host;
  }
  if (type == 16) {
    std::string out;
    const unsigned char* end = p + rdlen;
    while (p < end) {
      size_t n = std::min<size_t>(*p, static_cast<size_t>(end - p - 1));
      out.append(reinterpret_cast<const char*>(p + 1), n);
      p += n + 1;
    }
    return out;
  }
  std::string hex = "\\# " + std::to_string(rdlen);
  if (rdlen > 0) hex += " ";
  for (size_t i = 0; i < rdlen; ++i) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", p[i]);
    hex += b;
  }
  return hex;
}

}  // namespace

const char* RcodeName(int rcode) {
  if (rcode >= 0 && static_cast<size_t>(rcode) < kRcodes.size()) return kRcodes[rcode];
  return "RCODE?";
}

std::optional<int> RcodeFromName(const std::string& name) {
  std::string up = Upper(name);
  for (size_t i = 0; i < kRcodes.size(); ++i) {
    if (up == kRcodes[i]) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::optional<int> QueryTypeFromName(const std::string& name) {
  std::string up = Upper(name);
  for (const auto& t : kTypes) {
    if (up == t.name) return t.type;
  }
  return std::nullopt;
}

std::string NormalizeDnsData(std::string data) {
  for (char& c : data) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!data.empty() && data.back() == '.') data.pop_back();
  return data;
}

Result<DnsResponse> ParseDnsResponse(const unsigned char* msg, size_t len) {
  auto bad = [] { return MakeError(ErrorCode::kInvalidArgument, "truncated DNS response"); };
  if (len < 12) return bad();
  DnsResponse out;
  unsigned flags = Get16(msg + 2);
  out.rcode = static_cast<int>(flags & 0x0F);
  out.truncated = (flags & 0x0200) != 0;
  out.authoritative = (flags & 0x0400) != 0;
  unsigned questions = Get16(msg + 4);
  unsigned answers = Get16(msg + 6);
  const unsigned char* p = msg + 12;
  const unsigned char* end = msg + len;
  for (unsigned i = 0; i < questions; ++i) {
    if (auto n = Name(p, msg, len); !n) return tl::unexpected(n.error());
    if (end - p < 4) return bad();
    p += 4;
  }
  for (unsigned i = 0; i < answers; ++i) {
    auto owner = Name(p, msg, len);
    if (!owner) return tl::unexpected(owner.error());
    if (end - p < 10) return bad();
    DnsRecord rr;
    rr.name = std::move(*owner);
    int type = static_cast<int>(Get16(p));
    rr.type = TypeText(type);
    rr.ttl = Get32(p + 4);
    size_t rdlen = Get16(p + 8);
    p += 10;
    if (static_cast<size_t>(end - p) < rdlen) return bad();
    auto data = RData(type, p, rdlen, msg, len);
    if (!data) return tl::unexpected(data.error());
    rr.data = std::move(*data);
    p += rdlen;
    out.answers.push_back(std::move(rr));
  }
  return out;
}

}  // namespace steer::probes
