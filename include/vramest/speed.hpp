// speed.hpp — upper bounds on how fast a plan runs: decode tokens per second from memory
// bandwidth, prefill time from compute, and the time to the first token.
//
// Decode is memory-bound: each step streams every weight it needs once, plus the KV cache of
// every sequence (formulas.md section 9; e.g. Llama-3.1-8B bf16 on an H100 SXM: <= 209 tok/s).
// Embedding rows are a gather and are not counted; a MoE step reads the attention, shared and
// router weights and the experts the batch selects (E x (1 - (1 - k/E)^B) under uniform
// routing). Prefill is compute-bound: 2 x active parameters per token plus attention's
// 2 x layers x d_attn x T^2 for a causal prompt of T tokens (Kaplan et al. 2020 section 2.1 count
// the forward as 2N + 2 n_layer n_ctx d_attn per token). Real systems reach 60-85% of these.
//
//   SpeedBounds s = speed_bounds(plan, 8192, 1, 8192, rtx4090, 1);
//   s.decode_tokens_per_s;   // per sequence
#pragma once

#include <cmath>
#include <cstdint>

#include "vramest/gpu.hpp"
#include "vramest/inference.hpp"

namespace vramest {

struct SpeedBounds {
  double bytes_per_step = 0;                 // weights read + KV read, one decode step of the batch
  double decode_tokens_per_s = 0;            // per sequence
  double decode_aggregate_tokens_per_s = 0;  // all sequences together
  double prefill_flops = 0;                  // for the prompt
  double prefill_seconds = 0;                // 0 when the GPU's compute is unknown
  double ttft_seconds = 0;                   // prefill + one decode step
  bool compute_known = false;
};

// `gpus` GPUs of this kind working in tensor parallel: bandwidth and compute add up.
inline SpeedBounds speed_bounds(const InferencePlan& plan, std::uint64_t context, std::uint64_t batch,
                                std::uint64_t prompt_tokens, const GpuSpec& gpu, std::uint64_t gpus) {
  const ModelArch& arch = *plan.arch;
  SpeedBounds s;
  if (gpu.bandwidth_gb_s <= 0 || gpus == 0) return s;  // a user's GPU without a bandwidth: no bound
  // Weights read per step: everything on the device but the embedding gather (a tied model's
  // embedding is read in full as the output head).
  double weights = static_cast<double>(plan.weights.total.count);
  if (!arch.tied_embeddings) weights -= static_cast<double>(plan.weights.embedding.count);
  if (arch.moe) {
    const double experts = static_cast<double>(plan.weights.routed_experts.count);
    const double share =
        static_cast<double>(arch.moe->experts_per_token) / static_cast<double>(arch.moe->experts);
    const double selected = 1.0 - std::pow(1.0 - share, static_cast<double>(batch));
    weights = weights - experts + experts * selected;
  }
  const double kv = static_cast<double>(inference_components(plan, context, batch).kv_cache.count);
  s.bytes_per_step = weights + kv;
  const double bandwidth = gpu.bandwidth_gb_s * 1e9 * static_cast<double>(gpus);
  s.decode_tokens_per_s = bandwidth / s.bytes_per_step;
  s.decode_aggregate_tokens_per_s = s.decode_tokens_per_s * static_cast<double>(batch);

  // Matmul parameters: the active ones less the embedding gather (a tied embedding is also the
  // output head, so it stays).
  const double matmul_params = static_cast<double>(plan.model.active_params) -
                               (arch.tied_embeddings ? 0.0 : static_cast<double>(arch.vocab * arch.hidden));
  const double d_attn = static_cast<double>(
      arch.heads * (arch.mla ? arch.mla->qk_nope_head_dim + arch.mla->qk_rope_head_dim : arch.head_dim));
  const double t = static_cast<double>(prompt_tokens) * static_cast<double>(batch);
  s.prefill_flops = 2.0 * matmul_params * t + 2.0 * static_cast<double>(arch.layer_count()) * d_attn *
                                                  static_cast<double>(prompt_tokens) *
                                                  static_cast<double>(prompt_tokens) *
                                                  static_cast<double>(batch);
  if (gpu.bf16_tflops_dense) {
    s.compute_known = true;
    s.prefill_seconds = s.prefill_flops / (*gpu.bf16_tflops_dense * 1e12 * static_cast<double>(gpus));
    s.ttft_seconds = s.prefill_seconds + 1.0 / s.decode_tokens_per_s;
  }
  return s;
}

}  // namespace vramest
