#pragma once

// The first step of loading any config file kind (a policy, steer-authd's config): bounded
// reading of the file and a yaml-cpp parse guarded against hostile text (size, UTF-8, control
// characters, unclosed quotes, nesting, alias bombs). Thread-safe (no shared state).

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "steer/config/loader.h"

namespace steer::config {

// The document's root node; `empty_message` is reported for an empty document.
tl::expected<YAML::Node, Diagnostics> ParseYaml(std::string_view yaml, const std::string& file,
                                                const LoadLimits& limits,
                                                const std::string& empty_message);

// Reads a config file: a regular file, or a pipe or character device (steerctl validate
// <(generate)), to its end; never more than the size limit. Directories, sockets and block
// devices are refused by name.
tl::expected<std::string, Diagnostics> ReadConfigText(const std::string& path,
                                                      const LoadLimits& limits);

}  // namespace steer::config
