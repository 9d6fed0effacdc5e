#pragma once

// Bearer tokens for the operations API. Each token has a name (who, in the audit log).
// Sources: a token file with lines `name:token` (blank lines and `#` comments skipped), or
// the policy's agent.api_token SecretRef holding one token, named "operator".
//
// Tokens are kept only as SHA-256 digests and compared with CRYPTO_memcmp against every
// entry, so neither the token's content nor its length leaks through timing. Token values
// never appear in logs or errors. Immutable after construction: thread-safe.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steer/base/error.h"
#include "steer/base/secret.h"

namespace steer::agent::api {

class TokenAuth {
 public:
  static Result<TokenAuth> FromFile(const std::string& path);
  static Result<TokenAuth> FromSecret(const base::SecretRef& ref);
  // Parses the file format; `source` names the origin in errors.
  static Result<TokenAuth> Parse(std::string_view text, const std::string& source);
  static TokenAuth Single(const std::string& name, const std::string& token);

  // The token's name if `authorization` is "Bearer <known token>".
  std::optional<std::string> Authenticate(std::string_view authorization) const;
  bool empty() const { return entries_.empty(); }
  // The tokens' names, in file order (for the audit log; never the tokens).
  std::vector<std::string> names() const;

 private:
  struct Entry {
    std::string name;
    std::array<unsigned char, 32> digest;
  };
  void Add(std::string name, std::string_view token);
  std::vector<Entry> entries_;
};

}  // namespace steer::agent::api
