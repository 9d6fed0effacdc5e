// libFuzzer target: any bytes as a sealed value a client hands back to steer-authd (the SSO
// cookie, the pending authorization request, codes, refresh tokens: auth::Sealer::Open for each
// purpose, with and without a tenant context), and as an AEAD key file (Sealer::Parse,
// RotateAeadKeyText). The key is a fixed test key so the seed corpus's sealed values open.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "steer/auth/sealer.h"

namespace {

// base64url of 32 bytes 0x00..0x1f: this target's key only.
constexpr char kKeyFile[] = "current AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n";

const steer::auth::Sealer& TheSealer() {
  static const steer::auth::Sealer* sealer = [] {
    auto s = steer::auth::Sealer::Parse(kKeyFile);
    if (!s) std::abort();
    return new steer::auth::Sealer(std::move(*s));
  }();
  return *sealer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const steer::auth::Sealer tenant = TheSealer().WithContext("acme");
  for (const char* purpose : {"session", "authreq", "code", "refresh"}) {
    auto plain = TheSealer().Open(purpose, text);
    if (plain && plain->size() > steer::auth::kMaxSealedPlaintext) std::abort();
    (void)tenant.Open(purpose, text);
  }
  if (auto parsed = steer::auth::Sealer::Parse(text)) {
    // A key file that parses seals and opens its own values.
    auto sealed = parsed->Seal("code", "x");
    if (!sealed || parsed->Open("code", *sealed) != std::optional<std::string>("x")) std::abort();
  }
  (void)steer::auth::RotateAeadKeyText(text);
  return 0;
}
