// model.hpp — a decoder-only transformer's architecture, and the exact tensors it holds.
//
// The architecture is the handful of numbers a config.json gives (hidden size, layers, heads,
// experts...) plus the conventions of its family that the config leaves unsaid (Qwen2's q/k/v
// biases, Gemma's four norms per layer). From it, model_tensors() lists every weight tensor
// with its shape, named by role as llama.cpp names GGUF tensors; parameter counts and every
// weight format's size are sums over that list, so they agree with each other by construction:
//
//   ModelArch arch = ...;                        // from parse/hf_config.hpp or the catalog
//   ParamCounts counts = count_params(arch);     // Llama-3.1-8B: 8'030'261'248
//
// Counting follows the tensors transformers' modeling code creates (modeling_llama.py and its
// siblings), checked against published safetensors totals: see the per-role comments in
// model_tensors().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/units.hpp"

namespace vramest {

enum class MlpKind { gated, plain };  // gate+up+down (SwiGLU/GeGLU) or up+down (GELU)
enum class NormKind { rms, layer };   // RMSNorm: weight; LayerNorm: weight + bias

// Multi-head latent attention (DeepSeek-V2/V3; arXiv:2405.04434 section 2.1).
struct MlaSpec {
  std::uint64_t q_lora_rank = 0;  // 0: queries are projected directly
  std::uint64_t kv_lora_rank = 0;
  std::uint64_t qk_nope_head_dim = 0;
  std::uint64_t qk_rope_head_dim = 0;
  std::uint64_t v_head_dim = 0;
};

struct MoeSpec {
  std::uint64_t experts = 0;              // routed experts per MoE layer
  std::uint64_t experts_per_token = 0;    // top-k
  std::uint64_t expert_intermediate = 0;  // width of one routed expert's MLP
  std::uint64_t shared_intermediate = 0;  // total width of the always-on shared expert(s); 0: none
  bool shared_expert_gate = false;        // Qwen2-MoE: a sigmoid gate (h -> 1) on the shared expert
  bool router_bias = false;               // gpt-oss
  bool expert_bias = false;               // gpt-oss: gate_up (2I) and down (h) biases per expert
  bool score_correction_bias = false;     // DeepSeek-V3: e_score_correction_bias (E)
};

// How a layer attends: to every cached token, to a sliding window, or within fixed chunks.
enum class AttentionScope { full, sliding, chunked };

struct LayerSpec {
  bool moe = false;
  std::uint64_t dense_intermediate = 0;  // MLP width when !moe
  AttentionScope scope = AttentionScope::full;
  std::uint64_t window = 0;  // tokens, for sliding or chunked layers
};

struct ModelArch {
  std::string model_type;  // as in config.json ("llama", "qwen3_moe", ...)
  std::uint64_t hidden = 0;
  std::uint64_t heads = 0;
  std::uint64_t kv_heads = 0;
  std::uint64_t head_dim = 0;  // config head_dim, else hidden / heads
  std::uint64_t vocab = 0;
  std::uint64_t max_context = 0;
  bool tied_embeddings = false;
  bool qkv_bias = false;
  bool o_bias = false;
  bool qk_norm = false;          // per-head RMSNorm on q and k (Qwen3, Gemma-3): head_dim each
  bool attention_sinks = false;  // gpt-oss: one learned logit per head
  std::uint64_t norms_per_layer = 2;
  NormKind norm = NormKind::rms;
  MlpKind mlp = MlpKind::gated;
  bool mlp_bias = false;
  std::uint64_t learned_positions = 0;  // absolute position embeddings (GPT-2): rows
  std::optional<MlaSpec> mla;
  std::optional<MoeSpec> moe;
  std::vector<LayerSpec> layers;
  bool multimodal = false;         // the text part of a vision-language model; vision weights not counted
  std::vector<std::string> notes;  // assumptions made while reading the architecture

