#pragma once

// Flag parsing shared by steerctl's subcommands, so that every one answers --help and
// reports bad flags the same way (usage to stderr, exit 2).

#include <boost/program_options.hpp>
#include <optional>

namespace steer::agent::cli {

// Parses argv (argv[0] is the command) into `vm`. Returns the exit code to return at once —
// 0 after printing --help, kExitUsage after a bad flag — or nullopt to go on.
std::optional<int> ParseFlags(
    const char* command, int argc, char** argv,
    const boost::program_options::options_description& opts,
    boost::program_options::variables_map* vm,
    const boost::program_options::positional_options_description* pos = nullptr);

// Prints "steerctl COMMAND: MESSAGE" and the usage to stderr; returns kExitUsage.
int UsageError(const char* command, const std::string& message,
               const boost::program_options::options_description& opts);

}  // namespace steer::agent::cli
