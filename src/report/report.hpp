// report.hpp — what the shell renders: result structs in, text or one JSON document out.
//
// Commands build these structs from the core; rendering never computes an estimate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vramest/estimate.hpp"
#include "vramest/gpu.hpp"
#include "vramest/rule.hpp"

namespace vramest::report {

struct Style {
  DisplayUnit unit = DisplayUnit::gb;
  bool color = false;
};

// One estimate with its fit against the GPUs shown.
struct EstimateView {
  Estimate estimate;
  std::vector<GpuFit> fits;      // every catalog GPU, or those named with --gpu
  std::uint64_t gpus_requested = 1;
  bool gpus_named = false;       // --gpu was given: the fit table shows exactly those
  Bytes per_gpu;                 // what each requested GPU must hold
};

// The seed's whole analysis of a bare parameter count.
struct AnalysisView {
  ModelRef model;
  OverheadRange overhead;
  std::vector<EstimateView> inference;  // FP32, FP16/BF16, INT8, INT4
  EstimateView train;
  EstimateView lora;
  std::vector<Saving> savings;
  bool gpus_named = false;
};

std::string estimate_text(const EstimateView& view, const Style& style);
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
