// training.hpp — memory of a training or fine-tuning step, per GPU, from the architecture.
//
// A step holds model states (weights, gradients, optimizer states), the activations stored for
// the backward pass, the logits and loss buffers, and the runtime:
//
//   TrainingOptions opt;                 // mixed precision AdamW, seq 4096 x micro-batch 1
//   opt.mode = Mode::lora;
//   TrainingResult r = estimate_training(arch, model, opt);
//   r.trainable_params;                  // Llama-3.1-8B, r=16 on q,v: 6,815,744
//
// Sources: model states and ZeRO partitioning from Rajbhandari et al. 2020 (ZeRO,
// arXiv:1910.02054, sections 3.1 and 5); optimizer state sizes from the optimizers' code
// (PyTorch AdamW, bitsandbytes 8-bit blockwise states with 256-value blocks); stored activations
// from Korthikanti et al. 2022 (arXiv:2205.05198, section 4) adapted to the model's real blocks;
// LoRA from Hu et al. 2021 (arXiv:2106.09685); QLoRA storage from Dettmers et al. 2023
// (arXiv:2305.14314) and PEFT's prepare_model_for_kbit_training.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/estimate.hpp"
#include "vramest/formats.hpp"
#include "vramest/inference.hpp"
#include "vramest/model.hpp"
#include "vramest/suggest.hpp"
#include "vramest/units.hpp"

