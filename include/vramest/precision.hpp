// precision.hpp — weight storage formats as exact bytes per block of weights.
//
// A format stores `block_weights` weights in `block_bytes` bytes, so sizes stay integers even for
// sub-byte formats (int4: 2 weights per byte). The rules of thumb's table (bytes per parameter: FP32 4,
// FP16/BF16 2, INT8 1, INT4 0.5) is reproduced exactly:
//
//   const Precision& p = find_precision("int4");
//   std::uint64_t bytes = weight_bytes(14'000'000'000, p);   // 7'000'000'000
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/suggest.hpp"
#include "vramest/units.hpp"

namespace vramest {

struct Precision {
  std::string_view id;     // as typed on the command line and written in JSON
  std::string_view label;  // as shown in text output
  std::uint64_t block_weights;
  std::uint64_t block_bytes;
  bool trainable;  // a format full fine-tuning can keep weights and gradients in
};

// The rules of thumb's bytes per parameter (FP32 4, FP16/BF16 2, INT8 1, INT4 0.5); fp8 is
// one byte per weight (E4M3/E5M2, OCP FP8 spec) before per-tensor scales.
inline constexpr std::array<Precision, 6> kRulePrecisions{{
    {"fp32", "FP32", 1, 4, true},
    {"fp16", "FP16", 1, 2, true},
    {"bf16", "BF16", 1, 2, true},
    {"fp8", "FP8", 1, 1, false},
    {"int8", "INT8", 1, 1, false},
    {"int4", "INT4", 2, 1, false},
}};

// The four rows of the rules of thumb's worked example, in its order (FP16 stands for FP16/BF16).
inline constexpr std::array<std::string_view, 4> kRulePrecisionIds{"fp32", "fp16", "int8", "int4"};

inline std::vector<std::string> precision_ids() {
  std::vector<std::string> ids;
  for (const Precision& p : kRulePrecisions) ids.emplace_back(p.id);
  return ids;
}

inline const Precision& find_precision(std::string_view name) {
  const std::string lower = to_lower(name);
  for (const Precision& p : kRulePrecisions) {
    if (p.id == lower) return p;
  }
  throw Error(ErrorCode::invalid_value, "unknown precision '" + std::string(name) + "'",
              did_you_mean(name, precision_ids()).empty() ? "known: fp32, fp16, bf16, fp8, int8, int4, all"
                                                          : did_you_mean(name, precision_ids()));
}

// Bytes to store `params` weights, rounded up to whole bytes.
inline std::uint64_t weight_bytes(std::uint64_t params, const Precision& p) {
  return mul_div_ceil(params, p.block_bytes, p.block_weights);
}

}  // namespace vramest
