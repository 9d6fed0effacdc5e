#pragma once

// application/x-www-form-urlencoded and the small text helpers the endpoints need. Parsing is
// strict: a parameter given twice makes the whole request invalid (RFC 6749 §3.1).
// Stateless; thread-safe.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "steer/base/html.h"

namespace steer::auth {

using Params = std::map<std::string, std::string, std::less<>>;

// nullopt on bad %-escapes or repeated names.
std::optional<Params> ParseForm(std::string_view text);
std::optional<std::string> UrlDecode(std::string_view text, bool plus_is_space = true);
std::string UrlEncode(std::string_view text);
using base::HtmlEscape;  // steer/base/html.h
// The value of cookie `name` in a Cookie header, or "" when absent.
std::string CookieValue(std::string_view header, std::string_view name);
// Appends "?k=v" or "&k=v" to a URL (the redirect_uri may carry its own query).
std::string AppendQuery(std::string url, const Params& params);
// The value from params, or "" when absent.
std::string Get(const Params& params, std::string_view name);

}  // namespace steer::auth
