// cmd_models.hpp — `vramest models`: list the model catalog.
#pragma once

#include "cli/global_options.hpp"

namespace vramest::shell {

struct ModelsOptions {
  std::string family;  // empty: all
};

CLI::App* setup_models(CLI::App& app, ModelsOptions& options, GlobalOptions& global);
CommandResult run_models(const ModelsOptions& options, const GlobalOptions& global);

}  // namespace vramest::shell
