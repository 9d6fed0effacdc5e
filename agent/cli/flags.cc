#include "cli/flags.h"

#include <iostream>

#include "cli/command.h"
#include "steer/base/option_error.h"

namespace steer::agent::cli {

namespace po = boost::program_options;

std::optional<int> ParseFlags(const char* command, int argc, char** argv,
                              const po::options_description& opts, po::variables_map* vm,
                              const po::positional_options_description* pos) {
  try {
    po::command_line_parser parser(argc, argv);
    parser.options(opts);
    if (pos != nullptr) parser.positional(*pos);
    po::store(parser.run(), *vm);
    po::notify(*vm);
  } catch (po::error& e) {
    return UsageError(command, steer::base::OptionErrorText(e), opts);
  }
  if (vm->count("help")) {
    std::cout << opts;
    return kExitOk;
  }
  return std::nullopt;
}

int UsageError(const char* command, const std::string& message,
               const po::options_description& opts) {
  std::cerr << "steerctl " << command << ": " << message << "\n" << opts;
  return kExitUsage;
}

}  // namespace steer::agent::cli
