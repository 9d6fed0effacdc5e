// Reading YAML text safely, for every config file kind (policies, steer-authd's config).
#include "yaml_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "prescan.h"

namespace steer::config {
namespace {

Diagnostics One(const std::string& file, int line, int col, std::string message) {
  return {Diagnostic{Location{file, line, col}, "", std::move(message)}};
}

// Returns the 1-based line and column of the first byte that is not valid UTF-8, or {0,0}.
std::pair<int, int> FirstInvalidUtf8(std::string_view s) {
  int line = 1, col = 1;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return {line, col};
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return {line, col};
    }
    if (len == 2 && c < 0xC2) return {line, col};  // overlong
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    i += len;
  }
  return {0, 0};
}

// yaml-cpp parses recursively: text nested deeper than the stack allows would crash it, so
// nesting is bounded before it ever sees the text. Counts unclosed flow brackets plus block
// indentation and "- " prefixes; generous, since valid policies are shallow.
std::pair<int, int> TooDeep(std::string_view s, int max_depth) {
  int line = 1, col = 1, flow = 0, indent = 0;
  bool at_line_start = true;
  char quote = 0;
  for (char c : s) {
    if (c == '\n') {
      ++line;
      col = 1;
      indent = 0;
      at_line_start = true;
      continue;
    }
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      quote = '\n';  // comment: skip to end of line
    } else if (c == '[' || c == '{') {
      ++flow;
    } else if ((c == ']' || c == '}') && flow > 0) {
      --flow;
    }
    if (at_line_start && (c == ' ' || c == '-')) {
      ++indent;
    } else {
      at_line_start = false;
    }
    if (flow + indent / 2 > max_depth * 4) return {line, col};
    ++col;
  }
  return {0, 0};
}

// Counts nodes with aliases expanded; an alias bomb exceeds the limit quickly and is cut off.
bool CountNodes(const YAML::Node& node, int depth, const LoadLimits& limits, size_t* count,
                bool* too_deep) {
  if (++*count > limits.max_nodes) return false;
  if (depth > limits.max_depth) {
    *too_deep = true;
    return false;
  }
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (!CountNodes(kv.first, depth + 1, limits, count, too_deep) ||
          !CountNodes(kv.second, depth + 1, limits, count, too_deep)) {
        return false;
      }
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!CountNodes(item, depth + 1, limits, count, too_deep)) return false;
    }
  }
  return true;
}

}  // namespace

tl::expected<YAML::Node, Diagnostics> ParseYaml(std::string_view yaml, const std::string& file,
                                                const LoadLimits& limits,
                                                const std::string& empty_message) {
  if (yaml.size() > limits.max_bytes) {
    return tl::unexpected(One(file, 1, 1,
                              "file is " + std::to_string(yaml.size()) + " bytes; the limit is " +
                                  std::to_string(limits.max_bytes) + " bytes"));
  }
  if (auto [line, col] = FirstInvalidUtf8(yaml); line != 0) {
    return tl::unexpected(One(file, line, col, "invalid UTF-8 byte; policies must be UTF-8"));
  }
  for (const auto& finding : {FindControlCharacter(yaml), FindUnclosedQuote(yaml)}) {
    if (finding.line != 0) {
      return tl::unexpected(One(file, finding.line, finding.column, finding.message));
    }
  }
  if (auto [line, col] = TooDeep(yaml, limits.max_depth); line != 0) {
    return tl::unexpected(One(file, line, col, "nesting is too deep"));
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return tl::unexpected(One(file, e.mark.is_null() ? 1 : e.mark.line + 1,
                              e.mark.is_null() ? 1 : e.mark.column + 1,
                              "YAML syntax error: " + e.msg));
  }
  if (!root || root.IsNull()) {
    return tl::unexpected(One(file, 1, 1, empty_message));
  }
  size_t count = 0;
  bool too_deep = false;
  if (!CountNodes(root, 0, limits, &count, &too_deep)) {
    return tl::unexpected(
        One(file, 1, 1,
            too_deep ? "nesting is deeper than " + std::to_string(limits.max_depth) + " levels"
                     : "more than " + std::to_string(limits.max_nodes) +
                           " YAML nodes (are aliases expanding without bound?)"));
  }
  return root;
}

tl::expected<std::string, Diagnostics> ReadConfigText(const std::string& path,
                                                      const LoadLimits& limits) {
  auto fail = [&](const std::string& what) { return tl::unexpected(One(path, 0, 0, what)); };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::string("cannot open file: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode) ||
      !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
    bool dir = S_ISDIR(st.st_mode);
    ::close(fd);
    return fail(dir ? "is a directory; expected a policy file"
                    : "is not a regular file, a pipe or a character device");
  }
  if (S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > limits.max_bytes) {
    ::close(fd);
    return tl::unexpected(One(path, 1, 1,
                              "file is " + std::to_string(st.st_size) + " bytes; the limit is " +
                                  std::to_string(limits.max_bytes) + " bytes"));
  }
  std::string text;
  char buf[65536];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(buf, static_cast<size_t>(n));
    if (text.size() > limits.max_bytes) break;
  }
  int read_errno = errno;
  ::close(fd);
  if (n < 0) return fail(std::string("cannot read file: ") + std::strerror(read_errno));
  if (text.size() > limits.max_bytes) {
    return tl::unexpected(
        One(path, 1, 1, "more than " + std::to_string(limits.max_bytes) + " bytes (the limit)"));
  }
  return text;
}

}  // namespace steer::config
