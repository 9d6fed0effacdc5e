#pragma once

// One asymmetric JWS key (RS256 or ES256) held as an OpenSSL 3 EVP_PKEY. Signatures are in
// JWS form: RS256 is PKCS#1 v1.5, ES256 is the raw 64-byte r||s (RFC 7518 §3.4), not DER.
// The key id is derived from the public key (base64url of the SHA-256 of the DER
// SubjectPublicKeyInfo, 16 chars), so every region loading the same PEM publishes the same
// kid. Immutable after construction; all methods are thread-safe.

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "steer/base/error.h"

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;

namespace steer::auth {

enum class JwsAlg { kRS256, kES256 };

const char* AlgName(JwsAlg alg);
std::optional<JwsAlg> ParseAlg(std::string_view name);

class SigningKey {
 public:
  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  // A private key PEM (PKCS#8 or traditional). Its type must match `alg`.
  static Result<std::shared_ptr<const SigningKey>> FromPrivatePem(std::string_view pem, JwsAlg alg);
  // A fresh key: RSA-2048 for RS256, P-256 for ES256.
  static Result<std::shared_ptr<const SigningKey>> Generate(JwsAlg alg);

  JwsAlg alg() const { return alg_; }
  const std::string& kid() const { return kid_; }

  std::string PrivatePem() const;
  // Raw JWS signature bytes over `input`.
  Result<std::string> Sign(std::string_view input) const;
  bool Verify(std::string_view input, std::string_view signature) const;
  // The public JWK: kid, kty, alg, use, and n/e or crv/x/y.
  nlohmann::json PublicJwk() const;

 private:
  SigningKey(EVP_PKEY* pkey, JwsAlg alg);
  EVP_PKEY* pkey_;
  // Initialised once and duplicated per operation: a fresh init fetches the algorithm
  // implementation under global locks in OpenSSL 3, a dup does not. Never modified after
  // construction, so concurrent dups are safe.
  EVP_PKEY_CTX* sign_template_ = nullptr;
  EVP_PKEY_CTX* verify_template_ = nullptr;
  JwsAlg alg_;
  std::string kid_;
};

}  // namespace steer::auth
