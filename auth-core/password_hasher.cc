#include "steer/auth/password_hasher.h"

#include <argon2.h>

#include <algorithm>

#include "steer/auth/crypto_util.h"

namespace steer::auth {
namespace {

constexpr size_t kSaltLen = 16, kHashLen = 32;
// Bounds the work one request can cause: longer inputs are refused, not hashed.
constexpr size_t kMaxPasswordLen = 1024;

class SlotGuard {
 public:
  explicit SlotGuard(std::counting_semaphore<1024>& s) : s_(s) { s_.acquire(); }
  ~SlotGuard() { s_.release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  std::counting_semaphore<1024>& s_;
};

}  // namespace

PasswordHasher::PasswordHasher(HashParams params, int max_concurrent)
    : params_(params), slots_(std::clamp(max_concurrent, 1, 1024)) {
  dummy_hash_ = Hash(RandomToken(16)).value_or("");
}

Result<std::string> PasswordHasher::Hash(std::string_view password) {
  if (password.size() > kMaxPasswordLen) {
    return MakeError(ErrorCode::kInvalidArgument, "password too long");
  }
  std::string salt = RandomBytes(kSaltLen);
  size_t len = argon2_encodedlen(params_.iterations, params_.memory_kib, params_.parallelism,
                                 kSaltLen, kHashLen, Argon2_id);
  std::string encoded(len, '\0');
  int rc;
  {
    SlotGuard guard(slots_);
    rc = argon2id_hash_encoded(params_.iterations, params_.memory_kib, params_.parallelism,
                               password.data(), password.size(), salt.data(), salt.size(), kHashLen,
                               encoded.data(), encoded.size());
  }
  if (rc != ARGON2_OK) return MakeError(ErrorCode::kInternal, argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool PasswordHasher::Verify(std::string_view encoded, std::string_view password) {
  if (password.size() > kMaxPasswordLen || encoded.rfind("$argon2id$", 0) != 0) return false;
  std::string enc(encoded);  // argon2 wants a NUL-terminated string
  SlotGuard guard(slots_);
  // argon2id_verify compares in constant time internally.
  return argon2id_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool PasswordHasher::VerifyDummy(std::string_view password) {
  if (!dummy_hash_.empty()) Verify(dummy_hash_, password);
  return false;
}

}  // namespace steer::auth
