#include "steer/base/duration.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace steer::base {
namespace {

struct Unit {
  std::string_view suffix;
  double ms;
};
// Longest suffix first so that "ms" is not read as "m".
constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid duration '" + std::string(text) + "': " +
                                                      why + " (examples: 250ms, 5s, 1.5s, 2m, 1h)");
  };
  size_t digits = 0;
  bool dot = false;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) ||
                                  (text[digits] == '.' && !dot))) {
    dot = dot || text[digits] == '.';
    ++digits;
  }
  if (digits == 0) return bad("expected a number");
  std::string_view suffix = text.substr(digits);
  if (suffix.empty()) return bad("missing unit");
  for (const Unit& unit : kUnits) {
    if (suffix != unit.suffix) continue;
    double value = std::strtod(std::string(text.substr(0, digits)).c_str(), nullptr);
    double ms = value * unit.ms;
    if (!std::isfinite(ms) || ms > 1e12) return bad("too large");
    if (std::fabs(ms - std::round(ms)) > 1e-6) return bad("finer than a millisecond");
    return Duration(static_cast<int64_t>(std::llround(ms)));
  }
  return bad("unknown unit '" + std::string(suffix) + "'");
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms != 0 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace steer::base
