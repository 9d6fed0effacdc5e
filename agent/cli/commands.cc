#include "cli/command.h"

namespace steer::agent::cli {

int RunValidate(int argc, char** argv);
int RunSimulate(int argc, char** argv);
int RunPlan(int argc, char** argv);
int RunDns(int argc, char** argv);

std::span<const Command> Commands() {
  static constexpr Command kCommands[] = {
      {"validate", "check policy files and report every error", RunValidate},
      {"simulate", "replay a probe trace through the policy on a virtual clock", RunSimulate},
      {"plan", "print the DNS changes that would be made (writes nothing)", RunPlan},
      {"dns", "dns show: provider records and every authoritative server's answer", RunDns},
  };
  return kCommands;
}

}  // namespace steer::agent::cli
