// cmd_inspect.hpp — `vramest inspect PATH`: what a model file holds, from its headers only.
#pragma once

#include "cli/global_options.hpp"

namespace vramest::shell {

struct InspectOptions {
  std::string path;
  std::string top = "10";  // how many of the largest tensors to list
};

CLI::App* setup_inspect(CLI::App& app, InspectOptions& options, GlobalOptions& global);
CommandResult run_inspect(const InspectOptions& options, const GlobalOptions& global);

}  // namespace vramest::shell
