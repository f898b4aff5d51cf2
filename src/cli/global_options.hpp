// global_options.hpp — options every command takes, and the context commands run in.
#pragma once

#include <string>

#include "report/report.hpp"

namespace CLI {
class App;
}

namespace vramest::shell {

struct GlobalOptions {
  bool json = false;
  std::string units = "gb";
  std::string data_dir;  // --data-dir, else $VRAMEST_DATA_DIR
  bool no_color = false;
};

// Adds --json, --units, --data-dir and --no-color to `app` (each command gets its own copy so
// they work after the command name).
void add_global_options(CLI::App& app, GlobalOptions& options);

// Checks values and resolves defaults from the environment; throws on an invalid value.
report::Style resolve_style(const GlobalOptions& options);
std::string resolve_data_dir(const GlobalOptions& options);

// What a command produces: its stdout text and exit status.
struct CommandResult {
  std::string out;
  int exit_code = 0;
};

}  // namespace vramest::shell