  std::uint64_t layer_count() const { return layers.size(); }
};

// Tensor roles, named as llama.cpp names GGUF tensors (src/llama-arch.cpp) so weight formats can
// apply llama.cpp's per-tensor quantization rules by role.
enum class TensorRole {
  token_embd,
  position_embd,
  output,
  output_norm,
  attn_norm,
  attn_q,
  attn_k,
  attn_v,
  attn_output,
  attn_q_norm,
  attn_k_norm,
  attn_sinks,
  attn_q_bias,
  attn_k_bias,
  attn_v_bias,
  attn_output_bias,
  attn_q_a,
  attn_q_a_norm,
  attn_q_b,
  attn_kv_a_mqa,
  attn_kv_a_norm,
  attn_kv_b,
  ffn_norm,
  ffn_gate,
  ffn_up,
  ffn_down,
  ffn_up_bias,
  ffn_down_bias,
  ffn_gate_inp,
  ffn_gate_inp_bias,
  ffn_exp_probs_b,
  ffn_gate_exps,
  ffn_up_exps,
  ffn_down_exps,
  ffn_gate_up_exps_bias,
  ffn_down_exps_bias,
  ffn_gate_shexp,
  ffn_up_shexp,
  ffn_down_shexp,
  ffn_gate_inp_shexp,
};

// One tensor (or, for 1-D roles, one vector): ne0 is the contiguous dimension (input features of
// a matrix), ne1 the rows (output features), ne2 the experts stacked in a 3-D tensor.
struct TensorShape {
  TensorRole role;
  int layer = -1;  // -1 for tensors outside the blocks
  std::uint64_t ne0 = 1;
  std::uint64_t ne1 = 1;
  std::uint64_t ne2 = 1;

