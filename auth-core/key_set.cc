#include "steer/auth/key_set.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "steer/auth/sealer.h"

namespace steer::auth {
namespace fs = std::filesystem;
namespace {

constexpr KeySlot kSlots[] = {KeySlot::kPrevious, KeySlot::kCurrent, KeySlot::kNext};
constexpr JwsAlg kAlgs[] = {JwsAlg::kRS256, JwsAlg::kES256};

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, "cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<void> WritePrivateFile(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return MakeError(ErrorCode::kIo, "cannot write " + path.string());
  out << data;
  out.close();
  if (!out || chmod(path.c_str(), 0600) != 0) {
    return MakeError(ErrorCode::kIo, "cannot write " + path.string());
  }
  return {};
}

Result<void> GenerateInto(const fs::path& path, JwsAlg alg) {
  auto key = SigningKey::Generate(alg);
  if (!key) return tl::unexpected(key.error());
  return WritePrivateFile(path, (*key)->PrivatePem());
}

}  // namespace

const char* SlotName(KeySlot slot) {
  switch (slot) {
    case KeySlot::kPrevious:
      return "previous";
    case KeySlot::kCurrent:
      return "current";
    case KeySlot::kNext:
      return "next";
  }
  return "?";
}

std::string KeyFileName(KeySlot slot, JwsAlg alg) {
  return std::string(SlotName(slot)) + (alg == JwsAlg::kRS256 ? "-rs256.pem" : "-es256.pem");
}

Result<KeySet> KeySet::LoadDir(const std::string& dir) {
  KeySet set;
  for (JwsAlg alg : kAlgs) {
    for (KeySlot slot : kSlots) {
      fs::path path = fs::path(dir) / KeyFileName(slot, alg);
      if (!fs::exists(path)) continue;
      auto pem = ReadFile(path);
      if (!pem) return tl::unexpected(pem.error());
      auto key = SigningKey::FromPrivatePem(*pem, alg);
      if (!key) return MakeError(key.error().code, path.string() + ": " + key.error().message);
      set.Add(slot, *key);
    }
  }
  if (!set.Current(JwsAlg::kRS256)) {
    return MakeError(ErrorCode::kNotFound, dir + ": current-rs256.pem is required");
  }
  return set;
}

void KeySet::Add(KeySlot slot, std::shared_ptr<const SigningKey> key) {
  by_kid_[key->kid()] = key;
  by_slot_[{slot, key->alg()}] = std::move(key);
}

const SigningKey* KeySet::Current(JwsAlg alg) const {
  auto it = by_slot_.find({KeySlot::kCurrent, alg});
  return it == by_slot_.end() ? nullptr : it->second.get();
}

const SigningKey* KeySet::Find(std::string_view kid) const {
  auto it = by_kid_.find(kid);
  return it == by_kid_.end() ? nullptr : it->second.get();
}

std::string KeySet::JwksJson() const {
  nlohmann::json keys = nlohmann::json::array();
  // Slot order (current first) so naive clients that take keys[0] pick the signing key.
  for (KeySlot slot : {KeySlot::kCurrent, KeySlot::kNext, KeySlot::kPrevious}) {
    for (JwsAlg alg : kAlgs) {
      auto it = by_slot_.find({slot, alg});
      if (it != by_slot_.end()) keys.push_back(it->second->PublicJwk());
    }
  }
  return nlohmann::json{{"keys", keys}}.dump();
}

Result<std::vector<std::string>> GenerateKeyDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create " + dir);
  std::vector<std::string> created;
  for (JwsAlg alg : kAlgs) {
    for (KeySlot slot : {KeySlot::kCurrent, KeySlot::kNext}) {
      fs::path path = fs::path(dir) / KeyFileName(slot, alg);
      if (fs::exists(path)) continue;
      if (auto r = GenerateInto(path, alg); !r) return tl::unexpected(r.error());
      created.push_back(path.string());
    }
  }
  fs::path aead = fs::path(dir) / kAeadKeyFileName;
  if (!fs::exists(aead)) {
    std::string text = NewAeadKeyLine("current") + NewAeadKeyLine("next");
    if (auto r = WritePrivateFile(aead, text); !r) return tl::unexpected(r.error());
    created.push_back(aead.string());
  }
  return created;
}

Result<std::vector<std::string>> RotateKeyDir(const std::string& dir) {
  std::vector<std::string> changed;
  for (JwsAlg alg : kAlgs) {
    fs::path prev = fs::path(dir) / KeyFileName(KeySlot::kPrevious, alg);
    fs::path cur = fs::path(dir) / KeyFileName(KeySlot::kCurrent, alg);
    fs::path next = fs::path(dir) / KeyFileName(KeySlot::kNext, alg);
    if (!fs::exists(cur) || !fs::exists(next)) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "rotation needs " + cur.string() + " and " + next.string());
    }
    std::error_code ec;
    fs::rename(cur, prev, ec);
    if (!ec) fs::rename(next, cur, ec);
    if (ec) return MakeError(ErrorCode::kIo, "rename failed in " + dir);
    if (auto r = GenerateInto(next, alg); !r) return tl::unexpected(r.error());
    changed.push_back(cur.string());
  }
  fs::path aead = fs::path(dir) / kAeadKeyFileName;
  auto old = ReadFile(aead);
  if (!old) return tl::unexpected(old.error());
  auto rotated = RotateAeadKeyText(*old);
  if (!rotated) return tl::unexpected(rotated.error());
  if (auto r = WritePrivateFile(aead, *rotated); !r) {
    return tl::unexpected(r.error());
  }
  changed.push_back(aead.string());
  return changed;
}

}  // namespace steer::auth
