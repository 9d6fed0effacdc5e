#pragma once

// A small JSONPath subset for probe conditions: `$`, `.name`, `['name']`, `["name"]` and
// `[N]`, e.g. `$.data.items[0].id`. Thread-safe (pure functions).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "steer/base/error.h"

namespace steer::probes {

// The value at `path` in `doc`, nullptr-free: nullopt when a step does not exist. An invalid
// path is an Error (kInvalidArgument).
Result<std::optional<nlohmann::json>> EvaluateJsonPath(const nlohmann::json& doc,
                                                       std::string_view path);

// How a value compares with an `equals` condition: strings raw, everything else as JSON text.
std::string JsonValueText(const nlohmann::json& value);

}  // namespace steer::probes
