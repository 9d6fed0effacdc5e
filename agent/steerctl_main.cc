// steerctl: the operator's command line. Dispatches to one subcommand (cli/commands.cc).
#include <cstdio>
#include <cstring>
#include <string_view>

#include "cli/command.h"

namespace {

void PrintUsage(std::FILE* out) {
  std::fprintf(out, "usage: steerctl COMMAND [OPTIONS]\n\ncommands:\n");
  for (const auto& c : steer::agent::cli::Commands()) {
    std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  }
  std::fprintf(out, "\n'steerctl COMMAND --help' describes one command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return steer::agent::cli::kExitUsage;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return steer::agent::cli::kExitOk;
  }
  for (const auto& c : steer::agent::cli::Commands()) {
    if (name == c.name) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "steerctl: unknown command '%s'\n\n", argv[1]);
  PrintUsage(stderr);
  return steer::agent::cli::kExitUsage;
}
