#include "cli/command.h"

namespace steer::agent::cli {

int RunValidate(int argc, char** argv);
int RunProbe(int argc, char** argv);

std::span<const Command> Commands() {
  static constexpr Command kCommands[] = {
      {"validate", "check policy files and report every error", RunValidate},
      {"probe", "run probes once from this host and show their phases", RunProbe},
  };
  return kCommands;
}

}  // namespace steer::agent::cli
