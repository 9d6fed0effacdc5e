#pragma once

// Text placed into HTML (element content or a quoted attribute value). Thread-safe.

#include <string>
#include <string_view>

namespace steer::base {

// & < > " ' as character references; everything else as it is.
std::string HtmlEscape(std::string_view text);

}  // namespace steer::base
