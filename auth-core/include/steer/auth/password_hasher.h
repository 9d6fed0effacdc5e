#pragma once

// Argon2id password hashing (libargon2) with the OWASP parameters by default
// (m=19 MiB, t=2, p=1). Each hash holds m of RAM and a core for tens of milliseconds, so a
// semaphore bounds how many run at once; callers beyond the bound wait. Thread-safe.

#include <cstdint>
#include <semaphore>
#include <string>
#include <string_view>

#include "steer/base/error.h"
#include "steer/config/authd_config.h"

namespace steer::auth {

// hashing.* of steer-authd's config: Argon2id cost.
using HashParams = config::HashParams;

class PasswordHasher {
 public:
  PasswordHasher(HashParams params, int max_concurrent);

  // The PHC-encoded hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash), fresh 16-byte salt.
  Result<std::string> Hash(std::string_view password);
  // Verifies against an encoded hash (its own parameters); false for malformed hashes.
  bool Verify(std::string_view encoded, std::string_view password);
  // Spends the same time as a real verification so unknown accounts are not revealed by
  // timing; always false.
  bool VerifyDummy(std::string_view password);

 private:
  HashParams params_;
  std::counting_semaphore<1024> slots_;
  std::string dummy_hash_;
};

}  // namespace steer::auth
