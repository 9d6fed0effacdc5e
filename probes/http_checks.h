#pragma once

// Judging an HTTP response against a probe's `expect` block: status ranges, headers, body
// substring/regex, JSON-path conditions and maximum latency, in that order (the first failing
// condition decides the error class). A compiled checker is immutable and thread-safe; it
// refers to `expect`, which must outlive it.

#include <chrono>
#include <optional>
#include <regex>
#include <string>

#include "steer/base/error.h"
#include "steer/config/policy.h"
#include "steer/probes/observation.h"

namespace steer::probes {

struct HttpResponse {
  int status = 0;
  std::string headers;  // raw header block of the final response
  std::string body;     // at most the body cap
  bool body_truncated = false;
  std::chrono::microseconds total{0};
};

struct CheckOutcome {
  ErrorClass error = ErrorClass::kNone;
  std::string message;
};

class HttpChecker {
 public:
  // Fails (kInvalidArgument) on an invalid regex or JSON path.
  static Result<HttpChecker> Create(const config::HttpExpect& expect);

  CheckOutcome Check(const HttpResponse& response) const;

 private:
  explicit HttpChecker(const config::HttpExpect& expect) : expect_(&expect) {}
  CheckOutcome CheckHeaders(const std::string& headers) const;
  CheckOutcome CheckBody(const HttpResponse& response) const;

  const config::HttpExpect* expect_;
  std::optional<std::regex> body_regex_;
};

// Value of header `name` (case-insensitive) in a raw header block, or nullopt.
std::optional<std::string> FindHeader(const std::string& headers, const std::string& name);

}  // namespace steer::probes
