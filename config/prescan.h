#pragma once

// Checks of a policy's text before yaml-cpp parses it, for mistakes that yaml-cpp accepts or
// reports far from their cause. Pure, thread-safe.

#include <string>
#include <string_view>

namespace steer::config {

// A finding at a 1-based line and column (columns count characters, not bytes).
struct TextFinding {
  int line = 0;  // 0: nothing found
  int column = 0;
  std::string message;
};

// The first control character other than tab, line feed and carriage return (C0, DEL, C1),
// named: "control character U+0000 (NUL) is not allowed in a policy". The text must be UTF-8.
TextFinding FindControlCharacter(std::string_view text);

// The first quoted scalar ('...' or "...") that does not end on the line where it starts,
// located at its opening quote. YAML lets quoted scalars span lines, so an unclosed quote
// swallows the following lines (and at the end of the file yaml-cpp accepts it); a policy
// writes multi-line text as a block scalar (| or >) instead. Quotes inside plain scalars,
// comments and block scalars are not quotes.
TextFinding FindUnclosedQuote(std::string_view text);

}  // namespace steer::config
