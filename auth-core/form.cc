#include "steer/auth/form.h"

#include <cctype>
#include <cstring>

namespace steer::auth {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The index of the first '%' (or '+' when it means a space) at or after `from`, else size():
// memchr, not a loop per character, since a token is hundreds of plain characters.
size_t FindEscape(std::string_view text, size_t from, bool plus_is_space) {
  const char* begin = text.data() + from;
  size_t n = text.size() - from;
  const void* pct = std::memchr(begin, '%', n);
  size_t end = pct ? static_cast<size_t>(static_cast<const char*>(pct) - begin) : n;
  if (plus_is_space) {
    const void* plus = std::memchr(begin, '+', end);
    if (plus) end = static_cast<size_t>(static_cast<const char*>(plus) - begin);
  }
  return from + end;
}

}  // namespace

std::optional<std::string> UrlDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    // Copy the run up to the next escape at once (a token is one long run).
    size_t next = FindEscape(text, i, plus_is_space);
    out.append(text.data() + i, next - i);
    i = next;
    if (i == text.size()) break;
    if (text[i] == '+') {
      out.push_back(' ');
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return out;
}

std::optional<Params> ParseForm(std::string_view text) {
  Params params;
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = UrlDecode(pair.substr(0, eq));
    auto value = UrlDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    if (!params.emplace(std::move(*name), std::move(*value)).second) return std::nullopt;
  }
  return params;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
  }
  return "";
}

std::string AppendQuery(std::string url, const Params& params) {
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    url += sep + UrlEncode(k) + "=" + UrlEncode(v);
    sep = '&';
  }
  return url;
}

std::string Get(const Params& params, std::string_view name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

}  // namespace steer::auth
