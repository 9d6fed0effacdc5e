#pragma once

// A transparent hash for unordered containers keyed by std::string, so that a lookup by
// std::string_view or const char* does not build a std::string first. Use with
// std::equal_to<>. Stateless, so thread-safe.

#include <cstddef>
#include <functional>
#include <string_view>

namespace steer::base {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace steer::base