namespace vramest {

// mixed: bf16 weights and gradients, fp32 master weights and optimizer states (the ZeRO paper's
// mixed precision); bf16: everything in bf16, optimizer states included; fp32: everything fp32.
enum class TrainingPrecision { mixed, bf16, fp32 };
enum class Optimizer { adamw, adamw_8bit, paged_adamw, paged_adamw_8bit, adafactor, sgd, sgd_momentum, lion };
enum class Checkpointing { none, selective, full };
enum class Offload { none, optimizer, params };

struct TrainingOptions {
  Mode mode = Mode::train;
  TrainingPrecision precision = TrainingPrecision::mixed;
  Optimizer optimizer = Optimizer::adamw;
  Checkpointing checkpointing = Checkpointing::none;
  std::uint64_t seq_len = 4096;
  std::uint64_t micro_batch = 1;
  bool flash_attention = true;
  std::uint64_t lora_rank = 16;
  std::vector<std::string> lora_targets{"q_proj", "v_proj"};  // PEFT's default for Llama-style models
  bool nf4_double_quant = true;                               // the QLoRA recipe
  // PEFT's prepare_model_for_kbit_training upcasts non-quantized parameters to fp32; FSDP-QLoRA
  // flows (bnb quant_storage bf16, Answer.AI's fsdp_qlora) keep them in bf16.
  bool kbit_upcast = true;
  std::uint64_t gpus = 1;
  int zero_stage = 0;  // 0 none, 1, 2, 3 (FSDP full = 3, grad-op = 2)
  std::uint64_t tp = 1;
  std::uint64_t pp = 1;
  Offload offload = Offload::none;
};

// A lever the user could pull, with what it saves per GPU for this model.
struct Lever {
  std::string name;
  Bytes saves;
  Bytes total_after;
};

struct TrainingResult {
  Estimate estimate;  // per GPU
  std::uint64_t trainable_params = 0;
  Bytes host;            // states offloaded to CPU RAM
  Bytes logits;          // part of activations: logits and loss buffers
  std::string dominant;  // the largest component
  std::vector<std::string> notes;
  std::vector<std::string> basis;  // one line per component: how it was computed
};

// ---- names ----------------------------------------------------------------------------------

inline std::string_view optimizer_name(Optimizer o) {
  switch (o) {
    case Optimizer::adamw: return "adamw";
    case Optimizer::adamw_8bit: return "adamw-8bit";
    case Optimizer::paged_adamw: return "paged-adamw";
    case Optimizer::paged_adamw_8bit: return "paged-adamw-8bit";
    case Optimizer::adafactor: return "adafactor";
    case Optimizer::sgd: return "sgd";
    case Optimizer::sgd_momentum: return "sgd-momentum";
    case Optimizer::lion: return "lion";
  }
  return "adamw";
}

inline std::string_view training_precision_name(TrainingPrecision p) {
  return p == TrainingPrecision::mixed ? "mixed" : p == TrainingPrecision::bf16 ? "bf16" : "fp32";
}

inline std::string_view checkpointing_name(Checkpointing c) {
  return c == Checkpointing::none ? "none" : c == Checkpointing::selective ? "selective" : "full";
}

// ---- LoRA -----------------------------------------------------------------------------------

namespace training_detail {

// The module names PEFT matches, by tensor role (Hugging Face's Llama-style names).
inline std::string_view hf_module_name(TensorRole role) {
  switch (role) {
    case TensorRole::attn_q: return "q_proj";
    case TensorRole::attn_k: return "k_proj";
    case TensorRole::attn_v: return "v_proj";
    case TensorRole::attn_output: return "o_proj";
    case TensorRole::attn_q_a: return "q_a_proj";
    case TensorRole::attn_q_b: return "q_b_proj";
    case TensorRole::attn_kv_a_mqa: return "kv_a_proj_with_mqa";
    case TensorRole::attn_kv_b: return "kv_b_proj";
    case TensorRole::ffn_gate:
    case TensorRole::ffn_gate_exps:
    case TensorRole::ffn_gate_shexp: return "gate_proj";
    case TensorRole::ffn_up:
    case TensorRole::ffn_up_exps:
    case TensorRole::ffn_up_shexp: return "up_proj";
    case TensorRole::ffn_down:
    case TensorRole::ffn_down_exps:
    case TensorRole::ffn_down_shexp: return "down_proj";
    default: return "";
  }
}

// "q" and "q_proj" both name q_proj; "all-linear" names every block linear layer (PEFT's
// all-linear excludes only the output head).
inline bool targeted(TensorRole role, const std::vector<std::string>& targets) {
  const std::string_view module = hf_module_name(role);
  if (module.empty()) return false;
  for (const std::string& target : targets) {
    const std::string t = to_lower(target);
    if (t == "all-linear" || t == module || t + "_proj" == module) return true;
  }
  return false;
}

}  // namespace training_detail

// Validates LoRA targets against the modules the model has.
inline void check_lora_targets(const std::vector<std::string>& targets) {
  static const std::vector<std::string> kKnown{"q",
                                               "k",
                                               "v",
                                               "o",
                                               "gate",
                                               "up",
                                               "down",
                                               "q_proj",
                                               "k_proj",
                                               "v_proj",
                                               "o_proj",
                                               "gate_proj",
                                               "up_proj",
                                               "down_proj",
                                               "q_a_proj",
                                               "q_b_proj",
                                               "kv_a_proj_with_mqa",
                                               "kv_b_proj",
                                               "all-linear"};
  if (targets.empty()) throw Error(ErrorCode::invalid_value, "--lora-targets names no module");
  for (const std::string& t : targets) {
    if (std::find(kKnown.begin(), kKnown.end(), to_lower(t)) == kKnown.end()) {
      const std::string hint = did_you_mean(t, kKnown);
      throw Error(ErrorCode::invalid_value, "unknown LoRA target '" + t + "'",
                  hint.empty() ? "use q,k,v,o,gate,up,down or all-linear" : hint);
    }
  }
}

// LoRA adds A (r x d_in) and B (d_out x r) to each targeted matrix: r x (d_in + d_out) parameters
// (Hu et al. 2021), per expert for stacked experts.
inline std::uint64_t lora_params(const std::vector<TensorShape>& tensors, std::uint64_t rank,
                                 const std::vector<std::string>& targets) {
  std::uint64_t total = 0;
  for (const TensorShape& t : tensors) {
    if (training_detail::targeted(t.role, targets)) total += checked_mul(rank * (t.ne0 + t.ne1), t.ne2);
  }
  return total;
}

// ---- activations ----------------------------------------------------------------------------

// Bytes stored for the backward pass per token in one layer (bf16 activations): the tensors
// autograd saves in a Hugging Face decoder block (Korthikanti et al. 2022 section 4 counts the
// same for GPT blocks; here without dropout masks):
//  - each RMSNorm upcasts to fp32 and saves that fp32 input and its bf16 output (6 h per norm;
//    transformers LlamaRMSNorm), two norms per block;
//  - attention saves Q, K and V (GQA: KV heads) and its output; with flash attention the fp32
//    log-sum-exp per head, without it the softmax probabilities (heads x attended tokens);
//  - the gated MLP saves gate, silu(gate), up and their product (4 x I), a GELU MLP the first
//    projection and its activation (2 x I); MoE layers that for each of the top-k experts plus
//    the shared expert, and the fp32 router logits.
struct LayerActivation {
  std::uint64_t per_token = 0;       // all stored bytes per token
  std::uint64_t attention_core = 0;  // the part selective recomputation drops
};

inline LayerActivation layer_activation(const ModelArch& arch, const LayerSpec& layer, std::uint64_t seq,
                                        bool flash_attention) {
  const std::uint64_t h = arch.hidden;
  std::uint64_t q = arch.heads * arch.head_dim;
  std::uint64_t kv = 2 * arch.kv_heads * arch.head_dim;
  if (arch.mla) {
    q = arch.heads * (arch.mla->qk_nope_head_dim + arch.mla->qk_rope_head_dim);
    kv = arch.heads * (arch.mla->qk_nope_head_dim + arch.mla->qk_rope_head_dim + arch.mla->v_head_dim);
  }
  const std::uint64_t out = arch.mla ? arch.heads * arch.mla->v_head_dim : q;
  const std::uint64_t attended = layer.scope == AttentionScope::full ? seq : std::min(seq, layer.window);
  const std::uint64_t scores = flash_attention ? 4 * arch.heads : 2 * arch.heads * attended;
  const std::uint64_t saved_per_width = arch.mlp == MlpKind::gated ? 4 : 2;
  std::uint64_t mlp = 0;
  if (layer.moe) {
    const MoeSpec& m = *arch.moe;
    mlp = 2 * saved_per_width * (m.experts_per_token * m.expert_intermediate + m.shared_intermediate) +
          4 * m.experts;
  } else {
    mlp = 2 * saved_per_width * layer.dense_intermediate;
  }
  LayerActivation a;
  a.attention_core = layer.has_attention()
                         ? 2 * (q + kv) + 2 * out + scores
                         : 2 * 2 * mixer_projection_width(arch, layer.mixer);  // input and output
  a.per_token = 2 * 6 * h + a.attention_core + mlp;
  return a;
}

// ---- ZeRO -----------------------------------------------------------------------------------

struct ModelStates {
  Bytes weights;
  Bytes gradients;
  Bytes optimizer;
  Bytes total() const { return weights + gradients + optimizer; }
};

// Per-GPU model states under ZeRO over `dp` data-parallel GPUs (Rajbhandari et al. 2020, section
// 5.1 and Figure 1): stage 1 partitions the optimizer states, stage 2 also the gradients, stage 3
// also the weights. The paper's 7.5B example with K = 12 over 64 GPUs: 120, 31.4, 16.6, 1.9 GB.
inline ModelStates zero_partition(ModelStates s, int stage, std::uint64_t dp) {
  if (stage >= 1) s.optimizer = Bytes{ceil_div(s.optimizer.count, dp)};
  if (stage >= 2) s.gradients = Bytes{ceil_div(s.gradients.count, dp)};
  if (stage >= 3) s.weights = Bytes{ceil_div(s.weights.count, dp)};
  return s;
}

// ---- the estimate ---------------------------------------------------------------------------

namespace training_detail {

// Optimizer state bytes for one trainable tensor of `elements` values. bitsandbytes keeps 8-bit
// states in 256-value blocks with an fp32 absmax each, and fp32 states for tensors under 4096
// values (bitsandbytes/optim/optimizer.py, min_8bit_size); Adafactor factors a matrix's second
// moment into row and column vectors (Shazeer & Stern 2018) and keeps no first moment by default.
inline std::uint64_t optimizer_state_bytes(Optimizer o, const TensorShape& t, std::uint64_t elements,
                                           std::uint64_t state_bytes) {
  const auto eight_bit = [&](std::uint64_t states) {
    if (elements < 4096) return states * elements * 4;
    return states * (elements + 4 * ceil_div(elements, 256));
  };
  switch (o) {
    case Optimizer::adamw:
    case Optimizer::paged_adamw: return 2 * elements * state_bytes;
    case Optimizer::adamw_8bit:
    case Optimizer::paged_adamw_8bit: return eight_bit(2);
    case Optimizer::adafactor:
      return t.is_matrix() ? (t.ne0 + t.ne1) * t.ne2 * state_bytes : elements * state_bytes;
    case Optimizer::sgd: return 0;
    case Optimizer::sgd_momentum:
    case Optimizer::lion: return elements * state_bytes;
  }
  return 0;
}

// Megatron-style tensor parallelism splits the block matrices and, vocabulary-parallel, the
// embedding and output head; norms and biases are replicated.
inline bool tensor_parallel_splits(TensorRole role) {
  return format_detail::is_block_linear(role) || role == TensorRole::token_embd || role == TensorRole::output;
}

}  // namespace training_detail

inline void validate_training(const ModelArch& arch, const TrainingOptions& opt) {
  if (opt.seq_len == 0 || opt.micro_batch == 0)
    throw Error(ErrorCode::invalid_value, "sequence length and micro-batch must be positive");
  if (opt.gpus == 0 || opt.tp == 0 || opt.pp == 0)
    throw Error(ErrorCode::invalid_value, "GPU counts must be positive");
  if (opt.gpus % (opt.tp * opt.pp) != 0) {
    throw Error(ErrorCode::invalid_value, "--gpus " + std::to_string(opt.gpus) +
                                              " is not a multiple of --tp x --pp (" +
                                              std::to_string(opt.tp * opt.pp) + ")");
  }
  if (opt.tp > 1 && (arch.heads % opt.tp != 0 || (!arch.mla && arch.kv_heads % opt.tp != 0))) {
    throw Error(ErrorCode::invalid_value,
                "tensor parallelism of " + std::to_string(opt.tp) + " does not divide the " +
                    std::to_string(arch.heads) + " attention heads and " + std::to_string(arch.kv_heads) +
                    " KV heads",
                "pick a --tp that divides both");
  }
  if (opt.pp > arch.layer_count()) throw Error(ErrorCode::invalid_value, "--pp exceeds the number of layers");
  const std::uint64_t dp = opt.gpus / (opt.tp * opt.pp);
  if (opt.zero_stage > 0 && dp < 2) {
    throw Error(ErrorCode::invalid_value, "ZeRO/FSDP shards over data-parallel GPUs, and this plan has one",
                "give --gpus as at least twice --tp x --pp");
  }
  if (opt.offload == Offload::params && opt.zero_stage != 3) {
    throw Error(ErrorCode::invalid_value, "parameter offload needs ZeRO-3 or FSDP full sharding",
                "add --zero 3");
  }
  if (opt.mode == Mode::lora || opt.mode == Mode::qlora) {
    if (opt.lora_rank == 0 || opt.lora_rank > 65536)
      throw Error(ErrorCode::invalid_value, "--lora-rank must be from 1 to 65536");
    check_lora_targets(opt.lora_targets);
  }
  if (opt.mode == Mode::qlora && opt.precision == TrainingPrecision::fp32) {
    throw Error(ErrorCode::invalid_value, "QLoRA computes in 16 bits over a 4-bit base, not in fp32",
                "drop --training-precision fp32");
  }
  if (opt.mode == Mode::inference) throw Error(ErrorCode::internal, "estimate_training called for inference");
}

inline TrainingResult estimate_training(const ModelArch& arch, const ModelRef& model,
                                        const TrainingOptions& opt) {
  using namespace training_detail;
  validate_training(arch, opt);
  const std::vector<TensorShape> tensors = model_tensors(arch);
  const bool lora = opt.mode == Mode::lora || opt.mode == Mode::qlora;
  const std::uint64_t dp = opt.gpus / (opt.tp * opt.pp);
  // bytes per value of trainable weights/gradients, and of optimizer states
  const std::uint64_t weight_bytes = opt.precision == TrainingPrecision::fp32 ? 4 : 2;
  const std::uint64_t state_bytes = opt.precision == TrainingPrecision::bf16 ? 2 : 4;
  const bool master_copy = opt.precision == TrainingPrecision::mixed;

  TrainingResult r;
  Estimate& e = r.estimate;
  e.model = model;
  e.mode = opt.mode;
  e.method = Method::detailed;
  e.context = opt.seq_len;
  e.batch = opt.micro_batch;

  // Model states, tensor by tensor; a tensor-parallel split divides the block matrices, a
  // pipeline split divides the layers.
  std::uint64_t weights = 0, gradients = 0, optimizer = 0, largest_layer = 0;
  std::vector<std::uint64_t> layer_params(arch.layer_count(), 0);
  const WeightFormat nf4 = parse_weight_format(opt.nf4_double_quant ? "nf4-dq" : "nf4");
  for (const TensorShape& t : tensors) {
    // With pipeline stages the first holds the embedding and the last the head: one each.
    if (opt.pp > 1 && t.role == TensorRole::output) continue;
    const std::uint64_t split = (tensor_parallel_splits(t.role) ? opt.tp : 1) * (t.layer >= 0 ? opt.pp : 1);
    const std::uint64_t n = ceil_div(t.elements(), split);
    if (t.layer >= 0) layer_params[static_cast<std::size_t>(t.layer)] += t.elements();
    if (!lora) {
      weights += n * weight_bytes;
      gradients += n * weight_bytes;
      optimizer += (master_copy ? 4 * n : 0) + optimizer_state_bytes(opt.optimizer, t, n, state_bytes);
      continue;
    }
    // LoRA: the base is frozen. QLoRA stores block linear layers in NF4 and PEFT's
    // prepare_model_for_kbit_training upcasts every other parameter to fp32 (peft/utils/other.py).
    if (opt.mode == Mode::qlora && format_detail::is_block_linear(t.role)) {
      weights += ceil_div(tensor_storage(nf4, arch, t).bytes, split);
    } else {
      weights += n * (opt.mode == Mode::qlora && opt.kbit_upcast ? 4 : weight_bytes);
    }
  }
  for (std::uint64_t p : layer_params) largest_layer = std::max(largest_layer, p);
  if (lora) {
    // Adapters train in fp32 (PEFT's autocast_adapter_dtype default): weights, gradients and
    // optimizer states all per adapter parameter.
    r.trainable_params = lora_params(tensors, opt.lora_rank, opt.lora_targets);
    const std::uint64_t adapters = ceil_div(r.trainable_params, opt.tp * opt.pp);
    weights += 4 * adapters;
    gradients += 4 * adapters;
    const TensorShape vector_of_adapters{TensorRole::attn_q, 0, adapters, 1, 1};
    optimizer += optimizer_state_bytes(opt.optimizer, vector_of_adapters, adapters, 4);
  } else {
    r.trainable_params = model.params;
  }

  const ModelStates sharded =
      zero_partition({Bytes{weights}, Bytes{gradients}, Bytes{optimizer}}, opt.zero_stage, dp);
  weights = sharded.weights.count;
  gradients = sharded.gradients.count;
  optimizer = sharded.optimizer.count;
  // ZeRO-3/FSDP all-gathers a layer (and prefetches the next) in 16 bits.
  const std::uint64_t gathered = opt.zero_stage >= 3 ? 2 * 2 * ceil_div(largest_layer, opt.tp) : 0;
  if (opt.offload != Offload::none) {
    r.host += Bytes{optimizer};
    optimizer = 0;
  }
  if (opt.offload == Offload::params) {
    r.host += Bytes{weights};
    weights = 0;
  }

  // Activations stored for backward, with the checkpointing policy; tensor parallelism divides
  // the per-layer stores (with sequence parallelism); 1F1B pipelines hold about L layers' worth on
  // the first stage whatever p is (Korthikanti et al. 2022, section 4).
  const std::uint64_t tokens = checked_mul(opt.seq_len, opt.micro_batch);
  std::uint64_t stored = 0;
  std::uint64_t widest_layer = 0;
  for (const LayerSpec& layer : arch.layers) {
    const LayerActivation a = layer_activation(arch, layer, opt.seq_len, opt.flash_attention);
    widest_layer = std::max(widest_layer, a.per_token);
    switch (opt.checkpointing) {
      case Checkpointing::none: stored += a.per_token; break;
      case Checkpointing::selective: stored += a.per_token - a.attention_core + 2 * arch.hidden; break;
      case Checkpointing::full: stored += 2 * arch.hidden; break;  // each layer's input only
    }
  }
  std::uint64_t activations = checked_mul(stored, tokens) / opt.tp;
  if (opt.checkpointing == Checkpointing::full) activations += checked_mul(widest_layer, tokens) / opt.tp;
  // Logits and loss: bf16 logits, their fp32 upcast for cross-entropy and its fp32 gradient
  // (formulas.md 3.3: ~10 bytes per token per vocabulary entry, HF-style loss).
  const std::uint64_t logits = checked_mul(checked_mul(tokens, arch.vocab), 10) / opt.tp;

  // The peak: forward stores activations and logits while gradients do not exist yet
  // (zero_grad(set_to_none)); backward frees activations as gradients fill. Whichever is larger
  // rides on top of the weights and optimizer states.
  const std::uint64_t forward_peak = activations + logits;
  const std::uint64_t backward_peak = gradients + checked_mul(widest_layer, tokens) / opt.tp;
  r.logits = Bytes{logits};
  Components& c = e.components;
  c.weights = Bytes{weights};
  c.optimizer = Bytes{optimizer};
  if (forward_peak >= backward_peak) {
    c.activations = Bytes{forward_peak};
    // gradients of what backward has not reached yet are not allocated at this point
    c.gradients = Bytes{0};
    r.notes.push_back(
        "the peak is at the end of the forward pass: activations and logits, before any gradient exists");
  } else {
    c.gradients = Bytes{gradients};
    c.activations = Bytes{checked_mul(widest_layer, tokens) / opt.tp};
    r.notes.push_back("the peak is in the backward pass: all gradients plus one layer's activations");
  }
  // Transients: ZeRO-3 gathers; QLoRA dequantizes one layer's weight to bf16 per matmul.
  std::uint64_t transient = gathered;
  if (opt.mode == Mode::qlora) {
    std::uint64_t widest = 0;
    for (const TensorShape& t : tensors) {
      if (format_detail::is_block_linear(t.role)) widest = std::max(widest, 2 * t.ne0 * t.ne1);
    }
    transient += widest;
  }
  c.other = Bytes{transient};
  c.runtime = Bytes{kCudaContextTorchBytes + kCublasWorkspaceBytes};
  e.total = c.sum();
  e.low = e.high = e.total;
  e.precision = opt.mode == Mode::qlora ? std::string(opt.nf4_double_quant ? "nf4-dq" : "nf4")
                                        : std::string(training_precision_name(opt.precision));

  const std::pair<const char*, Bytes> parts[] = {{"weights", c.weights},     {"gradients", c.gradients},
                                                 {"optimizer", c.optimizer}, {"activations", c.activations},
                                                 {"runtime", c.runtime},     {"other", c.other}};
  const auto* largest = std::max_element(std::begin(parts), std::end(parts),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
  r.dominant = largest->first;
  if (opt.optimizer == Optimizer::paged_adamw || opt.optimizer == Optimizer::paged_adamw_8bit) {
    r.notes.push_back(
        "paged optimizer states live in CUDA unified memory and move to CPU RAM under pressure");
  }
  if (logits * 4 > activations)
    r.notes.push_back(
        "the logits and loss buffers are a large share: a fused/chunked cross-entropy (e.g. Liger) avoids "
        "most of them");
  e.basis =
      "model states (ZeRO accounting) + stored activations (Korthikanti et al. 2022) + logits + runtime";
  return r;
}

// The levers the rules of thumb list, and a few more, each re-estimated for this model. Only levers that
// save memory are returned, largest saving first.
inline std::vector<Lever> training_levers(const ModelArch& arch, const ModelRef& model,
                                          const TrainingOptions& opt, const TrainingResult& current) {
  std::vector<Lever> levers;
  const auto consider = [&](std::string name, const TrainingOptions& changed) {
    try {
      const TrainingResult r = estimate_training(arch, model, changed);
      if (r.estimate.total < current.estimate.total) {
        levers.push_back({std::move(name), current.estimate.total - r.estimate.total, r.estimate.total});
      }
    } catch (const Error&) {
      // a lever that does not apply to this plan (e.g. a TP degree the heads do not allow)
    }
  };
  if (opt.checkpointing != Checkpointing::full) {
    TrainingOptions o = opt;
    o.checkpointing = Checkpointing::full;
    consider("gradient checkpointing (full)", o);
  }
  if (opt.optimizer == Optimizer::adamw || opt.optimizer == Optimizer::paged_adamw) {
    TrainingOptions o = opt;
    o.optimizer = Optimizer::adamw_8bit;
    consider("adamw-8bit optimizer", o);
  }
  if (opt.mode == Mode::train) {
    TrainingOptions o = opt;
    o.mode = Mode::lora;
    consider("LoRA r=16 on q,v instead of full fine-tuning", o);
  }
  if (opt.mode == Mode::lora) {
    TrainingOptions o = opt;
    o.mode = Mode::qlora;
    consider("QLoRA: an NF4 base", o);
  }
  if (opt.micro_batch > 1) {
    TrainingOptions o = opt;
    o.micro_batch = 1;
    consider("micro-batch 1 with gradient accumulation", o);
  }
  std::uint64_t last_sharded = 0;  // with --gpus 16, 2, 4 and 8 would all mean 16
  for (std::uint64_t n : {2ULL, 4ULL, 8ULL}) {
    if (opt.zero_stage == 3 && opt.gpus >= n) continue;
    TrainingOptions o = opt;
    o.gpus = std::max<std::uint64_t>(opt.gpus, n * opt.tp * opt.pp);
    if (o.gpus == last_sharded) continue;
    last_sharded = o.gpus;
    o.zero_stage = 3;
    consider("ZeRO-3 / FSDP full sharding over " + std::to_string(o.gpus) + " GPUs", o);
  }
  {
    TrainingOptions o = opt;
    o.tp = opt.tp * 2;
    o.gpus = opt.gpus * 2;
    consider("tensor parallelism x" + std::to_string(o.tp) + " (" + std::to_string(o.gpus) + " GPUs)", o);
  }
  std::sort(levers.begin(), levers.end(), [](const Lever& a, const Lever& b) { return a.saves > b.saves; });
  return levers;
}

}  // namespace vramest
