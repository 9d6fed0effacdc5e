#include "steer/dns/aws_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

namespace steer::dns::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Trims both ends and collapses each run of spaces inside to one space.
std::string TrimAll(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    parts.push_back(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

}  // namespace

std::string SigV4Scope::ToString() const {
  return Date() + "/" + region + "/" + service + "/aws4_request";
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return Hex(digest, size);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size);
  return std::string(reinterpret_cast<const char*>(mac), size);
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0f]);
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string CanonicalUri(std::string_view path) {
  std::vector<std::string_view> kept;
  std::vector<std::string_view> parts = Split(path, '/');
  for (std::string_view part : parts) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(part);
  }
  std::string out;
  for (std::string_view part : kept) out += "/" + UriEncode(part, false);
  std::string_view last = parts.back();
  bool trailing = last.empty() || last == "." || last == "..";
  if (out.empty()) return "/";
  if (trailing) out.push_back('/');
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  if (query.empty()) return "";
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::string_view item : Split(query, '&')) {
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    pairs.emplace_back(UriEncode(PercentDecode(key), false),
                       UriEncode(PercentDecode(value), false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += key + "=" + value;
  }
  return out;
}

CanonicalHeaderBlock CanonicalHeaders(const HeaderList& headers) {
  std::map<std::string, std::string> merged;  // sorted by lowercase name
  for (const auto& [name, value] : headers) {
    std::string key = Lower(TrimAll(name));
    auto [it, inserted] = merged.try_emplace(key, TrimAll(value));
    if (!inserted) it->second += "," + TrimAll(value);
  }
  CanonicalHeaderBlock block;
  for (const auto& [name, value] : merged) {
    block.canonical += name + ":" + value + "\n";
    if (!block.signed_headers.empty()) block.signed_headers.push_back(';');
    block.signed_headers += name;
  }
  return block;
}

std::string CanonicalRequest(const SigV4Request& request) {
  CanonicalHeaderBlock headers = CanonicalHeaders(request.headers);
  return request.method + "\n" + CanonicalUri(request.path) + "\n" + CanonicalQuery(request.query) +
         "\n" + headers.canonical + "\n" + headers.signed_headers + "\n" + Sha256Hex(request.body);
}

std::string StringToSign(const SigV4Scope& scope, std::string_view canonical_request) {
  return std::string(kAlgorithm) + "\n" + scope.amz_date + "\n" + scope.ToString() + "\n" +
         Sha256Hex(canonical_request);
}

std::string SigningKey(std::string_view secret_access_key, const SigV4Scope& scope) {
  std::string key = HmacSha256("AWS4" + std::string(secret_access_key), scope.Date());
  key = HmacSha256(key, scope.region);
  key = HmacSha256(key, scope.service);
  return HmacSha256(key, "aws4_request");
}

std::string Signature(const SigV4Credentials& credentials, const SigV4Scope& scope,
                      const SigV4Request& request) {
  std::string key = SigningKey(credentials.secret_access_key, scope);
  std::string mac = HmacSha256(key, StringToSign(scope, CanonicalRequest(request)));
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

std::string AuthorizationHeader(const SigV4Credentials& credentials, const SigV4Scope& scope,
                                const SigV4Request& request) {
  return std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
         scope.ToString() + ", SignedHeaders=" + CanonicalHeaders(request.headers).signed_headers +
         ", Signature=" + Signature(credentials, scope, request);
}

std::string FormatAmzDate(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Result<ParsedAuthorization> ParseAuthorization(std::string_view header) {
  auto bad = [] { return MakeError(ErrorCode::kInvalidArgument, "malformed SigV4 Authorization"); };
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm) return bad();
  ParsedAuthorization out;
  for (std::string_view field : Split(header.substr(kAlgorithm.size()), ',')) {
    std::string item = TrimAll(field);
    size_t eq = item.find('=');
    if (eq == std::string::npos) return bad();
    std::string name = item.substr(0, eq);
    std::string value = item.substr(eq + 1);
    if (name == "Credential") {
      std::vector<std::string_view> parts = Split(value, '/');
      if (parts.size() != 5 || parts[4] != "aws4_request") return bad();
      out.access_key_id = parts[0];
      out.date = parts[1];
      out.region = parts[2];
      out.service = parts[3];
    } else if (name == "SignedHeaders") {
      for (std::string_view h : Split(value, ';')) out.signed_headers.emplace_back(h);
    } else if (name == "Signature") {
      out.signature = value;
    }
  }
  if (out.access_key_id.empty() || out.signed_headers.empty() || out.signature.empty()) {
    return bad();
  }
  return out;
}

}  // namespace steer::dns::aws
