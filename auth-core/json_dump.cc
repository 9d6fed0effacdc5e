#include "json_dump.h"

#include <array>
#include <cstdio>
#include <string_view>

namespace steer::auth {
namespace {

using Type = nlohmann::json::value_t;

// The bytes copied as they are: printable ASCII except '"' and '\\'.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

// Appends `s` quoted and escaped as nlohmann does without ensure_ascii; false for non-ASCII.
bool AppendString(std::string_view s, std::string& out) {
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size() && kPlain[static_cast<unsigned char>(s[run])]) ++run;
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    auto c = static_cast<unsigned char>(s[run]);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default: {
        if (c >= 0x80) return false;
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out.append(buf);
      }
    }
    i = run + 1;
  }
  out.push_back('"');
  return true;
}

bool Append(const nlohmann::json& j, std::string& out) {
  switch (j.type()) {
    case Type::object:
    case Type::array: {
      bool object = j.type() == Type::object;
      out.push_back(object ? '{' : '[');
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it != j.begin()) out.push_back(',');
        if (object && !AppendString(it.key(), out)) return false;
        if (object) out.push_back(':');
        if (!Append(it.value(), out)) return false;
      }
      out.push_back(object ? '}' : ']');
      return true;
    }
    case Type::string:
      return AppendString(j.get_ref<const std::string&>(), out);
    case Type::boolean:
      out.append(j.get<bool>() ? "true" : "false");
      return true;
    case Type::number_integer:
      out.append(std::to_string(j.get<int64_t>()));
      return true;
    case Type::number_unsigned:
      out.append(std::to_string(j.get<uint64_t>()));
      return true;
    case Type::null:
      out.append("null");
      return true;
    default:  // floating point, binary, discarded
      return false;
  }
}

}  // namespace

std::string DumpJson(const nlohmann::json& value) {
  std::string out;
  out.reserve(512);  // the tokens and introspection answers: one allocation
  if (Append(value, out)) return out;
  // Not base::JsonText: in a signed token, bytes replaced by U+FFFD could make two different
  // claims equal; a claim that is not UTF-8 fails the request instead.
  return value.dump();
}

}  // namespace steer::auth
