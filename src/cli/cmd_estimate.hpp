// cmd_estimate.hpp — `vramest MODEL [options]`: estimate memory and check the fit.
#pragma once

#include <string>
#include <vector>

#include "cli/global_options.hpp"
#include "vramest/fit.hpp"
#include "vramest/inference.hpp"

namespace vramest::shell {

struct EstimateOptions {
  std::string model;      // a parameter count such as 14B
  bool model_given = false;  // distinguishes `vramest ''` (invalid) from `vramest` (usage)
  std::string precision;  // empty: not given
  std::string mode;       // empty: not given (inference)
  std::string method;     // empty: not given
  std::string overhead;   // empty: the seed's 1.2-1.3
  std::vector<std::string> gpu_ids;
  std::string gpus;       // --gpus N as typed; empty: not given
  std::string context;    // -c tokens per sequence; empty: default 4096
  std::string batch;      // -b concurrent sequences; empty: default 1
  std::string kv_dtype;   // empty: fp16/bf16 by engine
  std::string engine;     // empty: transformers
  std::string ubatch;     // llama.cpp -ub
  bool no_flash_attn = false;
  std::string gpu_util;   // vLLM gpu_memory_utilization
  std::string max_batched_tokens;  // vLLM max_num_batched_tokens
  std::string max_seqs;            // vLLM max_num_seqs
  // training
  std::string training_precision;  // mixed, bf16, fp32
  std::string optimizer;
  std::string grad_checkpointing;
  std::string lora_rank;
  std::string lora_targets;        // comma-separated
  std::string zero;                // 1, 2, 3
  std::string fsdp;                // full, grad-op
  std::string tp;
  std::string pp;
  std::string offload;             // optimizer, params
  std::string grad_accum;
  bool no_kbit_upcast = false;
};

struct ResolvedModel;

// The inference options and weight format the flags ask for, with the defaults used (as text).
struct InferenceSetup {
  InferenceOptions options;
  WeightFormat format;
  std::vector<std::string> defaults;
  const WeightBreakdown* stored = nullptr;  // a model file's exact weights (points into the model)
};

InferenceSetup inference_setup(const EstimateOptions& options, const ResolvedModel& model, const GpuSpec* first_gpu);
void check_engine_format(Engine engine, const WeightFormat& format);

// "a, b,c" -> {"a", "b", "c"}: comma-separated flag values, spaces and empty items dropped.
std::vector<std::string> split_commas(const std::string& text);

// The options `vramest MODEL` and `vramest fit MODEL` share: -p, -c, -b, --kv-dtype, --engine and
// the engine knobs.
void add_inference_options(CLI::App& app, EstimateOptions& options);

void setup_estimate(CLI::App& app, EstimateOptions& options);
CommandResult run_estimate(const EstimateOptions& options, const GlobalOptions& global);

}  // namespace vramest::shell
