#pragma once

// The text of a command-line parsing error (Boost.Program_options), safe for any input.
// Not thread-safe for one error object (it is edited in place); a caught exception is one
// thread's.
//
// Boost 1.74 builds an error's message by replacing each %name% placeholder with its value
// until none is left, so an argument that contains its own placeholder (a value "%value%")
// makes what() loop for ever: `steerctl incident 'x%value%'` hung (found by fuzzing). Every
// command line's error goes through OptionErrorText instead, which shows each '%' of a value
// as "%25", so no placeholder can come back.

#include <boost/program_options/errors.hpp>
#include <string>

namespace steer::base {

std::string OptionErrorText(boost::program_options::error& e);

}  // namespace steer::base
