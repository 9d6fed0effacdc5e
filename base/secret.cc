#include "steer/base/secret.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace steer::base {

std::string SecretRef::ToString() const {
  switch (kind) {
    case Kind::kEnv:
      return "env:" + target;
    case Kind::kFile:
      return "file:" + target;
    case Kind::kNone:
      break;
  }
  return "";
}

Result<SecretRef> ParseSecretRef(const std::string& text) {
  SecretRef ref;
  if (text.rfind("env:", 0) == 0) {
    ref.kind = SecretRef::Kind::kEnv;
    ref.target = text.substr(4);
    if (ref.target.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "env: needs a variable name");
    }
    for (char c : ref.target) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "env: variable name may hold only letters, digits and '_'");
      }
    }
    return ref;
  }
  if (text.rfind("file:", 0) == 0) {
    ref.kind = SecretRef::Kind::kFile;
    ref.target = text.substr(5);
    if (ref.target.empty() || ref.target[0] != '/') {
      return MakeError(ErrorCode::kInvalidArgument, "file: needs an absolute path");
    }
    return ref;
  }
  // Never echo the value: it may be the secret itself.
  return MakeError(ErrorCode::kInvalidArgument,
                   "secrets must be references (env:NAME or file:/path), not inline values");
}

Result<std::string> ResolveSecret(const SecretRef& ref) {
  switch (ref.kind) {
    case SecretRef::Kind::kNone:
      return MakeError(ErrorCode::kNotFound, "no secret configured");
    case SecretRef::Kind::kEnv: {
      const char* value = std::getenv(ref.target.c_str());
      if (value == nullptr) {
        return MakeError(ErrorCode::kNotFound,
                         "environment variable " + ref.target + " is not set");
      }
      return std::string(value);
    }
    case SecretRef::Kind::kFile: {
      std::ifstream in(ref.target, std::ios::binary);
      if (!in) {
        return MakeError(ErrorCode::kIo, "cannot read secret file " + ref.target);
      }
      std::ostringstream buf;
      buf << in.rdbuf();
      std::string value = buf.str();
      if (!value.empty() && value.back() == '\n') value.pop_back();
      if (!value.empty() && value.back() == '\r') value.pop_back();
      return value;
    }
  }
  return MakeError(ErrorCode::kInternal, "bad secret kind");
}

}  // namespace steer::base
