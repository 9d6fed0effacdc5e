#include "steer/base/option_error.h"

#include <gtest/gtest.h>

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace steer::base {
namespace {

namespace po = boost::program_options;

// Parses `args` (after a program name) against --count <int>; the text of the error it throws.
std::string ErrorOf(std::vector<std::string> args) {
  po::options_description opts;
  opts.add_options()("count", po::value<int>(), "a number");
  args.insert(args.begin(), "prog");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(static_cast<int>(argv.size()), argv.data(), opts), vm);
    po::notify(vm);
  } catch (po::error& e) {
    return OptionErrorText(e);
  }
  return "no error";
}

// With Boost's own what() each of these loops for ever (the value contains its placeholder).
TEST(OptionErrorTextTest, ValuesContainingPlaceholdersEndAndArePercentEncoded) {
  EXPECT_EQ(ErrorOf({"--count", "%value%"}),
            "the argument ('%25value%25') for option '--count' is invalid");
  EXPECT_EQ(ErrorOf({"--%option%"}), "unrecognised option '--%25option%25'");
  EXPECT_EQ(ErrorOf({"--count=%original_token%%canonical_option%"}),
            "the argument ('%25original_token%25%25canonical_option%25') for option '--count' is "
            "invalid");
}

TEST(OptionErrorTextTest, OrdinaryErrorsReadAsBoostWritesThem) {
  EXPECT_EQ(ErrorOf({"--count", "x"}), "the argument ('x') for option '--count' is invalid");
  EXPECT_EQ(ErrorOf({"--nope"}), "unrecognised option '--nope'");
  EXPECT_EQ(ErrorOf({"--count"}), "the required argument for option '--count' is missing");
  EXPECT_EQ(ErrorOf({"--count", "1"}), "no error");
}

}  // namespace
}  // namespace steer::base
