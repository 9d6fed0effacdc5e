#include "steer/dns/rrset.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace steer::dns {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> Fields(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

// Index of the field holding a domain name, per type; -1 when none.
int NameField(const std::string& type) {
  if (type == "CNAME" || type == "NS" || type == "PTR" || type == "DNAME") return 0;
  if (type == "MX") return 1;
  if (type == "SRV") return 3;
  return -1;
}

bool ParseAddress(const std::string& type, const std::string& text, std::string* canonical) {
  int family = type == "A" ? AF_INET : AF_INET6;
  unsigned char buf[16];
  if (inet_pton(family, text.c_str(), buf) != 1) return false;
  char out[INET6_ADDRSTRLEN];
  if (inet_ntop(family, buf, out, sizeof(out)) == nullptr) return false;
  *canonical = out;
  return true;
}

std::string NormalizeRecord(const std::string& type, const std::string& data) {
  if (type == "A" || type == "AAAA") {
    std::string canonical;
    if (ParseAddress(type, data, &canonical)) return canonical;
    return data;
  }
  int field = NameField(type);
  if (field < 0) return data;
  std::vector<std::string> fields = Fields(data);
  if (static_cast<int>(fields.size()) <= field) return data;
  fields[field] = CanonicalName(fields[field]);
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : " ") + f;
  return out;
}

bool ValidLabelChars(const std::string& name) {
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '*')) return false;
  }
  return name.find("..") == std::string::npos;
}

}  // namespace

std::string CanonicalName(std::string_view name) {
  std::string out = Lower(name);
  if (out.empty() || out.back() != '.') out.push_back('.');
  return out;
}

RRset RRset::Normalized() const {
  RRset out;
  out.name = CanonicalName(name);
  out.type = Upper(type);
  out.ttl = ttl;
  std::set<std::string> unique;
  for (const auto& r : records) unique.insert(NormalizeRecord(out.type, r));
  out.records.assign(unique.begin(), unique.end());
  return out;
}

bool SameRecords(const RRset& a, const RRset& b) {
  return a.Normalized().records == b.Normalized().records;
}

bool SameRRset(const RRset& a, const RRset& b) {
  RRset na = a.Normalized();
  RRset nb = b.Normalized();
  return na.name == nb.name && na.type == nb.type && na.ttl == nb.ttl && na.records == nb.records;
}

std::string ToString(const RRset& rrset) {
  std::string out = rrset.name + " " + std::to_string(rrset.ttl) + " " + rrset.type + " ";
  for (size_t i = 0; i < rrset.records.size(); ++i) {
    out += (i ? "," : "") + rrset.records[i];
  }
  if (rrset.records.empty()) out += "(none)";
  return out;
}

Result<void> Validate(const RRset& rrset) {
  RRset n = rrset.Normalized();
  if (n.name.size() < 2 || n.name.size() > 254 || !ValidLabelChars(n.name)) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid owner name '" + rrset.name + "'");
  }
  if (n.type.empty() || !std::all_of(n.type.begin(), n.type.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c));
      })) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid record type '" + rrset.type + "'");
  }
  if (rrset.ttl < 0 || rrset.ttl > 2147483647) {
    return MakeError(ErrorCode::kInvalidArgument, "TTL out of range for " + n.name);
  }
  if (rrset.records.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     n.name + " " + n.type + " has no records: a name must keep an answer");
  }
  if ((n.type == "CNAME") && n.records.size() != 1) {
    return MakeError(ErrorCode::kInvalidArgument, n.name + " CNAME must have exactly one record");
  }
  for (const auto& r : rrset.records) {
    std::string canonical;
    if ((n.type == "A" || n.type == "AAAA") && !ParseAddress(n.type, r, &canonical)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "'" + r + "' is not a valid " + n.type + " address for " + n.name);
    }
    if (r.empty() || r.find('\n') != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "empty or multi-line record for " + n.name);
    }
  }
  return {};
}

}  // namespace steer::dns
