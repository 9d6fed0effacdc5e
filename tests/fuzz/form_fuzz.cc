// libFuzzer target: any bytes as the form and cookie input steer-authd decodes
// (auth::ParseForm for bodies and query strings, UrlDecode in both modes, CookieValue for the
// session cookie). (steerd's api::QueryParam is reached through the steerd_api target.)
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "steer/auth/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto params = steer::auth::ParseForm(text)) {
    for (const auto& [k, v] : *params) {
      if (steer::auth::Get(*params, k) != v) std::abort();
      // Encoding what was decoded decodes back to it.
      if (steer::auth::UrlDecode(steer::auth::UrlEncode(v)) != v) std::abort();
    }
  }
  auto plus = steer::auth::UrlDecode(text, true);
  auto raw = steer::auth::UrlDecode(text, false);
  if (plus.has_value() != raw.has_value()) std::abort();
  for (const char* name : {"steer_session", "steer_csrf", "a"}) {
    (void)steer::auth::CookieValue(text, name);
  }
  return 0;
}
