#pragma once

// Compact JSON text of a value, the same bytes as nlohmann::json::dump() but several times
// cheaper for the token paths' flat objects of ASCII strings and integers (nlohmann's
// serializer decodes UTF-8 character by character). Values it does not cover — non-ASCII
// strings, floating-point numbers, binary — are left to dump() itself, with its validation.
// Private to auth-core.

#include <nlohmann/json.hpp>
#include <string>

namespace steer::auth {

std::string DumpJson(const nlohmann::json& value);

}  // namespace steer::auth
