// inference.hpp — the detailed inference estimate: weights, KV cache, activations and runtime
// for one engine, from the model's architecture.
//
//   InferenceOptions opt;                       // defaults: transformers, 4096 x 1, bf16, fp16 KV
//   DetailedInference d = estimate_inference(arch, counts, parse_weight_format("q4_k_m"), opt);
//   d.estimate.total == d.estimate.components.sum();
//   InferencePlan plan = plan_inference(arch, counts, format, opt);   // for many contexts:
//   Components c = inference_components(plan, 32768, 4);              // no text, no allocation
//
// Sources for each term are given where it is computed. Activation terms are the peak of the
// live intermediate tensors of one forward pass (layers run one after another and reuse memory):
// the residual stream plus the larger of the attention block and the MLP block, plus the logits
// the engine materialises.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vramest/estimate.hpp"
#include "vramest/formats.hpp"
#include "vramest/kv_cache.hpp"
#include "vramest/model.hpp"
#include "vramest/units.hpp"

namespace vramest {

struct InferenceOptions {
  Engine engine = Engine::transformers;
  std::uint64_t context = 4096;
  std::uint64_t batch = 1;
  std::string kv_dtype;         // K (and V) cache type; empty: fp16 for llama.cpp, bf16 otherwise
  std::string kv_v_dtype;       // V cache type (llama.cpp -ctv); empty: as K
  std::uint64_t ubatch = 512;   // llama.cpp -ub (default 512)
  bool flash_attention = true;  // llama.cpp -fa (auto: on where supported)
  std::uint64_t max_num_batched_tokens = 2048;          // vLLM scheduler token budget (vllm_serve_defaults)
  std::uint64_t max_num_seqs = 256;                     // vLLM concurrent sequences
  std::uint32_t gpu_memory_utilization_permille = 900;  // vLLM default 0.9
};

// `vllm serve` scheduler defaults (vllm/engine/arg_utils.py, EngineArgs.get_batch_defaults):
// 8192 batched tokens and 1024 sequences on GPUs of at least 70 GiB other than the A100, 2048
// and 256 elsewhere (and when no GPU is named).
struct VllmBatchDefaults {
  std::uint64_t max_num_batched_tokens;
  std::uint64_t max_num_seqs;
};

inline VllmBatchDefaults vllm_serve_defaults(Bytes gpu_memory, std::string_view gpu_id) {
  const bool large = gpu_memory.count >= 70 * kGiB && gpu_id.rfind("a100", 0) != 0;
  return large ? VllmBatchDefaults{8192, 1024} : VllmBatchDefaults{2048, 256};
}

// Runtime memory outside the tensor allocator, with where each constant comes from.
struct RuntimePart {
  std::string name;
  Bytes bytes;
  std::string source;
};

struct DetailedInference {
  Estimate estimate;
  WeightBreakdown weights;
  Bytes host_weights;  // weights the engine keeps in CPU memory (llama.cpp's token embedding)
  KvCacheResult kv;
  std::string kv_dtype;
  std::string activation_basis;
  std::vector<RuntimePart> runtime;
  std::vector<std::string> notes;
};

// PyTorch PR #86509: the CUDA context of a PyTorch process with lazy module loading (default since
// CUDA 12.2) measured 287 MB (667 MB without lazy loading).
inline constexpr std::uint64_t kCudaContextTorchBytes = 287'000'000;
// cuBLAS + cuBLASLt workspaces: CUBLAS_WORKSPACE_CONFIG default ":4096:2:16:8" (2 x 4 MiB + 8 x
// 16 KiB) plus PyTorch's 4 MiB cuBLASLt workspace on sm80+ (PyTorch PR #120925).
inline constexpr std::uint64_t kCublasWorkspaceBytes = 2 * 4 * kMiB + 8 * 16 * kKiB + 4 * kMiB;

// PyTorch's caching allocator (c10/cuda/CUDACachingAllocator.cpp) rounds every allocation above
// 10 MiB up to a multiple of 2 MiB and carves 1-10 MiB ones from 20 MiB segments; each weight
// tensor is its own allocation when a checkpoint loads, so the rounding adds up per tensor.
inline std::uint64_t torch_allocator_rounding(std::uint64_t bytes) {
  if (bytes <= 10 * kMiB) return 0;
  return round_up(bytes, 2 * kMiB) - bytes;
}

namespace inference_detail {

// Live bytes of the widest point of one layer's forward pass for `tokens` tokens, at
// `bytes_per_value` per activation value: the residual stream (2 copies: input and normed) plus
// the larger of attention (q, k, v, output) and MLP (gate, up, their product) intermediates.
inline std::uint64_t layer_peak(const ModelArch& arch, std::uint64_t tokens, std::uint64_t bytes_per_value) {
  const std::uint64_t residual = 2 * arch.hidden;
  std::uint64_t attention = 0;
  if (arch.mla) {
    const MlaSpec& m = *arch.mla;
    attention = arch.heads * (2 * (m.qk_nope_head_dim + m.qk_rope_head_dim) + 2 * m.v_head_dim);
  } else {
    attention = (2 * arch.heads + 2 * arch.kv_heads) * arch.head_dim;
  }
  // A recurrent mixer's widest point: its input projection's output.
  for (const LayerSpec& layer : arch.layers)
    attention = std::max(attention, mixer_projection_width(arch, layer.mixer));
  std::uint64_t mlp = 0;
  for (const LayerSpec& layer : arch.layers) {
    // A MoE layer runs one expert's batch at a time (worst case: all tokens pick it) plus the
    // shared expert and the router logits (fp32).
    const std::uint64_t width =
        layer.moe ? arch.moe->expert_intermediate + arch.moe->shared_intermediate : layer.dense_intermediate;
    const std::uint64_t routing = layer.moe ? 4 * arch.moe->experts / bytes_per_value : 0;
    mlp = std::max(mlp, 3 * width + routing);
  }
  return checked_mul(checked_mul(tokens, residual + std::max(attention, mlp)), bytes_per_value);
}

}  // namespace inference_detail

// The parts of an inference estimate that do not depend on context or batch: weights, runtime,
// the cache type. Planners and sweeps prepare once and evaluate many contexts and batches.
struct InferencePlan {
  const ModelArch* arch = nullptr;
  ModelRef model;
  WeightFormat format;
  InferenceOptions options;  // engine and its knobs; context and batch are given per evaluation
  WeightBreakdown weights;
  Bytes device_weights;
  Bytes host_weights;
  std::uint64_t dequant_transient = 0;  // bitsandbytes: one layer's weight in 16 bits
  std::vector<RuntimePart> runtime;
  Bytes runtime_total;
  const KvDtype* kv_dtype = nullptr;
  const KvDtype* kv_v_dtype = nullptr;  // V, where it differs from K
};

// `arch` must outlive the plan. `stored`: the exact bytes of a model file's tensors, which
// replace the format's computed sizes.
inline InferencePlan plan_inference(const ModelArch& arch, const ModelRef& model, const WeightFormat& format,
                                    const InferenceOptions& opt, const WeightBreakdown* stored = nullptr) {
  InferencePlan p;
  p.arch = &arch;
  p.model = model;
  p.format = format;
  p.options = opt;

  // Weights, exactly, tensor by tensor.
  p.weights = stored != nullptr ? *stored : weight_breakdown(arch, format);
  p.device_weights = p.weights.total;
  if (opt.engine == Engine::llamacpp) {
    // llama.cpp keeps the input embedding on the CPU (a row gather); a tied model loads a copy of
    // it as the output tensor on the GPU (src/llama-model.cpp, load_tensors).
    p.host_weights = p.weights.embedding;
    p.device_weights = p.weights.total - p.weights.embedding;
    if (arch.tied_embeddings) p.device_weights += p.weights.embedding;
  }

  const std::string default_kv = opt.engine == Engine::llamacpp ? "fp16" : "bf16";
  p.kv_dtype = &find_kv_dtype(!opt.kv_dtype.empty() ? opt.kv_dtype : default_kv);
  p.kv_v_dtype = &find_kv_dtype(!opt.kv_v_dtype.empty() ? opt.kv_v_dtype
                                : !opt.kv_dtype.empty() ? opt.kv_dtype
                                                        : default_kv);
  for (const KvDtype* d : {p.kv_dtype, p.kv_v_dtype}) {
    if (opt.engine == Engine::llamacpp && d->id == "fp8") {
      throw Error(ErrorCode::invalid_value, "llama.cpp has no fp8 KV cache", "use --kv-dtype q8_0 or q4_0");
    }
    if (opt.engine != Engine::llamacpp && d->block_elements > 1) {
      throw Error(ErrorCode::invalid_value, std::string(d->id) + " KV cache is llama.cpp's",
                  "use --engine llamacpp, or --kv-dtype fp8 for vLLM");
    }
  }
  if (p.kv_v_dtype == p.kv_dtype) p.kv_v_dtype = nullptr;

  const std::vector<TensorShape> tensors = model_tensors(arch);
  if (opt.engine == Engine::transformers &&
      (format.kind == FormatKind::nf4 || format.kind == FormatKind::int8)) {
    // bitsandbytes dequantizes one layer's weight to 16 bits for each matmul (transient).
    for (const TensorShape& t : tensors) {
      if (format_detail::is_block_linear(t.role))
        p.dequant_transient = std::max(p.dequant_transient, 2 * t.ne0 * t.ne1);
    }
  }

  // Runtime: memory outside the tensor allocator.
  if (opt.engine == Engine::llamacpp) {
    p.runtime.push_back({"CUDA context", Bytes{kCudaContextTorchBytes},
                         "CUDA 12 lazy-loading context (PyTorch PR #86509 measured 287 MB)"});
  } else {
    p.runtime.push_back(
        {"CUDA context", Bytes{kCudaContextTorchBytes}, "PyTorch PR #86509: 287 MB with lazy loading"});
    p.runtime.push_back({"cuBLAS workspaces", Bytes{kCublasWorkspaceBytes},
                         "CUBLAS_WORKSPACE_CONFIG default + cuBLASLt 4 MiB (PyTorch PR #120925)"});
    std::uint64_t rounding = 0;
    for (const TensorShape& t : tensors)
      rounding += torch_allocator_rounding(tensor_storage(format, arch, t).bytes);
    p.runtime.push_back(
        {"allocator rounding", Bytes{rounding},
         "caching allocator rounds allocations above 10 MiB to 2 MiB (CUDACachingAllocator.cpp)"});
  }
  for (const RuntimePart& part : p.runtime) p.runtime_total += part.bytes;
  return p;
}

// Activation peak for this context and batch (see the engine notes below).
inline Bytes inference_activations(const InferencePlan& p, std::uint64_t context, std::uint64_t batch,
                                   std::uint64_t kv_cells) {
  using inference_detail::layer_peak;
  const ModelArch& arch = *p.arch;
  const InferenceOptions& opt = p.options;
  const std::uint64_t tokens = checked_mul(context, batch);
  switch (opt.engine) {
    case Engine::transformers: {
      // generate() prefills the whole prompt in one forward (no chunking); attention runs in
      // SDPA/flash kernels without a T x T score matrix; only the last position's logits are
      // computed (logits_to_keep, transformers PR #31292) and upcast to fp32.
      const std::uint64_t logits = checked_mul(batch, arch.vocab) * 4;
      return Bytes{layer_peak(arch, tokens, 2) + logits + p.dequant_transient};
    }
    case Engine::vllm: {
      // The profile run pushes max_num_batched_tokens tokens through the model, then a dummy
      // sampler pass over max_num_seqs sequences that holds logits, probs and logprobs in fp32
      // (vllm/v1/worker/gpu_worker.py determine_available_memory; the sampler's softmax and
      // log_softmax run in float32).
      const std::uint64_t step = std::min(opt.max_num_batched_tokens, checked_mul(context, opt.max_num_seqs));
      const std::uint64_t sampler = checked_mul(checked_mul(opt.max_num_seqs, arch.vocab), 3 * 4);
      return Bytes{layer_peak(arch, step, 2) + sampler};
    }
    case Engine::llamacpp: {
      // The compute buffer is reserved for a worst-case graph of n_ubatch tokens against a full
      // cache; ggml keeps activations in f32 and reuses buffers across layers. Its largest
      // pieces: logits for every ubatch token (n_vocab x n_ubatch x 4 B), the layer peak, and
      // without flash attention the KQ scores (n_kv x n_ubatch x n_head x 4 B).
      const std::uint64_t ub = std::min(opt.ubatch, tokens);
      const std::uint64_t logits = checked_mul(checked_mul(ub, arch.vocab + arch.hidden), 4);
      std::uint64_t attention_scores = 0;
      if (!opt.flash_attention) {  // KQ (softmax in place) plus q, k, v and the attention output
        attention_scores = checked_mul(checked_mul(kv_cells, ub), arch.heads) * 4 +
                           checked_mul(ub, (2 * arch.heads + 2 * arch.kv_heads) * arch.head_dim) * 4;
      }
      return Bytes{std::max({logits, layer_peak(arch, ub, 4), attention_scores})};
    }
  }
  return Bytes{0};
}

// The components at one context and batch, without any text: the fast path.
inline Components inference_components(const InferencePlan& p, std::uint64_t context, std::uint64_t batch) {
  if (context == 0) throw Error(ErrorCode::invalid_value, "context must be at least 1 token");
  if (batch == 0) throw Error(ErrorCode::invalid_value, "batch must be at least 1 sequence");
  const KvCacheResult kv = kv_cache_sizes(*p.arch, *p.kv_dtype, p.options.engine,
                                          {context, batch, p.options.ubatch}, p.kv_v_dtype);
  Components c;
  c.weights = p.device_weights;
  c.kv_cache = kv.bytes;
  c.activations = inference_activations(p, context, batch, kv.cells);
  c.runtime = p.runtime_total;
  return c;
}

// The full result at one context and batch, with the text that explains it.
inline DetailedInference evaluate_inference(const InferencePlan& p, std::uint64_t context,
                                            std::uint64_t batch) {
  const ModelArch& arch = *p.arch;
  const InferenceOptions& opt = p.options;
  DetailedInference d;
  Estimate& e = d.estimate;
  e.model = p.model;
  e.mode = Mode::inference;
  e.method = Method::detailed;
  e.precision = p.format.id;
  e.context = context;
  e.batch = batch;
  e.components = inference_components(p, context, batch);
  d.weights = p.weights;
  d.host_weights = p.host_weights;
  d.kv_dtype = std::string(p.kv_dtype->id) + (p.kv_v_dtype ? "/" + std::string(p.kv_v_dtype->id) : "");
  d.kv = kv_cache(arch, *p.kv_dtype, opt.engine, {context, batch, opt.ubatch}, p.kv_v_dtype);
  d.runtime = p.runtime;
  const std::uint64_t tokens = checked_mul(context, batch);
  switch (opt.engine) {
    case Engine::transformers:
      d.activation_basis = "prefill of " + std::to_string(tokens) +
                           " tokens through one layer + last-token logits (fp32)" +
                           (p.dequant_transient ? " + one dequantized weight" : "");
      break;
    case Engine::vllm:
      d.activation_basis =
          "profile run: " +
          std::to_string(std::min(opt.max_num_batched_tokens, checked_mul(context, opt.max_num_seqs))) +
          " batched tokens through one layer + sampler over " + std::to_string(opt.max_num_seqs) +
          " sequences (fp32 logits, probs, logprobs)";
      break;
    case Engine::llamacpp:
      d.activation_basis =
          "compute buffer for a " + std::to_string(std::min(opt.ubatch, tokens)) + "-token ubatch" +
          (opt.flash_attention ? " with flash attention" : " without flash attention (KQ scores)");
      break;
  }
  e.total = e.components.sum();
  e.low = e.high = e.total;
  e.basis = "weights + KV cache + activations + runtime, from the architecture (" +
            std::string(engine_name(opt.engine)) + ")";
  return d;
}

inline DetailedInference estimate_inference(const ModelArch& arch, const ModelRef& model,
                                            const WeightFormat& format, const InferenceOptions& opt) {
  return evaluate_inference(plan_inference(arch, model, format, opt), opt.context, opt.batch);
}

}  // namespace vramest
