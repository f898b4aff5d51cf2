// app.hpp — the whole command line: build the CLI11 app, parse, dispatch, map errors to exit
// codes (ninja's real_main). main() only forwards to run_app.
#pragma once

#include <iosfwd>

namespace vramest::shell {

// Runs one invocation, writing to `out` and `err`; returns the exit status.
int run_app(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace vramest::shell
