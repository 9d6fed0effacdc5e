#include "api/token_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

namespace steer::agent::api {
namespace {

std::array<unsigned char, 32> Digest(std::string_view s) {
  std::array<unsigned char, 32> d{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

void TokenAuth::Add(std::string name, std::string_view token) {
  entries_.push_back(Entry{std::move(name), Digest(token)});
}

TokenAuth TokenAuth::Single(const std::string& name, const std::string& token) {
  TokenAuth a;
  a.Add(name, token);
  return a;
}

Result<TokenAuth> TokenAuth::Parse(std::string_view text, const std::string& source) {
  TokenAuth a;
  int line_no = 0;
  std::istringstream in{std::string(text)};
  std::string raw;
  while (std::getline(in, raw)) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    size_t colon = line.find(':');
    std::string where = source + ":" + std::to_string(line_no);
    if (colon == std::string_view::npos || colon == 0) {
      return MakeError(ErrorCode::kInvalidArgument, where + ": expected name:token");
    }
    std::string_view token = Trim(line.substr(colon + 1));
    if (token.size() < 16) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where + ": token too short (at least 16 characters)");
    }
    a.Add(std::string(Trim(line.substr(0, colon))), token);
  }
  if (a.empty()) return MakeError(ErrorCode::kInvalidArgument, source + ": no tokens");
  return a;
}

Result<TokenAuth> TokenAuth::FromFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return MakeError(ErrorCode::kIo, "cannot read token file " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return Parse(ss.str(), path);
}

Result<TokenAuth> TokenAuth::FromSecret(const base::SecretRef& ref) {
  auto token = base::ResolveSecret(ref);
  if (!token) {
    return MakeError(token.error().code, "api_token " + ref.ToString() + " cannot be read");
  }
  if (token->size() < 16) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "api_token " + ref.ToString() + ": token too short (at least 16 characters)");
  }
  return Single("operator", *token);
}

std::vector<std::string> TokenAuth::names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

std::optional<std::string> TokenAuth::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      authorization.substr(0, kBearer.size()) != kBearer) {
    return std::nullopt;
  }
  auto digest = Digest(Trim(authorization.substr(kBearer.size())));
  const Entry* match = nullptr;
  // Every entry is compared, so the time taken does not reveal which one matched.
  for (const auto& e : entries_) {
    if (CRYPTO_memcmp(e.digest.data(), digest.data(), digest.size()) == 0) match = &e;
  }
  if (!match) return std::nullopt;
  return match->name;
}

}  // namespace steer::agent::api