  bool is_matrix() const { return ne1 > 1; }
  std::uint64_t elements() const { return checked_mul(checked_mul(ne0, ne1), ne2); }
};

// Every weight tensor of the text model, blocks in order.
inline std::vector<TensorShape> model_tensors(const ModelArch& arch);

struct ParamCounts {
  std::uint64_t total = 0;      // unique parameters (a tied embedding once)
  std::uint64_t active = 0;     // used per token: routed experts counted top-k of E
  std::uint64_t embedding = 0;  // token (and position) embeddings
};

inline ParamCounts count_params(const ModelArch& arch);

// KV heads are cached per token per layer; MLA caches one latent instead (kv_cache.hpp).
// Checks the invariants the formulas rely on; throws invalid_value naming the field.
inline void validate_arch(const ModelArch& arch);

// ---- implementation -------------------------------------------------------------------------

inline void validate_arch(const ModelArch& arch) {
  const auto require = [](bool ok, const char* field, const char* what) {
    if (!ok) throw Error(ErrorCode::invalid_value, std::string(field) + " " + what);
  };
  require(arch.hidden > 0, "hidden_size", "must be positive");
  require(!arch.layers.empty(), "num_hidden_layers", "must be positive");
  require(arch.heads > 0, "num_attention_heads", "must be positive");
  require(arch.kv_heads > 0, "num_key_value_heads", "must be positive");
  require(arch.head_dim > 0, "head_dim", "must be positive");
  require(arch.vocab > 0, "vocab_size", "must be positive");
  require(arch.kv_heads > 0 && arch.heads % arch.kv_heads == 0, "num_attention_heads",
          "must be a multiple of num_key_value_heads");
  // Sizes beyond these are typos; they also keep every product below 2^64.
  constexpr std::uint64_t kMaxDim = 1ULL << 24;
  require(arch.hidden <= kMaxDim, "hidden_size", "is absurdly large");
  require(arch.vocab <= kMaxDim, "vocab_size", "is absurdly large");
  require(arch.heads <= 65536 && arch.head_dim <= 65536, "num_attention_heads",
          "or head_dim is absurdly large");
  require(arch.layers.size() <= 100000, "num_hidden_layers", "is absurdly large");
  for (const LayerSpec& layer : arch.layers) {
    require(layer.moe || layer.dense_intermediate > 0, "intermediate_size", "must be positive");
    require(layer.dense_intermediate <= kMaxDim, "intermediate_size", "is absurdly large");
    require(layer.scope == AttentionScope::full || layer.window > 0, "sliding_window", "must be positive");
  }
  if (arch.moe) {
    require(arch.moe->experts > 0, "num_experts", "must be positive");
    require(arch.moe->experts <= 65536, "num_experts", "is absurdly large");
    require(arch.moe->experts_per_token > 0 && arch.moe->experts_per_token <= arch.moe->experts,
            "num_experts_per_tok", "must be between 1 and the number of experts");
    require(arch.moe->expert_intermediate > 0 && arch.moe->expert_intermediate <= kMaxDim,
            "moe_intermediate_size", "must be positive and sane");
    require(arch.moe->shared_intermediate <= kMaxDim, "shared_expert_intermediate_size",
            "(or n_shared_experts x moe_intermediate_size) is absurdly large");
  }
  if (arch.mla) {
    require(arch.mla->kv_lora_rank > 0 && arch.mla->kv_lora_rank <= kMaxDim, "kv_lora_rank",
            "must be positive and sane");
    require(arch.mla->qk_nope_head_dim + arch.mla->qk_rope_head_dim > 0, "qk_nope_head_dim",
            "plus qk_rope_head_dim must be positive");
    require(arch.mla->v_head_dim > 0, "v_head_dim", "must be positive");
    require(arch.mla->q_lora_rank <= kMaxDim, "q_lora_rank", "is absurdly large");
    require(arch.mla->qk_nope_head_dim <= 65536 && arch.mla->qk_rope_head_dim <= 65536 &&
                arch.mla->v_head_dim <= 65536,
            "qk_nope_head_dim,", "qk_rope_head_dim or v_head_dim is absurdly large");
  }
}

inline std::vector<TensorShape> model_tensors(const ModelArch& arch) {
  validate_arch(arch);
  const std::uint64_t h = arch.hidden;
  const std::uint64_t q_width = arch.heads * arch.head_dim;
  const std::uint64_t kv_width = arch.kv_heads * arch.head_dim;
  const std::uint64_t norm_width = arch.norm == NormKind::layer ? 2 * h : h;
  std::vector<TensorShape> t;
  const auto add = [&t](TensorRole role, int layer, std::uint64_t ne0, std::uint64_t ne1 = 1,
                        std::uint64_t ne2 = 1) {
    t.push_back({role, layer, ne0, ne1, ne2});
  };

  add(TensorRole::token_embd, -1, h, arch.vocab);
  if (arch.learned_positions > 0) add(TensorRole::position_embd, -1, h, arch.learned_positions);

  for (std::size_t index = 0; index < arch.layers.size(); ++index) {
    const int i = static_cast<int>(index);
    const LayerSpec& layer = arch.layers[index];
    // Pre-norms; Gemma-2/3 add post-attention and post-FFN norms (4 per layer).
    add(TensorRole::attn_norm, i, norm_width);
    for (std::uint64_t n = 1; n < arch.norms_per_layer; ++n) add(TensorRole::ffn_norm, i, norm_width);

    if (arch.mla) {
      // formulas.md 1.3; DeepSeek-V3 attention: 187,107,328 parameters per layer.
      const MlaSpec& m = *arch.mla;
      const std::uint64_t qk_head = m.qk_nope_head_dim + m.qk_rope_head_dim;
      if (m.q_lora_rank > 0) {
        add(TensorRole::attn_q_a, i, h, m.q_lora_rank);
        add(TensorRole::attn_q_a_norm, i, m.q_lora_rank);
        add(TensorRole::attn_q_b, i, m.q_lora_rank, arch.heads * qk_head);
      } else {
        add(TensorRole::attn_q, i, h, arch.heads * qk_head);
      }
      add(TensorRole::attn_kv_a_mqa, i, h, m.kv_lora_rank + m.qk_rope_head_dim);
      add(TensorRole::attn_kv_a_norm, i, m.kv_lora_rank);
      add(TensorRole::attn_kv_b, i, m.kv_lora_rank, arch.heads * (m.qk_nope_head_dim + m.v_head_dim));
      add(TensorRole::attn_output, i, arch.heads * m.v_head_dim, h);
    } else {
      add(TensorRole::attn_q, i, h, q_width);
      add(TensorRole::attn_k, i, h, kv_width);
      add(TensorRole::attn_v, i, h, kv_width);
      add(TensorRole::attn_output, i, q_width, h);
      if (arch.qkv_bias) {  // Qwen2: q, k and v biases, no o bias
        add(TensorRole::attn_q_bias, i, q_width);
        add(TensorRole::attn_k_bias, i, kv_width);
        add(TensorRole::attn_v_bias, i, kv_width);
      }
      if (arch.o_bias) add(TensorRole::attn_output_bias, i, h);
      if (arch.qk_norm) {
        add(TensorRole::attn_q_norm, i, arch.head_dim);
        add(TensorRole::attn_k_norm, i, arch.head_dim);
      }
    }
    if (arch.attention_sinks) add(TensorRole::attn_sinks, i, arch.heads);

    if (layer.moe) {
      const MoeSpec& moe = *arch.moe;
      const std::uint64_t e = moe.experts;
      const std::uint64_t w = moe.expert_intermediate;
      add(TensorRole::ffn_gate_inp, i, h, e);  // router
      if (moe.router_bias) add(TensorRole::ffn_gate_inp_bias, i, e);
      if (moe.score_correction_bias) add(TensorRole::ffn_exp_probs_b, i, e);
      add(TensorRole::ffn_gate_exps, i, h, w, e);
      add(TensorRole::ffn_up_exps, i, h, w, e);
      add(TensorRole::ffn_down_exps, i, w, h, e);
      if (moe.expert_bias) {  // gpt-oss: gate_up_proj_bias (2I) and down_proj_bias (h) per expert
        add(TensorRole::ffn_gate_up_exps_bias, i, 2 * w, 1, e);
        add(TensorRole::ffn_down_exps_bias, i, h, 1, e);
      }
      if (moe.shared_intermediate > 0) {  // DeepSeek: n_shared x moe width, as one MLP
        add(TensorRole::ffn_gate_shexp, i, h, moe.shared_intermediate);
        add(TensorRole::ffn_up_shexp, i, h, moe.shared_intermediate);
        add(TensorRole::ffn_down_shexp, i, moe.shared_intermediate, h);
        if (moe.shared_expert_gate) add(TensorRole::ffn_gate_inp_shexp, i, h);
      }
    } else {
      const std::uint64_t w = layer.dense_intermediate;
      if (arch.mlp == MlpKind::gated) add(TensorRole::ffn_gate, i, h, w);
      add(TensorRole::ffn_up, i, h, w);
      add(TensorRole::ffn_down, i, w, h);
      if (arch.mlp_bias) {
        add(TensorRole::ffn_up_bias, i, w);
        add(TensorRole::ffn_down_bias, i, h);
      }
    }
  }

  add(TensorRole::output_norm, -1, norm_width);
  if (!arch.tied_embeddings) add(TensorRole::output, -1, h, arch.vocab);
  return t;
}

inline ParamCounts count_params(const ModelArch& arch) {
  ParamCounts counts;
  std::uint64_t unused_experts = 0;  // parameters of routed experts a token does not use
  for (const TensorShape& tensor : model_tensors(arch)) {
    const std::uint64_t n = tensor.elements();
    counts.total = checked_add(counts.total, n);
    if (tensor.role == TensorRole::token_embd || tensor.role == TensorRole::position_embd) {
      counts.embedding = checked_add(counts.embedding, n);
    }
    if (tensor.ne2 > 1 && arch.moe) {  // stacked routed experts: only top-k of them are used
      unused_experts += n / tensor.ne2 * (tensor.ne2 - arch.moe->experts_per_token);
    }
  }
  counts.active = counts.total - unused_experts;
  return counts;
}

}  // namespace vramest
