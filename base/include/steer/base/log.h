#pragma once

// Logging: one spdlog logger per library ("config", "probes", "dns", "policies", "auth",
// "agent"), all sharing the sinks and format set once by the binary's main(). Secrets are
// never passed to a logger.

#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "steer/base/error.h"

namespace steer::base {

enum class LogOutput { kText, kJson };

// Sets level and format for every Steer logger, existing and future. Called by main().
Result<void> ConfigureLogging(const std::string& level, LogOutput output);

// The logger for one library; created on first use with the configured sinks.
std::shared_ptr<spdlog::logger> Logger(const std::string& library);

}  // namespace steer::base
