#pragma once

// steerctl's subcommands. Each lives in its own file as a function with main()'s signature
// (argv[0] is the subcommand name) and is listed once in commands.cc — an explicit registry,
// no static self-registration.
//
// Exit codes shared by every subcommand:
//   0 success / all checks pass / nothing to do
//   1 the thing checked failed (invalid policy, probe failed, operation refused)
//   2 usage error (bad flags or arguments)
//   3 changes pending (plan); not done by --timeout (switchover, drain/undrain --wait)
//   4 steerd's API could not be asked (unreachable, token refused, server error): drain and
//     undrain, so that a deploy pipeline tells "refused" (1) from "could not ask" (4)

#include <span>
#include <string>

namespace steer::agent::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPending = 3;
inline constexpr int kExitTimedOut = 3;  // the same code: what was asked for is still pending
inline constexpr int kExitApiError = 4;

using CommandFn = int (*)(int argc, char** argv);

struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
};

// Every subcommand, in the order `steerctl --help` lists them.
std::span<const Command> Commands();

}  // namespace steer::agent::cli
