#include "steer/auth/signing_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "steer/auth/crypto_util.h"

namespace steer::auth {
namespace {

constexpr int kEcCoordBytes = 32;

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct SigDeleter {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

std::string BnBytes(const EVP_PKEY* pkey, const char* name, int pad) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return {};
  BnPtr bn(raw);
  int len = pad > 0 ? pad : BN_num_bytes(bn.get());
  std::string out(static_cast<size_t>(len), '\0');
  BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), len);
  return out;
}

std::string DeriveKid(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return {};
  std::string digest =
      Sha256(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(len)));
  OPENSSL_free(der);
  return Base64UrlEncode(digest).substr(0, 16);
}

bool TypeMatches(EVP_PKEY* pkey, JwsAlg alg) {
  if (alg == JwsAlg::kRS256) return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= 2048;
  char group[64] = {0};
  size_t len = 0;
  if (!EVP_PKEY_is_a(pkey, "EC")) return false;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &len) != 1) {
    return false;
  }
  return std::string_view(group, len) == "prime256v1" || std::string_view(group, len) == "P-256";
}

// DER ECDSA-Sig-Value -> 64-byte r||s.
std::optional<std::string> DerToRaw(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, SigDeleter> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return std::nullopt;
  std::string out(2 * kEcCoordBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), o, kEcCoordBytes) != kEcCoordBytes ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), o + kEcCoordBytes, kEcCoordBytes) !=
          kEcCoordBytes) {
    return std::nullopt;
  }
  return out;
}

// 64-byte r||s -> DER; anything but exactly 64 bytes is refused.
std::optional<std::string> RawToDer(std::string_view raw) {
  if (raw.size() != 2 * kEcCoordBytes) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(p, kEcCoordBytes, nullptr);
  BIGNUM* s = BN_bin2bn(p + kEcCoordBytes, kEcCoordBytes, nullptr);
  std::unique_ptr<ECDSA_SIG, SigDeleter> sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

const char* AlgName(JwsAlg alg) { return alg == JwsAlg::kRS256 ? "RS256" : "ES256"; }

std::optional<JwsAlg> ParseAlg(std::string_view name) {
  if (name == "RS256") return JwsAlg::kRS256;
  if (name == "ES256") return JwsAlg::kES256;
  return std::nullopt;
}

SigningKey::SigningKey(EVP_PKEY* pkey, JwsAlg alg) : pkey_(pkey), alg_(alg), kid_(DeriveKid(pkey)) {
  sign_template_ = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_, nullptr);
  verify_template_ = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_, nullptr);
  if (sign_template_ && (EVP_PKEY_sign_init(sign_template_) != 1 ||
                         EVP_PKEY_CTX_set_signature_md(sign_template_, EVP_sha256()) != 1)) {
    EVP_PKEY_CTX_free(sign_template_);
    sign_template_ = nullptr;
  }
  if (verify_template_ && (EVP_PKEY_verify_init(verify_template_) != 1 ||
                           EVP_PKEY_CTX_set_signature_md(verify_template_, EVP_sha256()) != 1)) {
    EVP_PKEY_CTX_free(verify_template_);
    verify_template_ = nullptr;
  }
}

SigningKey::~SigningKey() {
  EVP_PKEY_CTX_free(sign_template_);
  EVP_PKEY_CTX_free(verify_template_);
  EVP_PKEY_free(pkey_);
}

Result<std::shared_ptr<const SigningKey>> SigningKey::FromPrivatePem(std::string_view pem,
                                                                     JwsAlg alg) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* pkey = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!pkey) return MakeError(ErrorCode::kInvalidArgument, "not a private key PEM");
  if (!TypeMatches(pkey, alg)) {
    EVP_PKEY_free(pkey);
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string("key type does not match ") + AlgName(alg));
  }
  return std::shared_ptr<const SigningKey>(new SigningKey(pkey, alg));
}

Result<std::shared_ptr<const SigningKey>> SigningKey::Generate(JwsAlg alg) {
  EVP_PKEY* pkey = alg == JwsAlg::kRS256 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (!pkey) return MakeError(ErrorCode::kInternal, "key generation failed");
  return std::shared_ptr<const SigningKey>(new SigningKey(pkey, alg));
}

std::string SigningKey::PrivatePem() const {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return {};
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> SigningKey::Sign(std::string_view input) const {
  std::string digest = Sha256(input);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(
      sign_template_ ? EVP_PKEY_CTX_dup(sign_template_) : nullptr);
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(pkey_));  // upper bound (DER for ECDSA)
  std::string sig(len, '\0');
  if (!ctx ||
      EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                    reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) != 1) {
    return MakeError(ErrorCode::kInternal, "signing failed");
  }
  sig.resize(len);
  if (alg_ == JwsAlg::kRS256) return sig;
  auto raw = DerToRaw(sig);
  if (!raw) return MakeError(ErrorCode::kInternal, "bad ECDSA signature encoding");
  return *raw;
}

bool SigningKey::Verify(std::string_view input, std::string_view signature) const {
  std::string der;
  if (alg_ == JwsAlg::kES256) {
    auto converted = RawToDer(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  } else if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(pkey_))) {
    return false;
  }
  std::string digest = Sha256(input);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(
      verify_template_ ? EVP_PKEY_CTX_dup(verify_template_) : nullptr);
  return ctx &&
         EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), reinterpret_cast<const unsigned char*>(digest.data()),
                         digest.size()) == 1;
}

nlohmann::json SigningKey::PublicJwk() const {
  nlohmann::json jwk = {{"kid", kid_}, {"alg", AlgName(alg_)}, {"use", "sig"}};
  if (alg_ == JwsAlg::kRS256) {
    jwk["kty"] = "RSA";
    jwk["n"] = Base64UrlEncode(BnBytes(pkey_, OSSL_PKEY_PARAM_RSA_N, 0));
    jwk["e"] = Base64UrlEncode(BnBytes(pkey_, OSSL_PKEY_PARAM_RSA_E, 0));
  } else {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = Base64UrlEncode(BnBytes(pkey_, OSSL_PKEY_PARAM_EC_PUB_X, kEcCoordBytes));
    jwk["y"] = Base64UrlEncode(BnBytes(pkey_, OSSL_PKEY_PARAM_EC_PUB_Y, kEcCoordBytes));
  }
  return jwk;
}

}  // namespace steer::auth
