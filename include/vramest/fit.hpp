// fit.hpp — what fits: the largest context, the largest batch, the best weight format, the
// fewest GPUs, and for llama.cpp how many layers (or MoE experts) stay on the GPU.
//
// Every answer is tight: the reported maximum fits and one more does not. Whether something fits
// a group is placement.hpp's answer (the engine's own split), the same one every command gives.
//
//   GpuGroup group{{&rtx4090, &rtx3090}, Bytes{0}};
//   std::uint64_t tokens = max_context(plan, 1, group);   // fits at tokens, not at tokens + 1
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vramest/inference.hpp"
#include "vramest/placement.hpp"

namespace vramest {

// The largest context and batch any flag accepts or any search tries: beyond, a typo.
inline constexpr std::uint64_t kMaxSearchContext = 100'000'000;  // tokens
inline constexpr std::uint64_t kMaxSearchBatch = 1'000'000;      // sequences

// The placement of a plan's components on the group, split as its engine splits them.
inline Placement place_plan(const InferencePlan& plan, const Components& c, const GpuGroup& group) {
  return place(c, shape_of(*plan.arch), split_policy(plan.options.engine), group);
}

// A size past 2^64 bytes (the search's upper probes, 100M tokens x a large batch) fits nowhere.
inline bool plan_fits(const InferencePlan& plan, std::uint64_t context, std::uint64_t batch,
                      const GpuGroup& group) {
  try {
    return place_plan(plan, inference_components(plan, context, batch), group).fits;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::invalid_value) return false;  // checked_mul/checked_add: overflow
    throw;
  }
}

