// libFuzzer target: any bytes as steerctl's command line, through its real main() (compiled
// here as SteerctlMain): the global --log-level/--log-format flags, the subcommand dispatch
// and each subcommand's flag parsing (cli::ParseFlags over its options table). The first byte
// picks the subcommand, the rest is split on '\n' into arguments.
// Safety: only `validate` and `simulate` run for real (they read policy and trace files, and
// the working directory is examples/traces, so the seeds name real files); every other
// subcommand gets --help as its first argument, so it parses its flags and stops before doing
// anything (no request to an API, no probe, no DNS). Arguments naming another directory ('/')
// or stdin ('-') are replaced. Run with -close_fd_mask=3 (the commands print).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"

int SteerctlMain(int argc, char** argv);

namespace {

bool Runs(std::string_view command) { return command == "validate" || command == "simulate"; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool in_examples =
      chdir((std::string(STEER_SOURCE_DIR) + "/examples/traces").c_str()) == 0;
  if (!in_examples || size == 0) return 0;
  auto commands = steer::agent::cli::Commands();
  std::string command = commands[data[0] % commands.size()].name;
  std::vector<std::string> args = {"steerctl", command};
  if (!Runs(command)) args.push_back("--help");
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  while (!rest.empty() && args.size() < 24) {
    size_t nl = rest.find('\n');
    std::string arg(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (arg.find('/') != std::string::npos || arg == "-") arg = "x";
    args.push_back(arg.c_str());  // up to the first NUL, as the kernel would pass it
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = SteerctlMain(static_cast<int>(argv.size()) - 1, argv.data());
  if (rc < 0 || rc > 3) std::abort();  // the documented exit codes (cli/command.h)
  return 0;
}
