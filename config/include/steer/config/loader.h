#pragma once

// Loading a policy: YAML text -> config::Policy, validated. Every problem found is reported,
// not just the first, each with the file, line and column and the key path, so an SRE can
// fix a policy in one pass. A policy that fails to load must never reach a running agent.
// All functions are thread-safe (no shared state).

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "steer/config/policy.h"

namespace steer::config {

struct Diagnostic {
  Location location;
  std::string path;  // key path, e.g. services.login.regions[1].region
  std::string message;

  // "file:line:col: path: message"
  std::string ToString() const;
};

using Diagnostics = std::vector<Diagnostic>;

// Limits that keep a hostile file from exhausting the agent.
struct LoadLimits {
  size_t max_bytes = 4 * 1024 * 1024;
  int max_depth = 64;
  size_t max_nodes = 200000;
};

tl::expected<Policy, Diagnostics> ParsePolicy(std::string_view yaml, const std::string& file_name,
                                              const LoadLimits& limits = {});
tl::expected<Policy, Diagnostics> LoadPolicyFile(const std::string& path,
                                                 const LoadLimits& limits = {});

}  // namespace steer::config