namespace fit_detail {

// The largest x in [1, limit] with fits(x), assuming fits is monotone (true then false); 0 when
// even 1 does not fit.
template <typename Fits>
std::uint64_t largest_fitting(std::uint64_t limit, Fits fits) {
  if (!fits(1)) return 0;
  std::uint64_t lo = 1;  // fits
  std::uint64_t hi = limit;
  if (fits(hi)) return hi;
  while (hi - lo > 1) {  // invariant: fits(lo), !fits(hi)
    const std::uint64_t mid = lo + (hi - lo) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace fit_detail

// The largest context per sequence at `batch` sequences (0: not even one token fits).
inline std::uint64_t max_context(const InferencePlan& plan, std::uint64_t batch, const GpuGroup& group,
                                 std::uint64_t limit = kMaxSearchContext) {
  return fit_detail::largest_fitting(limit,
                                     [&](std::uint64_t c) { return plan_fits(plan, c, batch, group); });
}

// The most concurrent sequences of `context` tokens (0: not even one fits).
inline std::uint64_t max_batch(const InferencePlan& plan, std::uint64_t context, const GpuGroup& group,
                               std::uint64_t limit = kMaxSearchBatch) {
  return fit_detail::largest_fitting(limit,
                                     [&](std::uint64_t b) { return plan_fits(plan, context, b, group); });
}

// Weight formats from best quality to smallest, per engine: what a user would try in turn.
inline std::vector<std::string> format_ladder(Engine engine) {
  switch (engine) {
    case Engine::llamacpp:
      return {"f16",    "q8_0",   "q6_k",    "q5_k_m", "q4_k_m", "q4_k_s",
              "iq4_xs", "q3_k_m", "iq3_xxs", "q2_k",   "iq2_xxs"};
    case Engine::vllm: return {"bf16", "fp8", "gptq-8bit-g128", "awq", "gptq"};
    case Engine::transformers: return {"bf16", "int8", "nf4", "nf4-dq"};
  }
  return {};
}

// The fewest GPUs of one kind that hold the plan at this context and batch (count 0: none).
inline GpuFit fewest_gpus(const InferencePlan& plan, std::uint64_t context, std::uint64_t batch,
                          const GpuSpec& gpu, Bytes reserve) {
  return fewest_of_kind(inference_components(plan, context, batch), shape_of(*plan.arch),
                        split_policy(plan.options.engine), gpu, reserve);
}

// llama.cpp partial offload (-ngl): layers assigned to the GPU from the last one down, the output
// layer with them once every layer is on the GPU; what stays on the CPU needs RAM.
struct LayerOffload {
  std::uint64_t gpu_layers = 0;  // -ngl: up to layers + 1 (the output layer)
  std::uint64_t total_layers = 0;
  Bytes gpu_bytes;   // weights + KV + compute buffer + runtime on the GPU
  Bytes host_bytes;  // weights and KV cache left in CPU RAM (and the embedding)
  // MoE: with every layer's attention and shared parts on the GPU, the routed experts of this
  // many layers stay in CPU RAM (llama.cpp --n-cpu-moe); unset for dense models.
  std::optional<std::uint64_t> cpu_moe_layers;
  Bytes cpu_moe_host_bytes;
};

// What llama.cpp keeps on the GPU and in RAM with `ngl` layers offloaded (-ngl; layers + 1 puts
// the output layer on the GPU too) and the routed experts of the first `cpu_moe` layers kept in
// RAM (--n-cpu-moe), as src/llama-model.cpp assigns them: layers from the last one down.
struct LlamaSplit {
  Components gpu;
  Bytes host;
};

namespace fit_detail {

struct LlamaLayers {
  std::vector<std::uint64_t> weights;  // per layer, all its tensors
  std::vector<std::uint64_t> experts;  // per layer, its routed experts
  std::uint64_t output = 0;            // the output head (or the tied embedding's GPU copy) and final norm
};

inline LlamaLayers llama_layers(const InferencePlan& plan) {
  const ModelArch& arch = *plan.arch;
  LlamaLayers l;
  l.weights.assign(arch.layer_count(), 0);
  l.experts.assign(arch.layer_count(), 0);
  for (const TensorShape& t : model_tensors(arch)) {
    const std::uint64_t bytes = tensor_storage(plan.format, arch, t).bytes;
    if (t.layer >= 0) {
      l.weights[static_cast<std::size_t>(t.layer)] += bytes;
      if (t.ne2 > 1) l.experts[static_cast<std::size_t>(t.layer)] += bytes;
    } else if (t.role == TensorRole::output || t.role == TensorRole::output_norm) {
      l.output += bytes;
    }
  }
  if (arch.tied_embeddings) l.output += plan.weights.embedding.count;
  return l;
}

inline LlamaSplit llama_split(const InferencePlan& plan, const LlamaLayers& l, const Components& all,
                              std::uint64_t ngl, std::uint64_t cpu_moe) {
  const std::uint64_t layers = l.weights.size();
  const std::uint64_t kv_per_layer = all.kv_cache.count / std::max<std::uint64_t>(1, layers);
  const std::uint64_t on_gpu = std::min(ngl, layers);
  LlamaSplit s;
  std::uint64_t gpu_weights = 0;
  std::uint64_t gpu_kv = 0;
  std::uint64_t host = plan.host_weights.count;
  for (std::uint64_t i = 0; i < layers; ++i) {
    const bool gpu = i >= layers - on_gpu;
    const std::uint64_t experts_in_ram = i < cpu_moe ? l.experts[i] : 0;
    (gpu ? gpu_weights : host) += l.weights[i] - experts_in_ram;
    host += experts_in_ram;
    (gpu ? gpu_kv : host) += kv_per_layer;
  }
  (ngl > layers ? gpu_weights : host) += l.output;
  s.gpu = {Bytes{gpu_weights}, Bytes{gpu_kv}, ngl == 0 ? Bytes{0} : all.activations, {}, {}, all.runtime, {}};
  s.host = Bytes{host};
  return s;
}

}  // namespace fit_detail

inline LlamaSplit llamacpp_split(const InferencePlan& plan, std::uint64_t context, std::uint64_t batch,
                                 std::uint64_t ngl, std::uint64_t cpu_moe) {
  return fit_detail::llama_split(plan, fit_detail::llama_layers(plan),
                                 inference_components(plan, context, batch), ngl, cpu_moe);
}

inline LayerOffload llamacpp_offload(const InferencePlan& plan, std::uint64_t context, std::uint64_t batch,
                                     const GpuGroup& group) {
  using fit_detail::llama_split;
  const fit_detail::LlamaLayers l = fit_detail::llama_layers(plan);
  const std::uint64_t layers = l.weights.size();
  const Components all = inference_components(plan, context, batch);
  const auto fits = [&](const Components& c) { return place(c, {}, SplitPolicy::layer_split, group).fits; };
  LayerOffload r;
  r.total_layers = layers;
  for (std::uint64_t ngl = layers + 1;; --ngl) {
    if (ngl == 0 || fits(llama_split(plan, l, all, ngl, 0).gpu)) {
      r.gpu_layers = ngl;
      break;
    }
  }
  const LlamaSplit chosen = llama_split(plan, l, all, r.gpu_layers, 0);
  r.gpu_bytes = chosen.gpu.sum();
  r.host_bytes = chosen.host;
  if (plan.arch->moe) {
    // Everything on the GPU but the routed experts of the first N layers.
    for (std::uint64_t n = 0; n <= layers; ++n) {
      const LlamaSplit split = llama_split(plan, l, all, layers + 1, n);
      if (fits(split.gpu)) {
        r.cpu_moe_layers = n;
        r.cpu_moe_host_bytes = split.host;
        break;
      }
    }
  }
  return r;
}

}  // namespace vramest
