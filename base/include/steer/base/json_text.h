#pragma once

// JSON serialised for output. Thread-safe (a pure function).
//
// Everything Steer prints or sends as JSON may carry text it did not write: a URL or file name
// from the command line, a reason typed by an operator, a path from a network request. When
// such text is not UTF-8, nlohmann::json's plain dump() throws type_error 316, which ended
// steerd and steerctl (found by fuzzing). Every JSON output goes through JsonText instead,
// where invalid bytes become U+FFFD.

#include <nlohmann/json.hpp>
#include <string>

namespace steer::base {

// `indent` as nlohmann::json::dump: -1 for one line, n for pretty-printed with n spaces.
std::string JsonText(const nlohmann::json& value, int indent = -1);
// The same for an object whose keys keep their insertion order (documented line formats).
std::string JsonText(const nlohmann::ordered_json& value, int indent = -1);

}  // namespace steer::base
