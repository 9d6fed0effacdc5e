// Retry-After (RFC 9110 section 10.2.3): delta-seconds or an HTTP-date.
#include <time.h>

#include <algorithm>
#include <cctype>

#include "steer/base/http_client.h"

namespace steer::base {
namespace {

using std::chrono::milliseconds;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

milliseconds Bounded(std::chrono::seconds wait) {
  return std::clamp<milliseconds>(wait, milliseconds(0), kMaxRetryAfter);
}

// The three HTTP-date forms a recipient must accept (RFC 9110 section 5.6.7), all in GMT.
std::optional<time_t> ParseHttpDate(const std::string& text) {
  static constexpr const char* kForms[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT
      "%a %b %e %H:%M:%S %Y",       // asctime:     Sun Nov  6 08:49:37 1994
  };
  for (const char* form : kForms) {
    struct tm tm = {};
    const char* end = strptime(text.c_str(), form, &tm);
    if (end != nullptr && *end == '\0') return timegm(&tm);
  }
  return std::nullopt;
}

}  // namespace

std::optional<milliseconds> ParseRetryAfter(std::string_view value,
                                            std::chrono::system_clock::time_point now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (std::all_of(value.begin(), value.end(), digit)) {
    if (value.size() > 9) return kMaxRetryAfter;
    return Bounded(std::chrono::seconds(std::stoll(std::string(value))));
  }
  if (!std::isalpha(static_cast<unsigned char>(value.front()))) return std::nullopt;
  std::optional<time_t> date = ParseHttpDate(std::string(value));
  if (!date) return std::nullopt;
  auto at = std::chrono::system_clock::from_time_t(*date);
  if (at <= now) return milliseconds(0);
  auto wait = std::chrono::ceil<std::chrono::seconds>(at - now);
  return Bounded(std::min<std::chrono::seconds>(wait, kMaxRetryAfter));
}

}  // namespace steer::base
