// fit.hpp — what fits: the largest context, the largest batch, the best weight format, the
// fewest GPUs, and for llama.cpp how many layers (or MoE experts) stay on the GPU.
//
// Every answer is tight: the reported maximum fits and one more does not. Fitting splits memory
// the way the engine does across the GPUs of a group:
//  - vLLM (tensor parallelism): weights, KV cache and activations divide evenly over the N GPUs,
//    so the smallest GPU bounds the group; the runtime repeats on each;
//  - llama.cpp and transformers (layers split by free memory: llama.cpp --tensor-split,
//    accelerate's device_map="auto"): weights and KV cache divide in proportion to each GPU's
//    room; each GPU holds its own compute buffer or activation peak and runtime.
//
//   GpuGroup group{{&rtx4090, &rtx3090}, Bytes{0}};
//   std::uint64_t tokens = max_context(plan, 1, group);   // fits at tokens, not at tokens + 1
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vramest/gpu.hpp"
#include "vramest/inference.hpp"

namespace vramest {

struct GpuGroup {
  std::vector<const GpuSpec*> gpus;  // one entry per GPU (repeat a spec for N of a kind)
  Bytes reserve;                     // per GPU: a display, other processes (--reserve)
};

// The largest context and batch any flag accepts or any search tries: beyond, a typo.
inline constexpr std::uint64_t kMaxSearchContext = 100'000'000;  // tokens
inline constexpr std::uint64_t kMaxSearchBatch = 1'000'000;      // sequences

// Whether these components fit the group, split as the engine splits them.
inline bool fits_group(const Components& c, Engine engine, const GpuGroup& group) {
  if (group.gpus.empty()) return false;
  const std::uint64_t n = group.gpus.size();
  if (engine == Engine::vllm) {
    Bytes smallest = group.gpus.front()->memory;
    for (const GpuSpec* gpu : group.gpus) smallest = std::min(smallest, gpu->memory);
    const Bytes fixed = c.runtime + group.reserve;
    if (fixed >= smallest) return false;
    const std::uint64_t sharded = (c.weights + c.kv_cache + c.activations).count;
    return ceil_div(sharded, n) <= (smallest - fixed).count;
  }
  // Layer split: each GPU keeps its runtime and its own activation buffer.
  const Bytes fixed = c.runtime + c.activations + group.reserve;
  std::uint64_t room = 0;
  for (const GpuSpec* gpu : group.gpus) {
    if (gpu->memory <= fixed) return false;
    room = checked_add(room, (gpu->memory - fixed).count);
  }
  return (c.weights + c.kv_cache).count <= room;
}

// A size past 2^64 bytes (the search's upper probes, 100M tokens x a large batch) fits nowhere.
inline bool plan_fits(const InferencePlan& plan, std::uint64_t context, std::uint64_t batch, const GpuGroup& group) {
  try {
    return fits_group(inference_components(plan, context, batch), plan.options.engine, group);
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
  return fit_detail::largest_fitting(limit, [&](std::uint64_t c) { return plan_fits(plan, c, batch, group); });
}

// The most concurrent sequences of `context` tokens (0: not even one fits).
inline std::uint64_t max_batch(const InferencePlan& plan, std::uint64_t context, const GpuGroup& group,
                               std::uint64_t limit = kMaxSearchBatch) {
  return fit_detail::largest_fitting(limit, [&](std::uint64_t b) { return plan_fits(plan, context, b, group); });
}

// Weight formats from best quality to smallest, per engine: what a user would try in turn.
inline std::vector<std::string> format_ladder(Engine engine) {
  switch (engine) {
    case Engine::llamacpp:
      return {"f16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_k_s", "iq4_xs", "q3_k_m", "iq3_xxs", "q2_k", "iq2_xxs"};
    case Engine::vllm:
      return {"bf16", "fp8", "gptq-8bit-g128", "awq", "gptq"};
    case Engine::transformers:
      return {"bf16", "int8", "nf4", "nf4-dq"};
  }
  return {};
}

// A tensor-parallel degree vLLM accepts: it must divide the attention and KV heads.
inline bool valid_tensor_parallel(const ModelArch& arch, std::uint64_t n) {
  return arch.heads % n == 0 && (arch.mla || arch.kv_heads % n == 0 || n % arch.kv_heads == 0);
}

// The fewest GPUs of one kind that hold the plan at this context and batch (0: none up to
// `limit`). vLLM needs a tensor-parallel degree that divides the heads.
inline std::uint64_t fewest_gpus(const InferencePlan& plan, std::uint64_t context, std::uint64_t batch,
                                 const GpuSpec& gpu, Bytes reserve, std::uint64_t limit = 64) {
  const Components c = inference_components(plan, context, batch);
  for (std::uint64_t n = 1; n <= limit; ++n) {
    if (plan.options.engine == Engine::vllm && !valid_tensor_parallel(*plan.arch, n)) continue;
    const GpuGroup group{std::vector<const GpuSpec*>(n, &gpu), reserve};
    if (fits_group(c, plan.options.engine, group)) return n;
  }
  return 0;
}

// llama.cpp partial offload (-ngl): layers assigned to the GPU from the last one down, the output
// layer with them once every layer is on the GPU; what stays on the CPU needs RAM.
struct LayerOffload {
  std::uint64_t gpu_layers = 0;   // -ngl: up to layers + 1 (the output layer)
  std::uint64_t total_layers = 0;
  Bytes gpu_bytes;                // weights + KV + compute buffer + runtime on the GPU
  Bytes host_bytes;               // weights and KV cache left in CPU RAM (and the embedding)
  // MoE: with every layer's attention and shared parts on the GPU, the routed experts of this
  // many layers stay in CPU RAM (llama.cpp --n-cpu-moe); unset for dense models.
  std::optional<std::uint64_t> cpu_moe_layers;
  Bytes cpu_moe_host_bytes;
};

inline LayerOffload llamacpp_offload(const InferencePlan& plan, std::uint64_t context, std::uint64_t batch,
                                     const GpuGroup& group) {
  const ModelArch& arch = *plan.arch;
  const std::uint64_t layers = arch.layer_count();
  std::vector<std::uint64_t> layer_weights(layers, 0);
  std::vector<std::uint64_t> layer_experts(layers, 0);
  std::uint64_t output = 0;  // the output head (or the tied embedding's GPU copy) and final norm
  for (const TensorShape& t : model_tensors(arch)) {
    const std::uint64_t bytes = tensor_storage(plan.format, arch, t).bytes;
    if (t.layer >= 0) {
      layer_weights[static_cast<std::size_t>(t.layer)] += bytes;
      if (t.ne2 > 1) layer_experts[static_cast<std::size_t>(t.layer)] += bytes;
    } else if (t.role == TensorRole::output || t.role == TensorRole::output_norm) {
      output += bytes;
    }
  }
  if (arch.tied_embeddings) output += plan.weights.embedding.count;
  const Components all = inference_components(plan, context, batch);
  const std::uint64_t kv_per_layer = all.kv_cache.count / std::max<std::uint64_t>(1, layers);
  const Bytes fixed = all.activations + all.runtime;

  const auto gpu_need = [&](std::uint64_t ngl) {
    std::uint64_t need = 0;
    const std::uint64_t on_gpu = std::min(ngl, layers);
    for (std::uint64_t i = layers - on_gpu; i < layers; ++i) need += layer_weights[i] + kv_per_layer;
    if (ngl > layers) need += output;
    return Components{Bytes{need}, Bytes{0}, ngl == 0 ? Bytes{0} : fixed - all.runtime, Bytes{0}, Bytes{0}, all.runtime, Bytes{0}};
  };
  LayerOffload r;
  r.total_layers = layers;
  for (std::uint64_t ngl = layers + 1;; --ngl) {
    if (fits_group(gpu_need(ngl), Engine::llamacpp, group) || ngl == 0) {
      r.gpu_layers = ngl;
      break;
    }
  }
  const Components chosen = gpu_need(r.gpu_layers);
  r.gpu_bytes = chosen.sum();
  std::uint64_t host = plan.host_weights.count;
  for (std::uint64_t i = 0; i + std::min(r.gpu_layers, layers) < layers; ++i) host += layer_weights[i] + kv_per_layer;
  if (r.gpu_layers <= layers) host += output;
  r.host_bytes = Bytes{host};

  if (arch.moe) {
    // Everything on the GPU but the routed experts of the first N layers.
    std::uint64_t dense_part = output;
    for (std::uint64_t i = 0; i < layers; ++i) dense_part += layer_weights[i] - layer_experts[i] + kv_per_layer;
    for (std::uint64_t n = 0; n <= layers; ++n) {
      std::uint64_t experts_on_gpu = 0;
      for (std::uint64_t i = n; i < layers; ++i) experts_on_gpu += layer_experts[i];
      const Components c{Bytes{dense_part + experts_on_gpu}, Bytes{0}, all.activations, Bytes{0}, Bytes{0}, all.runtime, Bytes{0}};
      if (fits_group(c, Engine::llamacpp, group)) {
        r.cpu_moe_layers = n;
        std::uint64_t host_experts = 0;
        for (std::uint64_t i = 0; i < n; ++i) host_experts += layer_experts[i];
        r.cpu_moe_host_bytes = Bytes{plan.host_weights.count + host_experts};
        break;
      }
    }
  }
  return r;
}

}  // namespace vramest
