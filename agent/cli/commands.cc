#include "cli/command.h"

namespace steer::agent::cli {

int RunValidate(int argc, char** argv);

std::span<const Command> Commands() {
  static constexpr Command kCommands[] = {
      {"validate", "check policy files and report every error", RunValidate},
  };
  return kCommands;
}

}  // namespace steer::agent::cli
