#include <chrono>
#include <string>

#include "steer/dns/provider.h"

namespace steer::dns {

void NoteRetryAfter(const base::HttpResponse& response, Error& error) {
  std::string value = response.Header("Retry-After");
  error.retry_after = base::ParseRetryAfter(value, std::chrono::system_clock::now());
  if (error.retry_after) error.message += " (Retry-After " + value.substr(0, 40) + ")";
}

Error HttpStatusError(const base::HttpResponse& response, std::string_view what) {
  ErrorCode code = ErrorCode::kInvalidArgument;
  if (response.status == 429) {
    code = ErrorCode::kResourceExhausted;
  } else if (response.status >= 500 || response.status == 0) {
    code = ErrorCode::kUnavailable;
  } else if (response.status == 401 || response.status == 403) {
    code = ErrorCode::kPermissionDenied;
  } else if (response.status == 404) {
    code = ErrorCode::kNotFound;
  }
  std::string body = response.body.substr(0, 200);
  for (char& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::string message = std::string(what) + ": HTTP " + std::to_string(response.status);
  if (!body.empty()) message += ": " + body;
  Error error(code, message);
  NoteRetryAfter(response, error);
  return error;
}

}  // namespace steer::dns
