// cmd_gpus.hpp — `vramest gpus`: list the GPU catalog.
#pragma once

#include "cli/global_options.hpp"

namespace vramest::shell {

struct GpusOptions {
  std::string segment;  // empty: all
  std::string vendor;   // empty: all
};

CLI::App* setup_gpus(CLI::App& app, GpusOptions& options, GlobalOptions& global);
CommandResult run_gpus(const GpusOptions& options, const GlobalOptions& global);

}  // namespace vramest::shell
