// cmd_sweep.hpp — `vramest sweep`: a grid of estimates (models x formats x contexts x batches x
// GPUs) as CSV or JSON lines, for plots and CI matrices.
#pragma once

#include <string>
#include <vector>

#include "cli/global_options.hpp"

namespace vramest::shell {

struct SweepOptions {
  std::string models;   // comma-separated, required
  std::string formats;  // empty: the model's checkpoint format
  std::string contexts = "4096";
  std::string batches = "1";
  std::vector<std::string> gpu_ids;  // --gpu (repeatable, comma lists); empty: the featured GPUs
  std::string gpus;                  // --gpus: GPU counts (1,2,4); GPU ids here are read as --gpu
  std::string reserve;               // --reserve per GPU
  std::string engine;  // empty: as the estimate infers it (llama.cpp for GGUF files and formats)
  std::string kv_dtype;
  std::string output = "csv";  // csv or jsonl
  std::string out_file;        // -o FILE: written whole, then renamed over FILE
};

CLI::App* setup_sweep(CLI::App& app, SweepOptions& options, GlobalOptions& global);
CommandResult run_sweep(const SweepOptions& options, const GlobalOptions& global);

}  // namespace vramest::shell
