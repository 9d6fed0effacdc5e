// steerctl: the operator's command line. Dispatches to one subcommand (cli/commands.cc).
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "steer/base/log.h"

namespace {

using steer::agent::cli::kExitUsage;

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: steerctl [--log-level LEVEL] [--log-format text|json] COMMAND [OPTIONS]\n"
               "       steerctl --version\n"
               "\ncommands:\n");
  for (const auto& c : steer::agent::cli::Commands()) {
    std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  }
  std::fprintf(out, "\n'steerctl COMMAND --help' describes one command.\n");
}

// Takes the global logging flags out of argv (they may appear anywhere) and applies them.
bool ApplyLogFlags(std::vector<char*>& args) {
  std::string level = "warn", format = "text";
  for (size_t i = 1; i < args.size();) {
    std::string_view a = args[i];
    std::string* target = a.starts_with("--log-level")    ? &level
                          : a.starts_with("--log-format") ? &format
                                                          : nullptr;
    if (target == nullptr) {
      ++i;
      continue;
    }
    size_t eq = a.find('=');
    if (eq != std::string_view::npos) {
      *target = std::string(a.substr(eq + 1));
      args.erase(args.begin() + static_cast<long>(i));
    } else if (i + 1 < args.size()) {
      *target = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
    } else {
      std::fprintf(stderr, "steerctl: %s needs a value\n", args[i]);
      return false;
    }
  }
  if (format != "text" && format != "json") {
    std::fprintf(stderr, "steerctl: --log-format must be text or json\n");
    return false;
  }
  auto ok = steer::base::ConfigureLogging(
      level, format == "json" ? steer::base::LogOutput::kJson : steer::base::LogOutput::kText);
  if (!ok) std::fprintf(stderr, "steerctl: %s\n", ok.error().message.c_str());
  return ok.has_value();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  if (!ApplyLogFlags(args)) return kExitUsage;
  if (args.size() < 2) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  std::string_view name = args[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return steer::agent::cli::kExitOk;
  }
  if (name == "--version") {
    std::printf("steerctl %s\n", STEER_VERSION);
    return steer::agent::cli::kExitOk;
  }
  for (const auto& c : steer::agent::cli::Commands()) {
    if (name == c.name) return c.run(static_cast<int>(args.size()) - 1, args.data() + 1);
  }
  std::fprintf(stderr, "steerctl: unknown command '%s'\n\n", args[1]);
  PrintUsage(stderr);
  return kExitUsage;
}
