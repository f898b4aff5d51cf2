// rule.hpp — the rules of thumb, reproduced exactly (the `rule` method).
//
// Source: "大模型显存占用量换算" ("Converting LLM GPU memory use"), a one-page Chinese article of
// rules of thumb for sizing GPU memory:
//   inference:        weights = params x bytes/param (FP32 4, FP16/BF16 2, INT8 1, INT4 0.5),
//                     memory to run = weights x 1.2 (low) to x 1.3 (high)
//   full fine-tuning: 12 bytes per parameter ("12 x params(B) GB"; 14B -> 168 GB)
//   LoRA:             50-60 GB for 14B, scaled linearly: 50/14 to 60/14 bytes per parameter
//   QLoRA:            the article gives no rule
//
//   Estimate e = rule_estimate({"14B", 14'000'000'000, ...}, Mode::inference,
//                              find_precision("fp16"), OverheadRange{});
//   // e.components.weights == 28e9, e.low == 33.6e9, e.high == 36.4e9
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/estimate.hpp"
#include "vramest/precision.hpp"
#include "vramest/units.hpp"

namespace vramest {

// The runtime multiplier as thousandths, so 1.2 and 1.3 stay exact.
struct OverheadRange {
  std::uint32_t low_permille = 1200;
  std::uint32_t high_permille = 1300;
};

// 1200 -> "1.2", 1250 -> "1.25", 1000 -> "1".
inline std::string permille_text(std::uint32_t permille) {
  std::string text = std::to_string(permille / 1000);
  std::uint32_t rest = permille % 1000;
  if (rest != 0) {
    std::string decimals = std::to_string(rest + 1000).substr(1);
    while (decimals.back() == '0') decimals.pop_back();
    text += "." + decimals;
  }
  return text;
}

// Full fine-tuning: 12 bytes per parameter (the article: "训练显存占用 (GB) ≈ 12 × 模型参数量 (B)").
inline constexpr std::uint64_t kRuleTrainBytesPerParam = 12;
// LoRA: the article's 14B example needs 50-60 GB, i.e. 50/14 to 60/14 bytes per parameter.
inline constexpr std::uint64_t kRuleLoraLowGB = 50;
inline constexpr std::uint64_t kRuleLoraHighGB = 60;
inline constexpr std::uint64_t kRuleLoraReferenceParamsB = 14;

inline Estimate rule_estimate(const ModelRef& model, Mode mode, const Precision& precision,
                              OverheadRange overhead) {
  Estimate e;
  e.model = model;
  e.mode = mode;
  e.method = Method::rule;
  e.precision = std::string(precision.id);
  const std::uint64_t params = model.params;
  const Bytes weights{weight_bytes(params, precision)};
  e.components.weights = weights;

  switch (mode) {
    case Mode::inference:
      e.low = Bytes{mul_div_round(weights.count, overhead.low_permille, 1000)};
      e.high = Bytes{mul_div_round(weights.count, overhead.high_permille, 1000)};
      e.basis = "weights x " + permille_text(overhead.low_permille) + " to x " +
                permille_text(overhead.high_permille) + ": activations, KV cache, framework";
      break;
    case Mode::train:
      if (!precision.trainable) {
        throw Error(ErrorCode::invalid_value,
                    "full fine-tuning needs fp32, fp16 or bf16 weights, not " + std::string(precision.id),
                    "quantized bases are trained with --mode qlora");
      }
      e.low = e.high = Bytes{checked_mul(params, kRuleTrainBytesPerParam)};
      e.basis = "12 bytes per parameter (weights, gradients, Adam states, activations)";
      break;
    case Mode::lora:
      if (precision.id != "fp16" && precision.id != "bf16") {
        throw Error(ErrorCode::invalid_value,
                    "the LoRA rule of thumb assumes a 16-bit base, not " + std::string(precision.id),
                    "use -p bf16 or -p fp16; a 4-bit base is --mode qlora");
      }
      // 50 GB per 14B parameters = 50e9 / 14e9 bytes per parameter.
      e.low = Bytes{mul_div_round(params, kRuleLoraLowGB, kRuleLoraReferenceParamsB)};
      e.high = Bytes{mul_div_round(params, kRuleLoraHighGB, kRuleLoraReferenceParamsB)};
      e.basis = "50-60 GB for 14B parameters, scaled linearly";
      break;
    case Mode::qlora:
      throw Error(ErrorCode::invalid_value, "the rule method has no QLoRA rule: the rules of thumb give none",
                  "QLoRA needs the detailed method, which needs the model's architecture");
  }
  e.total = e.low;
  e.components.other = e.total - weights;
  return e;
}

// One of the rules of thumb's memory-saving techniques, with what it saves for this model where the rule
// method can say (saves_low/high unset where it cannot).
struct Saving {
  std::string technique;
  std::string scenario;
  std::optional<Bytes> saves_low;
  std::optional<Bytes> saves_high;
  std::string note;
};

// Per-GPU share when a need is split evenly over `gpus` devices (rounded up).
inline Bytes split_evenly(Bytes need, std::uint64_t gpus) { return Bytes{ceil_div(need.count, gpus)}; }

inline std::vector<Saving> rule_savings(const ModelRef& model, OverheadRange overhead) {
  const auto infer = [&](std::string_view id) {
    return rule_estimate(model, Mode::inference, find_precision(id), overhead);
  };
  const Estimate fp16 = infer("fp16");
  const Estimate int8 = infer("int8");
  const Estimate int4 = infer("int4");
  const Estimate train = rule_estimate(model, Mode::train, find_precision("bf16"), overhead);

  std::vector<Saving> savings;
  savings.push_back({"quantization", "FP16 -> INT8, memory to run", fp16.low - int8.low,
                     fp16.high - int8.high, "slight accuracy loss"});
  savings.push_back({"quantization", "FP16 -> INT4, memory to run", fp16.low - int4.low,
                     fp16.high - int4.high, "slight accuracy loss"});
  // Transformer Math 101 (EleutherAI, 2023): AdamW keeps 12 bytes/param (fp32 copy 4, m 4, v 4);
  // bitsandbytes 8-bit AdamW keeps 6 (fp32 copy 4, m 1, v 1): 6 bytes/param saved.
  const Bytes optimizer_saving{checked_mul(model.params, 6)};
  savings.push_back({"8-bit optimizer", "AdamW -> 8-bit AdamW (bitsandbytes), full fine-tuning",
                     optimizer_saving, optimizer_saving,
                     "Adam moments 8 -> 2 bytes per parameter (EleutherAI Transformer Math 101)"});
  savings.push_back({"gradient checkpointing", "recompute activations in the backward pass", std::nullopt,
                     std::nullopt, "needs the architecture: the rule method cannot separate activations"});
  const Bytes fp16_half = split_evenly(fp16.high, 2);
  savings.push_back({"model parallelism", "FP16 inference split over 2 GPUs (per GPU)",
                     fp16.low - split_evenly(fp16.low, 2), fp16.high - fp16_half,
                     "pipeline or layer split; each GPU holds half the layers"});
  const Bytes train_eighth = split_evenly(train.high, 8);
  savings.push_back({"tensor parallelism", "full fine-tuning split over 8 GPUs (per GPU)",
                     train.low - train_eighth, train.high - train_eighth,
                     "each layer's matrices split across GPUs; adds communication buffers"});
  return savings;
}

}  // namespace vramest
