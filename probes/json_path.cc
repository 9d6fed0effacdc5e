#include "json_path.h"

#include <cctype>

namespace steer::probes {
namespace {

using nlohmann::json;

// Parses one `[...]` step at path[pos] (pos points at '['); moves `cur` into the child.
Result<bool> BracketStep(std::string_view path, size_t& pos, const json*& cur) {
  size_t close = path.find(']', pos);
  if (close == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "unclosed '[' in JSON path");
  }
  std::string_view inner = path.substr(pos + 1, close - pos - 1);
  pos = close + 1;
  if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
      inner.back() == inner.front()) {
    std::string key(inner.substr(1, inner.size() - 2));
    if (!cur->is_object() || !cur->contains(key)) return false;
    cur = &cur->at(key);
    return true;
  }
  if (inner.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty '[]' in JSON path");
  size_t index = 0;
  for (char c : inner) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return MakeError(ErrorCode::kInvalidArgument, "bad index in JSON path");
    }
    index = index * 10 + static_cast<size_t>(c - '0');
    if (index > 1'000'000) return MakeError(ErrorCode::kInvalidArgument, "index too large");
  }
  if (!cur->is_array() || index >= cur->size()) return false;
  cur = &cur->at(index);
  return true;
}

}  // namespace

Result<std::optional<json>> EvaluateJsonPath(const json& doc, std::string_view path) {
  if (path.empty() || path.front() != '$') {
    return MakeError(ErrorCode::kInvalidArgument, "JSON path must start with '$'");
  }
  const json* cur = &doc;
  size_t pos = 1;
  while (pos < path.size()) {
    if (path[pos] == '[') {
      auto stepped = BracketStep(path, pos, cur);
      if (!stepped) return tl::unexpected(stepped.error());
      if (!*stepped) return std::optional<json>();
      continue;
    }
    if (path[pos] != '.') {
      return MakeError(ErrorCode::kInvalidArgument, "expected '.' or '[' in JSON path");
    }
    size_t end = path.find_first_of(".[", pos + 1);
    if (end == std::string_view::npos) end = path.size();
    std::string key(path.substr(pos + 1, end - pos - 1));
    if (key.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty key in JSON path");
    pos = end;
    if (!cur->is_object() || !cur->contains(key)) return std::optional<json>();
    cur = &cur->at(key);
  }
  return std::optional<json>(*cur);
}

std::string JsonValueText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace steer::probes
