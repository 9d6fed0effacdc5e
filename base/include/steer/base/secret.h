#pragma once

// Credentials are never written inline in a policy: they are references, `env:NAME` or
// `file:/path`, resolved when needed. A resolved secret must never be logged; SecretRef's
// ToString() shows only the reference.

#include <string>

#include "steer/base/error.h"

namespace steer::base {

struct SecretRef {
  enum class Kind { kNone, kEnv, kFile };
  Kind kind = Kind::kNone;
  std::string target;  // variable name or absolute path

  bool empty() const { return kind == Kind::kNone; }
  // "env:NAME", "file:/path" or "" — safe to log.
  std::string ToString() const;

  bool operator==(const SecretRef&) const = default;
};

// Parses "env:NAME" or "file:/abs/path"; anything else is an error (inline secrets are
// refused by design).
Result<SecretRef> ParseSecretRef(const std::string& text);

// Reads the secret now. File contents lose one trailing newline. Thread-safe.
Result<std::string> ResolveSecret(const SecretRef& ref);

}  // namespace steer::base
