#include "steer/auth/jwt.h"

#include <algorithm>
#include <cctype>

#include "json_dump.h"
#include "steer/auth/crypto_util.h"

namespace steer::auth {
namespace {

tl::unexpected<Error> Deny(const std::string& why) {
  return MakeError(ErrorCode::kPermissionDenied, why);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 8725 §3.11: "at+jwt" and "application/at+jwt" are the same type.
bool TypMatches(std::string_view got, std::string_view want) {
  if (EqualsIgnoreCase(got, want)) return true;
  constexpr std::string_view kPrefix = "application/";
  return got.size() > kPrefix.size() && EqualsIgnoreCase(got.substr(0, kPrefix.size()), kPrefix) &&
         EqualsIgnoreCase(got.substr(kPrefix.size()), want);
}

Result<nlohmann::json> DecodeJsonPart(std::string_view part) {
  auto raw = Base64UrlDecode(part);
  if (!raw) return Deny("malformed base64url");
  nlohmann::json j = nlohmann::json::parse(*raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Deny("malformed JSON");
  return j;
}

Result<const SigningKey*> CheckHeader(const nlohmann::json& h, const KeySet& keys,
                                      const JwtRules& rules) {
  if (!h.contains("alg") || !h["alg"].is_string()) return Deny("missing alg");
  auto alg = ParseAlg(h["alg"].get<std::string>());
  if (!alg ||
      std::find(rules.algorithms.begin(), rules.algorithms.end(), *alg) == rules.algorithms.end()) {
    return Deny("algorithm not allowed");
  }
  // Headers that would make us fetch or trust keys from the token itself are refused.
  for (const char* banned : {"crit", "jku", "x5u", "jwk", "x5c"}) {
    if (h.contains(banned)) return Deny(std::string("header not accepted: ") + banned);
  }
  if (!h.contains("typ") || !h["typ"].is_string() ||
      !TypMatches(h["typ"].get<std::string>(), rules.typ)) {
    return Deny("wrong typ");
  }
  if (!h.contains("kid") || !h["kid"].is_string()) return Deny("missing kid");
  const SigningKey* key = keys.Find(h["kid"].get<std::string>());
  if (!key) return Deny("unknown kid");
  if (key->alg() != *alg) return Deny("alg does not match key");
  return key;
}

bool AudienceMatches(const nlohmann::json& aud, const std::vector<std::string>& want) {
  if (want.empty()) return true;
  auto match = [&](const nlohmann::json& a) {
    return a.is_string() && std::find(want.begin(), want.end(), a.get<std::string>()) != want.end();
  };
  if (aud.is_array()) return std::any_of(aud.begin(), aud.end(), match);
  return match(aud);
}

Result<void> CheckClaims(const nlohmann::json& c, const JwtRules& rules) {
  if (!c.contains("iss") || c["iss"] != rules.issuer) return Deny("wrong iss");
  if (!c.contains("aud") || !AudienceMatches(c["aud"], rules.audiences)) return Deny("wrong aud");
  if (!c.contains("exp") || !c["exp"].is_number_integer()) return Deny("missing exp");
  if (rules.check_expiry && c["exp"].get<int64_t>() + rules.leeway <= rules.now) {
    return Deny("expired");
  }
  if (c.contains("nbf")) {
    if (!c["nbf"].is_number_integer()) return Deny("malformed nbf");
    if (c["nbf"].get<int64_t>() > rules.now + rules.leeway) return Deny("not yet valid");
  }
  if (c.contains("iat") && !c["iat"].is_number_integer()) return Deny("malformed iat");
  return {};
}

}  // namespace

Result<std::string> SignJwt(const SigningKey& key, std::string_view typ,
                            const nlohmann::json& claims) {
  nlohmann::json header(nlohmann::json::value_t::object);
  header["alg"] = AlgName(key.alg());
  header["kid"] = key.kid();
  header["typ"] = typ;
  std::string input = Base64UrlEncode(DumpJson(header)) + "." + Base64UrlEncode(DumpJson(claims));
  auto sig = key.Sign(input);
  if (!sig) return tl::unexpected(sig.error());
  return input + "." + Base64UrlEncode(*sig);
}

Result<nlohmann::json> VerifyJwt(std::string_view token, const KeySet& keys,
                                 const JwtRules& rules) {
  if (token.size() > kMaxJwtBytes) return Deny("token too large");
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return Deny("not a compact JWS");
  }
  auto header = DecodeJsonPart(token.substr(0, d1));
  if (!header) return tl::unexpected(header.error());
  auto key = CheckHeader(*header, keys, rules);
  if (!key) return tl::unexpected(key.error());
  auto sig = Base64UrlDecode(token.substr(d2 + 1));
  if (!sig || !(*key)->Verify(token.substr(0, d2), *sig)) return Deny("bad signature");
  auto claims = DecodeJsonPart(token.substr(d1 + 1, d2 - d1 - 1));
  if (!claims) return tl::unexpected(claims.error());
  if (auto ok = CheckClaims(*claims, rules); !ok) return tl::unexpected(ok.error());
  return claims;
}

}  // namespace steer::auth
