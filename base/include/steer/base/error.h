#pragma once

// Errors as values, shared by every Steer library. A function that can fail returns
// steer::Result<T>; expected failures of the outside world (a probe down, a 5xx, a DNS
// timeout) are data in the result type, not an Error.

#include <chrono>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace steer {

enum class ErrorCode {
  kInvalidArgument,     // the caller passed something malformed
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // a named thing exists and must not
  kFailedPrecondition,  // refused by a rule (change guard, safety rule, state)
  kPermissionDenied,    // credentials refused
  kUnavailable,         // a dependency could not be reached; retrying may help
  kDeadlineExceeded,    // gave up waiting
  kResourceExhausted,   // rate limited
  kIo,                  // local file or socket I/O failed
  kInternal,            // a bug or an impossible state
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // How long the failing service asked its callers to stay away (an HTTP Retry-After on a
  // 429 or 503, base::ParseRetryAfter), when it said so. SafeWriter sends nothing to that
  // provider before it has passed.
  std::optional<std::chrono::milliseconds> retry_after;

  Error() = default;
  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}

}  // namespace steer
