// report.hpp — what the shell renders: result structs in, text or one JSON document out.
//
// Commands build these structs from the core; rendering never computes an estimate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vramest/catalog.hpp"
#include "vramest/estimate.hpp"
#include "vramest/fit.hpp"
#include "vramest/formats.hpp"
#include "vramest/gpu.hpp"
#include "vramest/inference.hpp"
#include "vramest/model_file.hpp"
#include "vramest/placement.hpp"
#include "vramest/rule.hpp"
#include "vramest/speed.hpp"
#include "vramest/training.hpp"

namespace vramest::report {

struct Style {
  DisplayUnit unit = DisplayUnit::gb;
  bool color = false;
};

// Where an estimate goes on GPUs: how many of each kind it takes, and its placement on the group
// the user has (the named GPUs; N unnamed ones for --gpus N alone; else one), whose verdict is
// the exit status. Every command fills it from placement.hpp.
struct GpuView {
  std::vector<GpuFit> kinds;          // every catalog GPU, or each kind named with --gpu
  bool named = false;                 // GPUs were named: `placement.fits` is the verdict
  std::vector<const GpuSpec*> group;  // the named group, one entry per GPU (empty: none named)
  Placement placement;
  Bytes reserve;  // per GPU (--reserve)
};

// One estimate with its fit against the GPUs shown.
struct EstimateView {
  Estimate estimate;
  GpuView gpus;
};

// The rules of thumb's whole analysis of a bare parameter count.
struct AnalysisView {
  ModelRef model;
  OverheadRange overhead;
  std::vector<EstimateView> inference;  // FP32, FP16/BF16, INT8, INT4
  EstimateView train;
  EstimateView lora;
  std::vector<Saving> savings;
  bool gpus_named = false;
};

// What vLLM does with a GPU: it claims gpu_memory_utilization of it up front and fills what the
// model does not use with KV cache pages.
struct VllmReservation {
  const GpuSpec* gpu = nullptr;
  Bytes reserved;               // utilization x memory, claimed at start-up whatever the load
  Bytes kv_pool;                // reserved minus weights, activation peak and runtime (0 if negative)
  std::uint64_t kv_tokens = 0;  // tokens the pool holds (all sequences together)
};

// A detailed estimate from the architecture.
struct DetailedView {
  DetailedInference result;
  std::string hf_id;
  std::vector<std::string> warnings;  // where the answer is an approximation (an unknown family)
  Engine engine = Engine::transformers;
  std::vector<std::string> defaults;  // the defaults this estimate used, stated in the output
  Estimate rule;                      // the rule of thumb for the same model, shown beside it
  GpuView gpus;                       // what goes on the GPUs (with -ngl, only the offloaded part)
  std::optional<Bytes> offload_host;  // llama.cpp -ngl / --n-cpu-moe: what stays in RAM
  std::vector<VllmReservation> vllm;  // one per GPU named, for --engine vllm
};

// A detailed training estimate (per GPU), with the levers re-estimated for this model.
struct TrainingView {
  TrainingResult result;
  TrainingOptions options;
  std::string hf_id;
  std::vector<std::string> warnings;
  std::vector<std::string> defaults;
  Estimate rule;  // the rule of thumb for the same model and mode
  std::vector<Lever> levers;
  GpuView gpus;  // the plan's GPUs: each holds the per-GPU estimate
  std::uint64_t grad_accum = 1;
};

// `vramest fit`: the request's verdict and every answer about the GPU group.
struct ChartSeries {
  std::string label;          // a weight format
  std::vector<Bytes> totals;  // one per chart context; group total
};

struct FitView {
  ModelRef model;
  std::string hf_id;
  std::vector<std::string> warnings;
  Engine engine = Engine::transformers;
  std::string format;
  std::vector<std::string> defaults;
  std::vector<std::string> readings;  // how ambiguous spellings were read
  std::vector<const GpuSpec*> gpus;   // the group, one entry per GPU
  Bytes capacity;                     // the group's memory (driver totals)
  Bytes reserve;                      // per GPU
  std::uint64_t context = 0;
  std::uint64_t batch = 1;
  Components request;   // the request's components
  Placement placement;  // the request on the group
  bool fits = false;
  std::uint64_t max_context = 0;        // at `batch`
  std::uint64_t trained_context = 0;    // the model's max_position_embeddings (0: unknown)
  std::uint64_t max_batch = 0;          // at `context`
  std::string best_format;              // empty: none fits
  GpuFit fewest;                        // of the group's first kind (count 0: none)
  std::optional<LayerOffload> offload;  // llama.cpp
  std::optional<SpeedBounds> speed;
  std::uint64_t prompt = 0;
  std::vector<std::uint64_t> chart_contexts;
  std::vector<ChartSeries> chart;
};

std::string inspect_text(const ModelFile& file, std::uint64_t top, const Style& style);
std::string inspect_json(const ModelFile& file, std::uint64_t top);

std::string fit_text(const FitView& view, const Style& style, bool chart);
std::string fit_json(const FitView& view);

std::string estimate_text(const EstimateView& view, const Style& style);
std::string training_text(const TrainingView& view, const Style& style);
std::string training_json(const TrainingView& view);
std::string detailed_text(const DetailedView& view, const Style& style);
std::string detailed_json(const DetailedView& view);
std::string models_text(const std::vector<ModelEntry>& models, const Style& style);
std::string models_json(const std::vector<ModelEntry>& models);
std::string formats_text(const std::vector<std::pair<FormatInfo, std::optional<double>>>& formats,
                         const Style& style);
std::string formats_json(const std::vector<std::pair<FormatInfo, std::optional<double>>>& formats);
std::string analysis_text(const AnalysisView& view, const Style& style);
std::string gpus_text(const std::vector<GpuSpec>& gpus, const Style& style);

std::string estimate_json(const EstimateView& view);
std::string estimates_json(const std::vector<EstimateView>& views);
std::string analysis_json(const AnalysisView& view);
std::string gpus_json(const std::vector<GpuSpec>& gpus);
std::string error_json(const Error& error);

// "33.6 GB" / "31.29 GiB": up to two decimals, trailing zeros dropped.
std::string format_amount(Bytes amount, DisplayUnit unit);

}  // namespace vramest::report
