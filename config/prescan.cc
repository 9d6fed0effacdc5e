#include "prescan.h"

#include <cstdio>

namespace steer::config {
namespace {

constexpr const char* kC0Names[32] = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL",
                                      "BS",  "HT",  "LF",  "VT",  "FF",  "CR",  "SO",  "SI",
                                      "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB",
                                      "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US"};

std::string ControlMessage(unsigned code) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", code);
  std::string name = code < 32 ? kC0Names[code] : code == 0x7F ? "DEL" : code == 0x85 ? "NEL" : "";
  return "control character " + std::string(hex) + (name.empty() ? "" : " (" + name + ")") +
         " is not allowed in a policy";
}

// Characters (not bytes) before `pos` on its line, plus one.
int ColumnOf(std::string_view line, size_t pos) {
  int col = 1;
  for (size_t i = 0; i < pos; ++i) col += (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
  return col;
}

// Index of the quote that closes the quoted scalar opened at `open`, or npos.
size_t ClosingQuote(std::string_view line, size_t open) {
  char q = line[open];
  for (size_t j = open + 1; j < line.size(); ++j) {
    if (q == '"' && line[j] == '\\') {
      ++j;  // an escaped character, perhaps a quote
    } else if (line[j] == q) {
      if (q == '\'' && j + 1 < line.size() && line[j + 1] == '\'') {
        ++j;  // '' is a quote inside single quotes
      } else {
        return j;
      }
    }
  }
  return std::string_view::npos;
}

bool IsSpace(std::string_view s, size_t i) { return i >= s.size() || s[i] == ' ' || s[i] == '\t'; }

// Whether the rest of the line after a '|' or '>' at `i` is a block scalar header.
bool IsBlockHeader(std::string_view line, size_t i) {
  size_t j = i + 1;
  while (j < line.size() &&
         (line[j] == '-' || line[j] == '+' || (line[j] >= '1' && line[j] <= '9'))) {
    ++j;
  }
  while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
  return j == line.size() || line[j] == '#';
}

struct LineScan {
  size_t unclosed = std::string_view::npos;  // opening quote without its end
  int block_parent = -1;  // the line starts a block scalar: the column of its parent node
};

// Scans one line outside any block scalar; `flow` is the depth of [ and { across lines.
LineScan ScanLine(std::string_view line, int& flow) {
  LineScan out;
  bool can_start = true;  // a node may begin here
  size_t node = 0;        // where the last node began: a key, a "- " entry...
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t') continue;
    if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) break;
    bool starts = can_start;
    if ((c == '"' || c == '\'') && can_start) {
      size_t close = ClosingQuote(line, i);
      if (close == std::string_view::npos) {
        out.unclosed = i;
        return out;
      }
      node = i;
      i = close;
      can_start = false;
    } else if (c == '[' || c == '{') {
      ++flow;
      can_start = true;
    } else if (c == ']' || c == '}') {
      flow -= flow > 0;
      can_start = false;
    } else if ((c == ',' || c == ':') && flow > 0) {
      can_start = true;
    } else if (c == ':' && IsSpace(line, i + 1)) {
      can_start = true;
    } else if ((c == '-' || c == '?') && can_start && IsSpace(line, i + 1)) {
      node = i;
    } else if ((c == '|' || c == '>') && can_start && flow == 0 && IsBlockHeader(line, i)) {
      out.block_parent = static_cast<int>(node);
      return out;
    } else if ((c == '&' || c == '!') && can_start) {
      while (i + 1 < line.size() && !IsSpace(line, i + 1)) ++i;  // anchor or tag: skip it
    } else {
      if (starts) node = i;
      can_start = false;  // a plain scalar: quotes in it are characters
    }
  }
  return out;
}

}  // namespace

TextFinding FindControlCharacter(std::string_view s) {
  int line = 1, col = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    unsigned code = c;
    if (c == 0xC2 && i + 1 < s.size()) code = (static_cast<unsigned char>(s[i + 1]) & 0x3F) | 0x80;
    bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F ||
                   (c == 0xC2 && code >= 0x80 && code <= 0x9F);
    if (control) return {line, col, ControlMessage(code)};
    if (c == '\n') {
      ++line;
      col = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {};
}

TextFinding FindUnclosedQuote(std::string_view s) {
  int line_no = 0, flow = 0;
  int block_indent = -1;  // inside a block scalar: lines indented more than this are its text
  for (size_t pos = 0; pos < s.size();) {
    size_t end = s.find('\n', pos);
    if (end == std::string_view::npos) end = s.size();
    std::string_view line = s.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t indent = line.find_first_not_of(' ');
    if (block_indent >= 0) {
      if (indent == std::string_view::npos || static_cast<int>(indent) > block_indent) continue;
      block_indent = -1;
    }
    LineScan scan = ScanLine(line, flow);
    if (scan.unclosed != std::string_view::npos) {
      return {line_no, ColumnOf(line, scan.unclosed),
              "YAML syntax error: the quoted string that starts here does not end on this line "
              "(to write several lines, use a block scalar: | or >)"};
    }
    block_indent = scan.block_parent;
  }
  return {};
}

}  // namespace steer::config
