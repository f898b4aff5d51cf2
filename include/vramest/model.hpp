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

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/units.hpp"

namespace vramest {

enum class MlpKind { gated, plain };  // gate+up+down (SwiGLU/GeGLU) or up+down (GELU, ReLU^2)

// RMSNorm: weight; LayerNorm: weight + bias; LayerNorm without bias (Cohere, MPT, DBRX):
// weight; none: a norm without parameters (OLMo-1's non-parametric LayerNorm).
enum class NormKind { rms, layer, layer_no_bias, none };

// Norms on q and k: per head (one head_dim weight shared by the heads: Qwen3, Gemma-3) or over
// the whole projection (heads x head_dim: OLMo-2, Cohere).
enum class QkNormKind { none, per_head, full };

// Decoders cache keys and values; encoders (BERT) cache nothing; encoder-decoders (T5, Whisper)
// cache the decoder's own keys and values plus a cross-attention copy of the encoder output.
enum class ArchKind { decoder, encoder, encoder_decoder };

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
  MlpKind expert_mlp = MlpKind::gated;    // plain: up + down per expert (Nemotron-H's ReLU^2)
};

// What mixes tokens in a layer ("mixer"): attention, a state-space scan, linear attention or a
// short convolution. Only attention caches per token; the others keep a fixed state per sequence.
enum class Mixer {
  attention,
  mamba,           // Mamba-1 selective scan (arXiv:2312.00752): conv state + SSM state
  mamba2,          // Mamba-2 SSD (arXiv:2405.21060): conv state + per-head SSM state
  gated_deltanet,  // Gated DeltaNet linear attention (Qwen3-Next): conv state + per-head matrix
  short_conv,      // LFM2's gated short convolution: conv state only
  none,            // an MLP-only layer (Nemotron-H's "-" and "E" layers)
};

// Mamba-1 and Mamba-2 mixers (transformers models/mamba/modeling_mamba.py, mamba2/modeling_mamba2.py).
struct SsmSpec {
  std::uint64_t d_inner = 0;  // expand x hidden (Mamba-2: heads x head_dim)
  std::uint64_t d_state = 0;
  std::uint64_t d_conv = 0;    // convolution kernel
  std::uint64_t dt_rank = 0;   // Mamba-1 only
  std::uint64_t n_groups = 1;  // Mamba-2 only: B and C groups
  std::uint64_t n_heads = 0;   // Mamba-2 only
  bool proj_bias = false;      // in_proj / out_proj biases
  bool conv_bias = true;
  bool bcdt_norms = false;  // Jamba: RMSNorm weights on dt (dt_rank), B and C (d_state)
  bool gated_norm = true;   // Mamba-2: a gated RMSNorm over d_inner before out_proj
};

// Gated DeltaNet (transformers models/qwen3_next/modeling_qwen3_next.py, Qwen3NextGatedDeltaNet).
struct LinearAttentionSpec {
  std::uint64_t k_heads = 0;
  std::uint64_t v_heads = 0;
  std::uint64_t k_head_dim = 0;
  std::uint64_t v_head_dim = 0;
  std::uint64_t conv_kernel = 4;
};

// LFM2's short convolution (transformers models/lfm2/modeling_lfm2.py, Lfm2ShortConv).
struct ShortConvSpec {
  std::uint64_t kernel = 3;  // conv_L_cache
  bool bias = false;
};

// How a layer attends: to every cached token, to a sliding window, or within fixed chunks.
enum class AttentionScope { full, sliding, chunked };

struct LayerSpec {
  Mixer mixer = Mixer::attention;
  bool ffn = true;  // false: a mixer-only layer (Mamba, Nemotron-H's "M" and "*" layers)
  bool moe = false;
  std::uint64_t dense_intermediate = 0;  // MLP width when !moe
  AttentionScope scope = AttentionScope::full;
  std::uint64_t window = 0;      // tokens, for sliding or chunked layers
  bool cross_attention = false;  // decoder layers of encoder-decoders
  // Mllama: the layer attends to the image tokens (fixed per sequence), not to the text.
  bool image_cross_attention = false;
  // Layers that read another layer's keys and values (Gemma-3n, shared-KV layers) cache none.
  bool shares_kv = false;

