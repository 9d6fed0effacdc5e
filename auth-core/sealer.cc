#include "steer/auth/sealer.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "steer/auth/crypto_util.h"

namespace steer::auth {
namespace {

constexpr size_t kIdLen = 4, kNonceLen = 12, kTagLen = 16, kKeyLen = 32;

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

struct Line {
  std::string slot, key;
};

Result<std::vector<Line>> ParseLines(std::string_view text) {
  std::vector<Line> lines;
  std::istringstream in{std::string(text)};
  std::string raw;
  int n = 0;
  while (std::getline(in, raw)) {
    ++n;
    if (raw.empty() || raw[0] == '#') continue;
    std::istringstream fields(raw);
    Line line;
    std::string extra;
    fields >> line.slot >> line.key >> extra;
    auto key = Base64UrlDecode(line.key);
    if (!extra.empty() || !key || key->size() != kKeyLen ||
        (line.slot != "current" && line.slot != "next" && line.slot != "previous")) {
      return MakeError(ErrorCode::kInvalidArgument, "aead key line " + std::to_string(n) +
                                                        ": want '<slot> <32-byte base64url>'");
    }
    line.key = *key;
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

std::string NewAeadKeyLine(std::string_view slot) {
  return std::string(slot) + " " + Base64UrlEncode(RandomBytes(kKeyLen)) + "\n";
}

Result<std::string> RotateAeadKeyText(std::string_view text) {
  auto lines = ParseLines(text);
  if (!lines) return tl::unexpected(lines.error());
  std::string out;
  bool had_next = false;
  for (const Line& l : *lines) {
    if (l.slot == "next") {
      out += "current " + Base64UrlEncode(l.key) + "\n";
      had_next = true;
    } else if (l.slot == "current") {
      out += "previous " + Base64UrlEncode(l.key) + "\n";
    }
  }
  if (!had_next) return MakeError(ErrorCode::kFailedPrecondition, "aead key file has no next key");
  return out + NewAeadKeyLine("next");
}

Result<Sealer> Sealer::Parse(std::string_view text) {
  auto lines = ParseLines(text);
  if (!lines) return tl::unexpected(lines.error());
  Sealer sealer;
  for (const char* slot : {"current", "next", "previous"}) {
    for (const Line& l : *lines) {
      if (l.slot == slot) sealer.keys_.push_back({Sha256(l.key).substr(0, kIdLen), l.key});
    }
  }
  if (sealer.keys_.empty() ||
      lines->end() == std::find_if(lines->begin(), lines->end(),
                                   [](const Line& l) { return l.slot == "current"; })) {
    return MakeError(ErrorCode::kInvalidArgument, "aead key file has no current key");
  }
  return sealer;
}

Result<Sealer> Sealer::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError(ErrorCode::kIo, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto sealer = Parse(ss.str());
  if (!sealer) return MakeError(sealer.error().code, path + ": " + sealer.error().message);
  return sealer;
}

Sealer Sealer::WithContext(std::string context) const {
  Sealer scoped = *this;
  scoped.context_ = std::move(context);
  return scoped;
}

std::string Sealer::Aad(std::string_view purpose, std::string_view key_id) const {
  // Without a context the data is what it always was, so values sealed before stay valid.
  std::string aad = context_.empty() ? std::string() : context_ + '\0';
  return aad.append(purpose).append(1, '\0').append(key_id);
}

Result<std::string> Sealer::Seal(std::string_view purpose, std::string_view plaintext) const {
  if (plaintext.size() > kMaxSealedPlaintext) {
    return MakeError(ErrorCode::kInvalidArgument, "too large to seal");
  }
  const Loaded& key = keys_.front();
  std::string out = key.id + RandomBytes(kNonceLen);
  std::string aad = Aad(purpose, key.id);
  out.resize(kIdLen + kNonceLen + plaintext.size() + kTagLen);
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  unsigned char* ct = U(out) + kIdLen + kNonceLen;
  bool ok =
      ctx &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key.bytes), U(out) + kIdLen) ==
          1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), ct, &len, U(plaintext), static_cast<int>(plaintext.size())) ==
          1 &&
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen, ct + plaintext.size()) == 1;
  if (!ok) return MakeError(ErrorCode::kInternal, "sealing failed");
  return Base64UrlEncode(out);
}

std::optional<std::string> Sealer::Open(std::string_view purpose, std::string_view sealed) const {
  if (sealed.size() > kMaxSealed) return std::nullopt;
  auto raw = Base64UrlDecode(sealed);
  if (!raw || raw->size() < kIdLen + kNonceLen + kTagLen) return std::nullopt;
  std::string_view id(raw->data(), kIdLen);
  const Loaded* key = nullptr;
  for (const Loaded& k : keys_) {
    if (k.id == id) key = &k;
  }
  if (!key) return std::nullopt;
  std::string aad = Aad(purpose, key->id);
  size_t ct_len = raw->size() - kIdLen - kNonceLen - kTagLen;
  std::string plain(ct_len, '\0');
  const unsigned char* ct = U(*raw) + kIdLen + kNonceLen;
  std::string tag = raw->substr(raw->size() - kTagLen);
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key->bytes), U(*raw) + kIdLen) ==
          1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), U(plain), &len, ct, static_cast<int>(ct_len)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagLen, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), U(plain) + len, &len) == 1;
  if (!ok) return std::nullopt;
  return plain;
}

}  // namespace steer::auth
