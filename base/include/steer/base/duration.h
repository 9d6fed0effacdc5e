#pragma once

// Durations as written in policies: an integer or decimal number followed by a unit,
// `250ms`, `5s`, `1.5s`, `2m`, `1h`, `90d`. A bare number is refused: the unit is never guessed.

#include <chrono>
#include <string>
#include <string_view>

#include "steer/base/error.h"

namespace steer::base {

// Every duration in a policy: whole milliseconds.
using Duration = std::chrono::milliseconds;

Result<Duration> ParseDuration(std::string_view text);

// The shortest exact spelling: 1500ms -> "1500ms", 2000ms -> "2s", 120000ms -> "2m".
std::string FormatDuration(Duration d);

}  // namespace steer::base