  bool has_attention() const { return mixer == Mixer::attention; }
};

// One stack of transformer layers that is not the decoder: an encoder-decoder's encoder.
struct EncoderSpec {
  std::uint64_t layers = 0;
  std::uint64_t intermediate = 0;
  std::uint64_t max_positions = 0;  // learned position table rows (BART, Whisper), 0: none
  std::uint64_t source_length = 0;  // fixed encoder length (Whisper: 1500 frames), 0: the prompt
  std::uint64_t conv_channels = 0;  // Whisper: mel bins into two 3-tap convolutions, 0: none
};

// A part of a multimodal checkpoint that is not the language model: counted and reported apart.
enum class TowerKind { vision, audio, projector };

struct Tower {
  TowerKind kind = TowerKind::vision;
  std::string name;          // "siglip", "clip", "qwen2_vl", ...
  std::uint64_t params = 0;  // exact count from its config
  std::uint64_t hidden = 0;
  std::uint64_t layers = 0;
};

struct ModelArch {
  std::string model_type;  // as in config.json ("llama", "qwen3_moe", ...)
  std::string family;      // the family table row it was read with ("generic decoder" if none)
  ArchKind kind = ArchKind::decoder;
  std::uint64_t hidden = 0;
  std::uint64_t heads = 0;
  std::uint64_t kv_heads = 0;
  std::uint64_t head_dim = 0;  // config head_dim, else hidden / heads
  std::uint64_t vocab = 0;
  std::uint64_t max_context = 0;
  bool tied_embeddings = false;
  bool qkv_bias = false;
  bool k_bias = true;  // with qkv_bias: Whisper's k_proj has none
  bool o_bias = false;
  QkNormKind qk_norm = QkNormKind::none;
  bool attention_sinks = false;       // gpt-oss: one learned logit per head
  bool attn_output_gate = false;      // Qwen3-Next: q_proj also yields a sigmoid gate (2 x heads x head_dim)
  std::uint64_t norms_per_layer = 2;  // 1: parallel attention + MLP under one norm (GPT-J, Phi-2)
  NormKind norm = NormKind::rms;
  MlpKind mlp = MlpKind::gated;
  bool mlp_bias = false;
  bool lm_head_bias = false;    // GPT-J, Phi-2, Phi-3.5-MoE
  bool embedding_norm = false;  // BLOOM, BERT: a LayerNorm right after the embeddings
  bool final_norm = true;
  std::uint64_t learned_positions = 0;     // absolute position embeddings (GPT-2, OPT, BERT): rows
  std::uint64_t token_types = 0;           // BERT's token type embeddings: rows
  std::uint64_t extra_embedding_rows = 0;  // Mllama: 8 image-token rows beyond the vocabulary
  std::uint64_t image_tokens = 0;          // Mllama: vision tokens one sequence's cross-attention caches
  std::uint64_t pooler = 0;                // BERT's pooler (h x h + h): 1 when the checkpoint has it
  bool mlm_head = false;                   // an encoder's masked-LM head: transform, LayerNorm, vocab bias
  bool nsp_head = false;                   // BERT's next-sentence head (2 x h + 2)
  bool head_bias = true;                   // the MLM head's dense layer has a bias (not ModernBERT's)
  bool first_attn_norm = true;             // false: layer 0 has no attention norm (ModernBERT)
  std::uint64_t relative_buckets = 0;      // T5: relative position bias buckets (per stack, first layer)
  std::optional<MlaSpec> mla;
  std::optional<MoeSpec> moe;
  std::optional<SsmSpec> ssm;
  std::optional<LinearAttentionSpec> linear_attention;
  std::optional<ShortConvSpec> short_conv;
  std::optional<EncoderSpec> encoder;
  std::vector<LayerSpec> layers;
  std::vector<Tower> towers;          // vision/audio towers and projectors, counted apart
  bool multimodal = false;            // the text part of a vision-language model
  std::vector<std::string> notes;     // assumptions made while reading the architecture
  std::vector<std::string> warnings;  // where the answer is an approximation the user must know of

