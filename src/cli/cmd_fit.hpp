// cmd_fit.hpp — `vramest fit MODEL --gpu ID`: what fits on these GPUs, and how fast it runs.
#pragma once

#include "cli/cmd_estimate.hpp"

namespace vramest::shell {

struct FitOptions {
  EstimateOptions estimate;  // model, -p, -c, -b, --engine, --kv-dtype, --gpu, --gpus, --reserve...
  std::string prompt;        // --prompt: tokens for the time to first token (default: the context)
  bool no_chart = false;
};

CLI::App* setup_fit(CLI::App& app, FitOptions& options, GlobalOptions& global);
CommandResult run_fit(const FitOptions& options, const GlobalOptions& global);

}  // namespace vramest::shell
