// cmd_estimate.hpp — `vramest MODEL [options]`: estimate memory and check the fit.
//
// Flags are read here, at the edge, into typed options; the core never sees a flag. Spellings
// from llama.cpp, vLLM, Hugging Face and DeepSpeed are aliases of the same options (README
// "Spellings from other tools"); where a spelling means different things across engines (-b, -c
// with -np), the engine decides and the output says how it was read.
#pragma once

#include <string>
#include <vector>

#include "cli/global_options.hpp"
#include "cli/gpu_selection.hpp"
#include "vramest/fit.hpp"
#include "vramest/inference.hpp"

namespace vramest::shell {

// The inference flags `vramest MODEL` and `vramest fit MODEL` share, as typed.
struct InferenceFlags {
  std::string precision;     // -p (also --dtype / --quantization)
  std::string dtype;         // vLLM --dtype
  std::string quantization;  // vLLM --quantization
  std::string context;       // -c, --ctx-size, --max-model-len, --max-seq-length
  std::string batch;         // -b: sequences here; llama.cpp's logical batch (tokens) under llama.cpp
  std::string parallel;      // llama.cpp -np/--parallel: server slots (concurrent sequences)
  std::string kv_dtype;      // --kv-dtype, --kv-cache-dtype: K and V
  std::string cache_type_k;  // llama.cpp -ctk
  std::string cache_type_v;  // llama.cpp -ctv
  std::string engine;
  std::string ubatch;      // llama.cpp -ub
  std::string flash_attn;  // llama.cpp -fa on|off|auto
  bool no_flash_attn = false;
  std::string gpu_util;  // vLLM --gpu-memory-utilization
  std::string max_batched_tokens;
  std::string max_seqs;
  std::string n_gpu_layers;    // llama.cpp -ngl: layers on the GPU (partial offload)
  std::string n_cpu_moe;       // llama.cpp --n-cpu-moe: layers whose experts stay in RAM
  bool kv_unified = false;     // llama.cpp --kv-unified
  bool enforce_eager = false;  // vLLM --enforce-eager
};

struct EstimateOptions {
  std::string model;
  bool model_given = false;  // distinguishes `vramest ''` (invalid) from `vramest` (usage)
  std::string mode;
  std::string method;
  std::string overhead;  // empty: the rules' 1.2-1.3
  InferenceFlags inference;
  GpuFlags gpu;
  std::string tp;  // --tp, --tensor-parallel-size: inference and training
  std::string pp;  // --pp, --pipeline-parallel-size
  // training
  std::string training_precision;
  std::string optimizer;
  std::vector<std::string> grad_checkpointing;  // given: one value; bare --gradient-checkpointing: "" (full)
  std::string lora_rank;
  std::string lora_alpha;
  std::string lora_targets;
  std::string zero;
  std::vector<std::string> fsdp;  // given: one value; bare --fsdp: "" (full shard)
  std::string offload;
  std::string grad_accum;
  bool no_kbit_upcast = false;
};

struct ResolvedModel;

// The inference options and weight format the flags ask for, with the defaults used and how
// ambiguous spellings were read (as text).
struct InferenceSetup {
  InferenceOptions options;
  WeightFormat format;
  std::vector<std::string> defaults;
  std::vector<std::string> readings;        // "-c 8192 with -np 4: 2048 tokens per slot", ...
  const WeightBreakdown* stored = nullptr;  // a model file's exact weights (points into the model)
  std::optional<std::uint64_t> n_gpu_layers;
  std::optional<std::uint64_t> n_cpu_moe;
  std::uint64_t tp = 0;  // 0: not given
  std::uint64_t pp = 0;
};

InferenceSetup inference_setup(const EstimateOptions& options, const ResolvedModel& model,
                               const GpuSpec* first_gpu);
void check_engine_format(Engine engine, const WeightFormat& format);

// The engine a request runs on: --engine, else llama.cpp for a GGUF file or a GGUF-only format.
// `llamacpp_flag`: a flag only llama.cpp has (-ngl, -np, ...) that was given, which implies it.
Engine resolve_engine(const std::string& engine_flag, const std::string& format_flag,
                      const ResolvedModel& model, std::string* why = nullptr,
                      const std::string& llamacpp_flag = {});

// A format name as the engine reads it: under llama.cpp fp16, bf16 and fp32 are GGUF's f16,
// bf16 and f32.
std::string format_for_engine(Engine engine, const std::string& format);

// "a, b,c" -> {"a", "b", "c"}: comma-separated flag values, spaces and empty items dropped.
std::vector<std::string> split_commas(const std::string& text);

// The options `vramest MODEL` and `vramest fit MODEL` share: -p, -c, -b, --kv-dtype, --engine,
// the engine knobs and the GPUs.
void add_inference_options(CLI::App& app, EstimateOptions& options);

void setup_estimate(CLI::App& app, EstimateOptions& options);
CommandResult run_estimate(const EstimateOptions& options, const GlobalOptions& global);

}  // namespace vramest::shell