  std::uint64_t layer_count() const { return layers.size(); }
  bool has_kv_cache() const { return kind != ArchKind::encoder; }
};

// The width of a recurrent mixer's input projection per token (Mamba: x and z, plus B, C and dt
// for Mamba-2; Gated DeltaNet: q, k, v, z; LFM2: B, C, x): what its forward pass holds.
inline std::uint64_t mixer_projection_width(const ModelArch& arch, Mixer mixer) {
  switch (mixer) {
    case Mixer::mamba: return 2 * arch.ssm->d_inner;
    case Mixer::mamba2:
      return 2 * arch.ssm->d_inner + 2 * arch.ssm->n_groups * arch.ssm->d_state + arch.ssm->n_heads;
    case Mixer::gated_deltanet: {
      const LinearAttentionSpec& l = *arch.linear_attention;
      return 2 * l.k_heads * l.k_head_dim + 2 * l.v_heads * l.v_head_dim;
    }
    case Mixer::short_conv: return 3 * arch.hidden;
    case Mixer::attention:
    case Mixer::none: break;
  }
  return 0;
}

constexpr std::string_view mixer_name(Mixer mixer) {
  switch (mixer) {
    case Mixer::attention: return "attention";
    case Mixer::mamba: return "mamba";
    case Mixer::mamba2: return "mamba2";
    case Mixer::gated_deltanet: return "gated_deltanet";
    case Mixer::short_conv: return "short_conv";
    case Mixer::none: return "mlp_only";
  }
  return "attention";
}

// How many layers of each mixer kind, in the order of the enum, kinds with none left out.
inline std::vector<std::pair<std::string_view, std::uint64_t>> layer_kind_counts(const ModelArch& arch) {
  constexpr Mixer kAll[] = {Mixer::attention,      Mixer::mamba,      Mixer::mamba2,
                            Mixer::gated_deltanet, Mixer::short_conv, Mixer::none};
  std::vector<std::pair<std::string_view, std::uint64_t>> out;
  for (const Mixer m : kAll) {
    const auto n = static_cast<std::uint64_t>(std::count_if(
        arch.layers.begin(), arch.layers.end(), [m](const LayerSpec& l) { return l.mixer == m; }));
    if (n > 0) out.emplace_back(mixer_name(m), n);
  }
  return out;
}

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
  // Embedding-side extras: BERT's token types and pooler, BLOOM's embedding LayerNorm, GPT-J's
  // output bias.
  token_types,
  token_embd_norm,
  output_bias,
  pooler,
  // State-space and linear-attention mixers (llama.cpp's ssm_* names).
  ssm_in,
  ssm_conv1d,
  ssm_x,
  ssm_dt,
  ssm_a,
  ssm_d,
  ssm_norm,
  ssm_out,
  ssm_bias,  // in/out projection, conv and dt biases
  ssm_beta_alpha,
  shortconv_in_proj,
  shortconv_conv,
  shortconv_out_proj,
  // Encoder-decoders.
  cross_attn_norm,
  cross_attn_q,
  cross_attn_k,
  cross_attn_v,
  cross_attn_output,
  cross_attn_bias,
  attn_rel_b,  // T5's relative position bias
  conv_in,     // Whisper's audio convolutions (weights and biases)
};

// One tensor (or, for 1-D roles, one vector): ne0 is the contiguous dimension (input features of
// a matrix), ne1 the rows (output features), ne2 the experts stacked in a 3-D tensor.
struct TensorShape {
  TensorRole role;
  int layer = -1;  // -1 for tensors outside the blocks; encoder layers count after the decoder's
  std::uint64_t ne0 = 1;
  std::uint64_t ne1 = 1;
  std::uint64_t ne2 = 1;

  bool is_matrix() const { return ne1 > 1; }
  std::uint64_t elements() const { return checked_mul(checked_mul(ne0, ne1), ne2); }
};

// Every weight tensor of the text model, blocks in order.
inline std::vector<TensorShape> model_tensors(const ModelArch& arch);

