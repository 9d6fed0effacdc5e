// steerctl validate: loads policies exactly as steerd does (LoadRunnablePolicy: valid, and
// runnable by this build) and reports every problem.
#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/flags.h"
#include "runnable.h"
#include "steer/base/json_text.h"
#include "steer/config/catalog.h"

namespace steer::agent::cli {
namespace {

namespace po = boost::program_options;

nlohmann::json ToJson(const config::Diagnostic& d) {
  return {{"file", d.location.file},
          {"line", d.location.line},
          {"column", d.location.column},
          {"path", d.path},
          {"message", d.message}};
}

}  // namespace

int RunValidate(int argc, char** argv) {
  po::options_description opts("usage: steerctl validate [-c FILE]... [FILE]...\n\noptions");
  opts.add_options()("help,h", "show this help")(
      "config,c", po::value<std::vector<std::string>>()->composing(), "policy file to check")(
      "json", "print the result as JSON")("print-schema",
                                          "print the policy's JSON Schema and exit")(
      "print-reference", "print the key reference of docs/policy.md and exit");
  po::positional_options_description pos;
  pos.add("config", -1);
  po::variables_map vm;
  if (auto done = ParseFlags("validate", argc, argv, opts, &vm, &pos)) return *done;
  if (vm.count("print-schema")) {
    std::cout << config::PolicyJsonSchema();
    return kExitOk;
  }
  if (vm.count("print-reference")) {
    std::cout << config::PolicyMarkdownReference();
    return kExitOk;
  }
  if (!vm.count("config")) {
    std::cerr << "steerctl validate: give at least one policy file\n" << opts;
    return kExitUsage;
  }
  bool all_valid = true;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : vm["config"].as<std::vector<std::string>>()) {
    auto policy = LoadRunnablePolicy(file);
    nlohmann::json errors = nlohmann::json::array();
    if (!policy) {
      all_valid = false;
      for (const auto& d : policy.error()) {
        errors.push_back(ToJson(d));
        if (!vm.count("json")) std::cerr << d.ToString() << "\n";
      }
      if (!vm.count("json")) {
        std::cerr << file << ": " << policy.error().size() << " error(s)\n";
      }
    } else if (!vm.count("json")) {
      std::cout << file << ": valid\n";
    }
    files.push_back({{"file", file}, {"valid", policy.has_value()}, {"errors", errors}});
  }
  if (vm.count("json")) {
    // File names and the text quoted in errors may be any bytes: invalid UTF-8 becomes U+FFFD.
    std::cout << base::JsonText(nlohmann::json{{"valid", all_valid}, {"files", files}}, 2) << "\n";
  }
  return all_valid ? kExitOk : kExitFailed;
}

}  // namespace steer::agent::cli
