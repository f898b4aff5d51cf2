// cmd_sweep.hpp — `vramest sweep`: a grid of estimates (models x formats x contexts x batches x
// GPUs) as CSV or JSON lines, for plots and CI matrices.
#pragma once

#include "cli/global_options.hpp"

namespace vramest::shell {

struct SweepOptions {
  std::string models;    // comma-separated, required
  std::string formats;   // empty: the model's checkpoint format
  std::string contexts = "4096";
  std::string batches = "1";
  std::string gpus;      // empty: the featured GPUs
  std::string engine;    // empty: transformers
  std::string kv_dtype;
  std::string output = "csv";  // csv or jsonl
};

CLI::App* setup_sweep(CLI::App& app, SweepOptions& options, GlobalOptions& global);
CommandResult run_sweep(const SweepOptions& options, const GlobalOptions& global);

}  // namespace vramest::shell