struct ParamCounts {
  std::uint64_t total = 0;      // unique parameters of the language model (a tied embedding once)
  std::uint64_t active = 0;     // used per token: routed experts counted top-k of E
  std::uint64_t embedding = 0;  // token (and position) embeddings
  std::uint64_t towers = 0;     // vision/audio towers and projectors, apart from total
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
  const bool attention =
      arch.encoder.has_value() || std::any_of(arch.layers.begin(), arch.layers.end(), [](const LayerSpec& l) {
        return l.has_attention() || l.cross_attention;
      });
  require(arch.hidden > 0, "hidden_size", "must be positive");
  require(!arch.layers.empty(), "num_hidden_layers", "must be positive");
  require(arch.vocab > 0, "vocab_size", "must be positive");
  if (attention) {
    require(arch.heads > 0, "num_attention_heads", "must be positive");
    require(arch.kv_heads > 0, "num_key_value_heads", "must be positive");
    require(arch.head_dim > 0, "head_dim", "must be positive");
    require(arch.kv_heads > 0 && arch.heads % arch.kv_heads == 0, "num_attention_heads",
            "must be a multiple of num_key_value_heads");
  }
  // Sizes beyond these are typos; they also keep every product below 2^64.
  constexpr std::uint64_t kMaxDim = 1ULL << 24;
  require(arch.hidden <= kMaxDim, "hidden_size", "is absurdly large");
  require(arch.vocab <= kMaxDim, "vocab_size", "is absurdly large");
  require(arch.heads <= 65536 && arch.head_dim <= 65536, "num_attention_heads",
          "or head_dim is absurdly large");
  require(arch.layers.size() <= 100000, "num_hidden_layers", "is absurdly large");
  require(arch.learned_positions <= kMaxDim && arch.token_types <= kMaxDim, "max_position_embeddings",
          "is absurdly large");
  for (const LayerSpec& layer : arch.layers) {
    require(!layer.ffn || layer.moe || layer.dense_intermediate > 0, "intermediate_size", "must be positive");
    require(layer.dense_intermediate <= kMaxDim, "intermediate_size", "is absurdly large");
    require(layer.scope == AttentionScope::full || layer.window > 0, "sliding_window", "must be positive");
    require(!layer.moe || arch.moe.has_value(), "num_experts", "missing for a MoE layer");
    const bool ssm = layer.mixer == Mixer::mamba || layer.mixer == Mixer::mamba2;
    require(!ssm || arch.ssm.has_value(), "mamba_d_state", "missing for a Mamba layer");
    require(layer.mixer != Mixer::gated_deltanet || arch.linear_attention.has_value(), "linear_num_key_heads",
            "missing for a linear-attention layer");
    require(layer.mixer != Mixer::short_conv || arch.short_conv.has_value(), "conv_L_cache",
            "missing for a convolution layer");
  }
  if (arch.ssm) {
    const SsmSpec& s = *arch.ssm;
    require(s.d_inner > 0 && s.d_inner <= kMaxDim, "expand", "(d_inner) must be positive and sane");
    require(s.d_state > 0 && s.d_state <= 65536, "state_size", "must be positive and sane");
    require(s.d_conv > 0 && s.d_conv <= 1024, "conv_kernel", "must be positive and sane");
    require(s.dt_rank <= kMaxDim && s.n_groups <= 65536 && s.n_heads <= kMaxDim, "time_step_rank",
            "(or n_groups, num_heads) is absurdly large");
  }
  if (arch.linear_attention) {
    const LinearAttentionSpec& l = *arch.linear_attention;
    require(l.k_heads > 0 && l.v_heads > 0 && l.k_heads <= 65536 && l.v_heads <= 65536,
            "linear_num_key_heads", "and linear_num_value_heads must be positive and sane");
    require(l.k_head_dim > 0 && l.v_head_dim > 0 && l.k_head_dim <= 65536 && l.v_head_dim <= 65536,
            "linear_key_head_dim", "and linear_value_head_dim must be positive and sane");
    require(l.conv_kernel > 0 && l.conv_kernel <= 1024, "linear_conv_kernel_dim",
            "must be positive and sane");
  }
  if (arch.short_conv)
    require(arch.short_conv->kernel > 0 && arch.short_conv->kernel <= 1024, "conv_L_cache",
            "must be positive and sane");
  if (arch.encoder) {
    require(arch.encoder->layers > 0 && arch.encoder->layers <= 100000, "encoder_layers", "must be positive");
    require(arch.encoder->intermediate > 0 && arch.encoder->intermediate <= kMaxDim, "encoder_ffn_dim",
            "must be positive and sane");
    require(arch.encoder->max_positions <= kMaxDim, "max_source_positions", "is absurdly large");
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

namespace model_detail {

inline std::uint64_t norm_elements(NormKind kind, std::uint64_t width) {
  switch (kind) {
    case NormKind::rms:
    case NormKind::layer_no_bias: return width;
    case NormKind::layer: return 2 * width;
    case NormKind::none: return 0;
  }
  return width;
}

class TensorList {
 public:
  explicit TensorList(NormKind norm) : norm_(norm) {}
  void add(TensorRole role, int layer, std::uint64_t ne0, std::uint64_t ne1 = 1, std::uint64_t ne2 = 1) {
    if (ne0 == 0 || ne1 == 0 || ne2 == 0) return;
    tensors_.push_back({role, layer, ne0, ne1, ne2});
  }
  void norm(TensorRole role, int layer, std::uint64_t width) {
    add(role, layer, norm_elements(norm_, width));
  }
  std::vector<TensorShape> take() { return std::move(tensors_); }

 private:
  NormKind norm_;
  std::vector<TensorShape> tensors_;
};

// Standard multi-head attention with GQA, its biases and q/k norms (or MLA).
inline void attention_tensors(TensorList& t, const ModelArch& arch, int i) {
  const std::uint64_t h = arch.hidden;
  const std::uint64_t q_width = arch.heads * arch.head_dim;
  const std::uint64_t kv_width = arch.kv_heads * arch.head_dim;
  if (arch.mla) {
    // formulas.md 1.3; DeepSeek-V3 attention: 187,107,328 parameters per layer.
    const MlaSpec& m = *arch.mla;
    const std::uint64_t qk_head = m.qk_nope_head_dim + m.qk_rope_head_dim;
    if (m.q_lora_rank > 0) {
      t.add(TensorRole::attn_q_a, i, h, m.q_lora_rank);
      t.add(TensorRole::attn_q_a_norm, i, m.q_lora_rank);
      t.add(TensorRole::attn_q_b, i, m.q_lora_rank, arch.heads * qk_head);
    } else {
      t.add(TensorRole::attn_q, i, h, arch.heads * qk_head);
    }
    t.add(TensorRole::attn_kv_a_mqa, i, h, m.kv_lora_rank + m.qk_rope_head_dim);
    t.add(TensorRole::attn_kv_a_norm, i, m.kv_lora_rank);
    t.add(TensorRole::attn_kv_b, i, m.kv_lora_rank, arch.heads * (m.qk_nope_head_dim + m.v_head_dim));
    t.add(TensorRole::attn_output, i, arch.heads * m.v_head_dim, h);
  } else {
    t.add(TensorRole::attn_q, i, h, arch.attn_output_gate ? 2 * q_width : q_width);
    t.add(TensorRole::attn_k, i, h, kv_width);
    t.add(TensorRole::attn_v, i, h, kv_width);
    t.add(TensorRole::attn_output, i, q_width, h);
    if (arch.qkv_bias) {  // Qwen2: q, k and v biases, no o bias
      t.add(TensorRole::attn_q_bias, i, q_width);
      if (arch.k_bias) t.add(TensorRole::attn_k_bias, i, kv_width);
      t.add(TensorRole::attn_v_bias, i, kv_width);
    }
    if (arch.o_bias) t.add(TensorRole::attn_output_bias, i, h);
    if (arch.qk_norm == QkNormKind::per_head) {
      t.norm(TensorRole::attn_q_norm, i, arch.head_dim);
      t.norm(TensorRole::attn_k_norm, i, arch.head_dim);
    } else if (arch.qk_norm == QkNormKind::full) {
      t.norm(TensorRole::attn_q_norm, i, q_width);
      t.norm(TensorRole::attn_k_norm, i, kv_width);
    }
  }
  if (arch.attention_sinks) t.add(TensorRole::attn_sinks, i, arch.heads);
}

// An encoder-decoder's cross-attention: queries from the decoder, keys and values from the encoder.
inline void cross_attention_tensors(TensorList& t, const ModelArch& arch, int i) {
  const std::uint64_t h = arch.hidden;
  const std::uint64_t width = arch.heads * arch.head_dim;
  t.norm(TensorRole::cross_attn_norm, i, h);
  t.add(TensorRole::cross_attn_q, i, h, width);
  t.add(TensorRole::cross_attn_k, i, h, width);
  t.add(TensorRole::cross_attn_v, i, h, width);
  t.add(TensorRole::cross_attn_output, i, width, h);
  // BART: q, k, v and o biases; Whisper: k has none.
  t.add(TensorRole::cross_attn_bias, i,
        (arch.qkv_bias ? (arch.k_bias ? 3 : 2) * width : 0) + (arch.o_bias ? h : 0));
}

inline void ssm_tensors(TensorList& t, const ModelArch& arch, Mixer mixer, int i) {
  const std::uint64_t h = arch.hidden;
  const SsmSpec& s = *arch.ssm;
  if (mixer == Mixer::mamba) {
    // MambaMixer: in_proj h -> 2 d_inner, depthwise conv1d, x_proj d_inner -> dt_rank + 2 d_state,
    // dt_proj dt_rank -> d_inner (with bias), A_log (d_inner x d_state), D, out_proj.
    t.add(TensorRole::ssm_in, i, h, 2 * s.d_inner);
    t.add(TensorRole::ssm_conv1d, i, s.d_conv, s.d_inner);
    t.add(TensorRole::ssm_x, i, s.d_inner, s.dt_rank + 2 * s.d_state);
    t.add(TensorRole::ssm_dt, i, s.dt_rank, s.d_inner);
    t.add(TensorRole::ssm_a, i, s.d_state, s.d_inner);
    t.add(TensorRole::ssm_d, i, s.d_inner);
    t.add(TensorRole::ssm_out, i, s.d_inner, h);
    t.add(TensorRole::ssm_bias, i,
          s.d_inner + (s.conv_bias ? s.d_inner : 0) + (s.proj_bias ? 2 * s.d_inner + h : 0));
    if (s.bcdt_norms) t.add(TensorRole::ssm_norm, i, s.dt_rank + 2 * s.d_state);
    return;
  }
  // Mamba2Mixer: in_proj h -> 2 d_inner + 2 groups x d_state + heads (z, x, B, C, dt), conv1d
  // over x, B and C, per-head dt_bias, A_log and D, a gated RMSNorm, out_proj.
  const std::uint64_t conv_dim = s.d_inner + 2 * s.n_groups * s.d_state;
  t.add(TensorRole::ssm_in, i, h, s.d_inner + conv_dim + s.n_heads);
  t.add(TensorRole::ssm_conv1d, i, s.d_conv, conv_dim);
  t.add(TensorRole::ssm_a, i, s.n_heads);
  t.add(TensorRole::ssm_d, i, s.n_heads);
  if (s.gated_norm) t.add(TensorRole::ssm_norm, i, s.d_inner);
  t.add(TensorRole::ssm_out, i, s.d_inner, h);
  t.add(TensorRole::ssm_bias, i,
        s.n_heads + (s.conv_bias ? conv_dim : 0) + (s.proj_bias ? s.d_inner + conv_dim + s.n_heads + h : 0));
}

inline void gated_deltanet_tensors(TensorList& t, const ModelArch& arch, int i) {
  // Qwen3NextGatedDeltaNet: in_proj_qkvz h -> 2 key_dim + 2 value_dim, in_proj_ba h -> 2 v_heads,
  // conv1d over q, k, v (no bias), dt_bias and A_log per v head, a per-head gated RMSNorm
  // (v_head_dim), out_proj value_dim -> h.
  const LinearAttentionSpec& l = *arch.linear_attention;
  const std::uint64_t key_dim = l.k_heads * l.k_head_dim;
  const std::uint64_t value_dim = l.v_heads * l.v_head_dim;
  t.add(TensorRole::ssm_in, i, arch.hidden, 2 * key_dim + 2 * value_dim);
  t.add(TensorRole::ssm_beta_alpha, i, arch.hidden, 2 * l.v_heads);
  t.add(TensorRole::ssm_conv1d, i, l.conv_kernel, 2 * key_dim + value_dim);
  t.add(TensorRole::ssm_bias, i, l.v_heads);  // dt_bias
  t.add(TensorRole::ssm_a, i, l.v_heads);
  t.add(TensorRole::ssm_norm, i, l.v_head_dim);
  t.add(TensorRole::ssm_out, i, value_dim, arch.hidden);
}

inline void short_conv_tensors(TensorList& t, const ModelArch& arch, int i) {
  // Lfm2ShortConv: in_proj h -> 3h (B, C, x), a depthwise conv of conv_L_cache taps, out_proj.
  const ShortConvSpec& c = *arch.short_conv;
  const std::uint64_t h = arch.hidden;
  t.add(TensorRole::shortconv_in_proj, i, h, 3 * h);
  t.add(TensorRole::shortconv_conv, i, c.kernel, h);
  t.add(TensorRole::shortconv_out_proj, i, h, h);
  if (c.bias) t.add(TensorRole::ssm_bias, i, 3 * h + h + h);
}

inline void ffn_tensors(TensorList& t, const ModelArch& arch, const LayerSpec& layer, int i) {
  const std::uint64_t h = arch.hidden;
  if (layer.moe) {
    const MoeSpec& moe = *arch.moe;
    const std::uint64_t e = moe.experts;
    const std::uint64_t w = moe.expert_intermediate;
    t.add(TensorRole::ffn_gate_inp, i, h, e);  // router
    if (moe.router_bias) t.add(TensorRole::ffn_gate_inp_bias, i, e);
    if (moe.score_correction_bias) t.add(TensorRole::ffn_exp_probs_b, i, e);
    if (moe.expert_mlp == MlpKind::gated) t.add(TensorRole::ffn_gate_exps, i, h, w, e);
    t.add(TensorRole::ffn_up_exps, i, h, w, e);
    t.add(TensorRole::ffn_down_exps, i, w, h, e);
    if (moe.expert_bias) {  // gpt-oss: gate_up_proj_bias (2I) and down_proj_bias (h) per expert
      t.add(TensorRole::ffn_gate_up_exps_bias, i, 2 * w, 1, e);
      t.add(TensorRole::ffn_down_exps_bias, i, h, 1, e);
    }
    if (moe.shared_intermediate > 0) {  // DeepSeek: n_shared x moe width, as one MLP
      if (moe.expert_mlp == MlpKind::gated) t.add(TensorRole::ffn_gate_shexp, i, h, moe.shared_intermediate);
      t.add(TensorRole::ffn_up_shexp, i, h, moe.shared_intermediate);
      t.add(TensorRole::ffn_down_shexp, i, moe.shared_intermediate, h);
      if (moe.shared_expert_gate) t.add(TensorRole::ffn_gate_inp_shexp, i, h);
    }
    return;
  }
  const std::uint64_t w = layer.dense_intermediate;
  if (arch.mlp == MlpKind::gated) t.add(TensorRole::ffn_gate, i, h, w);
  t.add(TensorRole::ffn_up, i, h, w);
  t.add(TensorRole::ffn_down, i, w, h);
  if (arch.mlp_bias) {
    t.add(TensorRole::ffn_up_bias, i, arch.mlp == MlpKind::gated ? 2 * w : w);
    t.add(TensorRole::ffn_down_bias, i, h);
  }
}

}  // namespace model_detail

inline std::vector<TensorShape> model_tensors(const ModelArch& arch) {
  using model_detail::TensorList;
  validate_arch(arch);
  const std::uint64_t h = arch.hidden;
  TensorList t(arch.norm);

  t.add(TensorRole::token_embd, -1, h, checked_add(arch.vocab, arch.extra_embedding_rows));
  if (arch.learned_positions > 0) t.add(TensorRole::position_embd, -1, h, arch.learned_positions);
  if (arch.token_types > 0) t.add(TensorRole::token_types, -1, h, arch.token_types);
  if (arch.embedding_norm) t.norm(TensorRole::token_embd_norm, -1, h);

  // An encoder-decoder's encoder: self-attention and MLP layers, numbered after the decoder's.
  if (arch.encoder) {
    const EncoderSpec& enc = *arch.encoder;
    if (enc.conv_channels > 0) {  // conv1: mel bins -> h, conv2: h -> h, 3 taps each, with biases
      t.add(TensorRole::conv_in, -1, 3 * enc.conv_channels + 1, h);
      t.add(TensorRole::conv_in, -1, 3 * h + 1, h);
    }
    if (enc.max_positions > 0) t.add(TensorRole::position_embd, -1, h, enc.max_positions);
    if (arch.embedding_norm) t.norm(TensorRole::token_embd_norm, -1, h);
    LayerSpec layer;
    layer.dense_intermediate = enc.intermediate;
    for (std::uint64_t n = 0; n < enc.layers; ++n) {
      const int i = static_cast<int>(arch.layers.size() + n);
      t.norm(TensorRole::attn_norm, i, h);
      t.norm(TensorRole::ffn_norm, i, h);
      model_detail::attention_tensors(t, arch, i);
      model_detail::ffn_tensors(t, arch, layer, i);
      if (arch.relative_buckets > 0 && n == 0)
        t.add(TensorRole::attn_rel_b, i, arch.heads, arch.relative_buckets);
    }
    if (arch.final_norm) t.norm(TensorRole::output_norm, -1, h);
  }

  for (std::size_t index = 0; index < arch.layers.size(); ++index) {
    const int i = static_cast<int>(index);
    const LayerSpec& layer = arch.layers[index];
    // Pre-norms (one for a parallel block); Gemma-2/3 add post-attention and post-FFN norms (4).
    const std::uint64_t norms = layer.ffn && layer.mixer != Mixer::none ? arch.norms_per_layer : 1;
    if (index > 0 || arch.first_attn_norm) t.norm(TensorRole::attn_norm, i, h);
    for (std::uint64_t n = 1; n < norms; ++n) t.norm(TensorRole::ffn_norm, i, h);

    switch (layer.mixer) {
      case Mixer::attention:
        model_detail::attention_tensors(t, arch, i);
        if (layer.image_cross_attention) {  // per-head q/k norms and the attention and MLP gates
          t.norm(TensorRole::attn_q_norm, i, arch.head_dim);
          t.norm(TensorRole::attn_k_norm, i, arch.head_dim);
          t.add(TensorRole::cross_attn_bias, i, 2);
        }
        break;
      case Mixer::mamba:
      case Mixer::mamba2: model_detail::ssm_tensors(t, arch, layer.mixer, i); break;
      case Mixer::gated_deltanet: model_detail::gated_deltanet_tensors(t, arch, i); break;
      case Mixer::short_conv: model_detail::short_conv_tensors(t, arch, i); break;
      case Mixer::none: break;
    }
    if (layer.cross_attention) model_detail::cross_attention_tensors(t, arch, i);
    if (arch.relative_buckets > 0 && index == 0)
      t.add(TensorRole::attn_rel_b, i, arch.heads, arch.relative_buckets);
    if (layer.ffn) model_detail::ffn_tensors(t, arch, layer, i);
  }

  if (arch.final_norm) t.norm(TensorRole::output_norm, -1, h);
  if (arch.pooler > 0) t.add(TensorRole::pooler, -1, h + 1, h);
  if (arch.mlm_head) {  // transform dense (h x h + h), its LayerNorm, the decoder's bias (weight tied)
    t.add(TensorRole::pooler, -1, arch.head_bias ? h + 1 : h, h);
    t.norm(TensorRole::output_norm, -1, h);
    t.add(TensorRole::output_bias, -1, arch.vocab);
  }
  if (arch.nsp_head) t.add(TensorRole::pooler, -1, h + 1, 2);
  if (!arch.tied_embeddings && arch.kind != ArchKind::encoder) t.add(TensorRole::output, -1, h, arch.vocab);
  if (arch.lm_head_bias) t.add(TensorRole::output_bias, -1, arch.vocab);
  return t.take();
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
  for (const Tower& tower : arch.towers) counts.towers = checked_add(counts.towers, tower.params);
  return counts;
}

}  // namespace vramest
