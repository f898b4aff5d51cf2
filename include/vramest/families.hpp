// families.hpp — what each model family's config.json leaves unsaid, as one table.
//
// A config.json gives the sizes (hidden_size, layers, heads...); the family's modeling code fixes
// the rest: which norm, which biases, a gated or plain MLP, tied embeddings when the key is
// absent, learned positions, the defaults of its config class. One row per family holds that,
// read from transformers' models/<family>/configuration_<family>.py and modeling_<family>.py and
// llama.cpp's src/llama-arch.cpp (its GGUF architecture names). A new family is a row here plus a
// test pinning a published checkpoint's count; only a genuinely new layer kind needs code
// (model.hpp's builders).
//
//   const Family* f = find_family("gpt_neox");   // plain GELU MLP, LayerNorm with biases...
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "vramest/model.hpp"

namespace vramest {

// Where the layers' kinds come from when the config has no explicit list (layer_types,
// hybrid_override_pattern, ... are read for every family).
enum class LayerPattern {
  uniform,              // every layer alike (sliding everywhere when sliding_window is set and used)
  even_layers_sliding,  // Gemma-2: even layers local, odd global
  every_nth_global,     // Gemma-3, Cohere2: every sliding_window_pattern-th layer global
  chunked_every_4th,    // Llama-4: three chunked layers, then a global NoPE layer
};

// Which state-space mixer a family's "mamba" layers are.
enum class SsmKind { none, mamba, mamba2 };

// Family rules that are not a field of the row because they read several config keys at once.
enum class Quirk {
  none,
  falcon,      // one LayerNorm for the parallel block unless new_decoder_architecture (then two)
  gpt2_mlp,    // the MLP width defaults to 4 x hidden (GPT-2, GPT-J, BLOOM, GPT-BigCode, Falcon)
  mpt,         // the MLP width is expansion_ratio x d_model
  lfm2,        // LFM2's MLP width: block_ff_dim adjusted by 2/3, a multiplier and multiple_of
  modernbert,  // alternating local/global attention; the first layer has no attention norm
  mllama,      // cross-attention layers to the image tokens at cross_attention_layers
};

struct Family {
  std::string_view name;         // shown in output
  std::string_view model_types;  // config.json model_type values, space-separated
  std::string_view gguf_arch;    // llama.cpp general.architecture values, space-separated
  ArchKind kind = ArchKind::decoder;
  NormKind norm = NormKind::rms;
  std::uint8_t norms_per_layer = 2;  // 1: a parallel attention+MLP block under one norm
  MlpKind mlp = MlpKind::gated;
  bool qkv_bias = false;  // defaults; attention_bias, use_bias, bias... in the config win
  bool o_bias = false;
  bool mlp_bias = false;
  bool lm_head_bias = false;
  QkNormKind qk_norm = QkNormKind::none;
  bool tied = false;  // tie_word_embeddings when config.json omits it (the config class default)
  std::uint8_t position_rows_extra = 0;  // learned positions: rows beyond max_position_embeddings (OPT: 2)
  bool learned_positions = false;
  bool embedding_norm = false;
  bool attention_sinks = false;
  bool attn_output_gate = false;
  bool weightless_qk_norm = false;  // use_qk_norm without parameters (Llama-4's L2 norm)
  LayerPattern pattern = LayerPattern::uniform;
  SsmKind ssm = SsmKind::none;
  Quirk quirk = Quirk::none;
  // Field spellings of this family, "field=/pointer|/pointer;...": they replace the common
  // spellings for that field ("field=" reads nothing: Mamba-2's num_heads are not attention heads).
  std::string_view keys{};
  // The config class's defaults that published config.json files rely on (a JSON object).
  std::string_view defaults{};
  // Defaults applied only to a nested text_config (a top-level config missing them is refused,
  // not guessed at).
  std::string_view nested_defaults{};
  // MoE details: a sigmoid gate on the shared expert (Qwen2-MoE); router and expert biases
  // (gpt-oss); an expert-score correction bias (DeepSeek-V3 noaux_tc).
  bool shared_expert_gate = false;
  bool moe_biases = false;
  bool score_correction_bias = false;
  MlpKind expert_mlp = MlpKind::gated;
};

// Llama-like decoders differ only in these rows' fields.
inline constexpr std::array kFamilies = std::to_array<Family>({
    {.name = "Llama",
     .model_types = "llama yi aquila xverse exaone internlm internlm2 internlm3 baichuan granite "
                    "ernie4_5 hunyuan_v1_dense seed_oss apertus arcee mistral3 ministral",
     .gguf_arch = "llama mistral3 internlm2 baichuan granite exaone ernie4_5 seed_oss arcee hunyuan-dense",
     .keys = "hidden=/hidden_size|/n_embd;heads=/num_attention_heads;layers=/num_hidden_layers|/num_layers",
     // LlamaConfig's defaults: LLaVA's text_config gives only what differs from them.
     .nested_defaults =
         R"({"vocab_size":32000,"hidden_size":4096,"intermediate_size":11008,"num_hidden_layers":32,)"
         R"("num_attention_heads":32,"max_position_embeddings":2048})"},
    {.name = "SmolLM3", .model_types = "smollm3", .gguf_arch = "smollm3", .tied = true},
    {.name = "Mistral",
     .model_types = "mistral",
     .gguf_arch = "",
     .nested_defaults =
         R"({"vocab_size":32000,"hidden_size":4096,"intermediate_size":14336,"num_hidden_layers":32,)"
         R"("num_attention_heads":32,"num_key_value_heads":8,"max_position_embeddings":131072,)"
         R"("sliding_window":4096})"},
    // Llama-3.2-Vision's text model: cross-attention layers (cross_attention_layers) attend to the
    // image tokens with per-head q/k norms and two tanh gates; 8 extra embedding rows.
    {.name = "Mllama", .model_types = "mllama mllama_text_model", .gguf_arch = "", .quirk = Quirk::mllama},
    {.name = "Mixtral",
     .model_types = "mixtral",
     .gguf_arch = "",
     .keys = "expert_intermediate=/moe_intermediate_size|/intermediate_size"},
    {.name = "Qwen2",
     .model_types = "qwen2 qwen2_vl qwen2_5_vl qwen2_vl_text qwen2_5_vl_text",
     .gguf_arch = "qwen2",
     .qkv_bias = true},
    {.name = "Qwen2-MoE",
     .model_types = "qwen2_moe",
     .gguf_arch = "qwen2moe",
     .qkv_bias = true,
     .shared_expert_gate = true},
    {.name = "Qwen3",
     .model_types = "qwen3 qwen3_vl_text",
     .gguf_arch = "qwen3",
     .qk_norm = QkNormKind::per_head},
    {.name = "Qwen3-MoE",
     .model_types = "qwen3_moe qwen3_vl_moe_text",
     .gguf_arch = "qwen3moe",
     .qk_norm = QkNormKind::per_head},
    {.name = "Qwen3-Next",
     .model_types = "qwen3_next",
     .gguf_arch = "qwen3next",
     .qk_norm = QkNormKind::per_head,
     .attn_output_gate = true,
     .shared_expert_gate = true},
    {.name = "Gemma", .model_types = "gemma", .gguf_arch = "gemma", .tied = true},
    {.name = "Gemma-2",
     .model_types = "gemma2",
     .gguf_arch = "gemma2",
     .norms_per_layer = 4,
     .tied = true,
     .pattern = LayerPattern::even_layers_sliding},
    // Gemma3TextConfig's defaults: the official gemma-3-4b-it config.json relies on them.
    {.name = "Gemma-3",
     .model_types = "gemma3 gemma3_text",
     .gguf_arch = "gemma3",
     .norms_per_layer = 4,
     .qk_norm = QkNormKind::per_head,
     .tied = true,
     .pattern = LayerPattern::every_nth_global,
     .defaults = R"({"vocab_size":262208,"num_attention_heads":8,"num_key_value_heads":4,"head_dim":256,)"
                 R"("sliding_window":4096,"sliding_window_pattern":6,"max_position_embeddings":131072})"},
    {.name = "Phi-3", .model_types = "phi3", .gguf_arch = "phi3"},
    {.name = "DeepSeek-V2", .model_types = "deepseek_v2", .gguf_arch = "deepseek2"},
    {.name = "DeepSeek-V3",
     .model_types = "deepseek_v3 kimi_k2",
     .gguf_arch = "deepseek2",
     .score_correction_bias = true},
    {.name = "gpt-oss",
     .model_types = "gpt_oss",
     .gguf_arch = "gpt-oss",
     .qkv_bias = true,
     .o_bias = true,
     .attention_sinks = true,
     .moe_biases = true},
    {.name = "Llama-4",
     .model_types = "llama4 llama4_text",
     .gguf_arch = "llama4",
     .weightless_qk_norm = true,
     .pattern = LayerPattern::chunked_every_4th},
    // GPT-2: LayerNorm, learned positions, biases everywhere, a 4h GELU MLP (n_inner null).
    {.name = "GPT-2",
     .model_types = "gpt2",
     .gguf_arch = "gpt2",
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true,
     .tied = true,
     .learned_positions = true,
     .quirk = Quirk::gpt2_mlp},
    // GPT-BigCode (StarCoder, SantaCoder): GPT-2 with multi-query attention.
    {.name = "GPT-BigCode",
     .model_types = "gpt_bigcode",
     .gguf_arch = "starcoder",
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true,
     .tied = true,
     .learned_positions = true,
     .quirk = Quirk::gpt2_mlp},
    // GPT-NeoX (Pythia): fused qkv with bias, plain GELU MLP with biases, untied embed_out.
    {.name = "GPT-NeoX",
     .model_types = "gpt_neox",
     .gguf_arch = "gptneox",
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true},
    // GPT-J: one LayerNorm for the parallel block, no attention biases, an lm_head bias.
    {.name = "GPT-J",
     .model_types = "gptj",
     .gguf_arch = "gptj",
     .norm = NormKind::layer,
     .norms_per_layer = 1,
     .mlp = MlpKind::plain,
     .mlp_bias = true,
     .lm_head_bias = true,
     .quirk = Quirk::gpt2_mlp,
     .keys = "heads=/n_head;head_dim="},
    // OPT: learned positions with 2 offset rows, biases everywhere, ReLU MLP of ffn_dim.
    {.name = "OPT",
     .model_types = "opt",
     .gguf_arch = "",
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true,
     .tied = true,
     .position_rows_extra = 2,
     .learned_positions = true},
    // BLOOM: ALiBi, a LayerNorm after the embeddings, fused qkv, biases everywhere.
    {.name = "BLOOM",
     .model_types = "bloom",
     .gguf_arch = "bloom",
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true,
     .tied = true,
     .embedding_norm = true,
     .quirk = Quirk::gpt2_mlp,
     .keys = "heads=/n_head|/num_attention_heads"},
    // Falcon: multi-query (7B) or grouped (40B/180B) fused qkv, a parallel block, 4h GELU MLP.
    {.name = "Falcon",
     .model_types = "falcon RefinedWeb RefinedWebModel",
     .gguf_arch = "falcon",
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .tied = true,
     .quirk = Quirk::falcon,
     .keys = "kv_heads=/num_kv_heads|/n_head_kv;heads=/num_attention_heads|/n_head"},
    // MPT: ALiBi, LayerNorms without bias (no_bias), no lm_head (always tied).
    {.name = "MPT",
     .model_types = "mpt",
     .gguf_arch = "mpt",
     .norm = NormKind::layer_no_bias,
     .mlp = MlpKind::plain,
     .tied = true,
     .quirk = Quirk::mpt,
     .keys = "kv_heads=/attn_config/kv_n_heads",
     .defaults = R"({"d_model":2048,"n_heads":16,"n_layers":24,"expansion_ratio":4,"max_seq_len":2048,)"
                 R"("vocab_size":50368})"},
    // Phi-1/1.5/2: one LayerNorm for the parallel block, biases everywhere, an lm_head bias.
    {.name = "Phi",
     .model_types = "phi",
     .gguf_arch = "phi2",
     .norm = NormKind::layer,
     .norms_per_layer = 1,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true,
     .lm_head_bias = true},
    // Phi-3.5-MoE: LayerNorms with bias, attention biases, an lm_head bias.
    {.name = "PhiMoE",
     .model_types = "phimoe",
     .gguf_arch = "phimoe",
     .norm = NormKind::layer,
     .qkv_bias = true,
     .o_bias = true,
     .lm_head_bias = true,
     .keys = "expert_intermediate=/moe_intermediate_size|/intermediate_size"},
    {.name = "StarCoder2",
     .model_types = "starcoder2",
     .gguf_arch = "starcoder2",
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true,
     .tied = true},
    {.name = "StableLM",
     .model_types = "stablelm stablelm_epoch",
     .gguf_arch = "stablelm",
     .norm = NormKind::layer},
    // OLMo-1: LayerNorms without parameters.
    {.name = "OLMo", .model_types = "olmo", .gguf_arch = "olmo", .norm = NormKind::none},
    // OLMo-2: post-norms only, q and k normed over the whole projection.
    {.name = "OLMo-2", .model_types = "olmo2 olmo3", .gguf_arch = "olmo2", .qk_norm = QkNormKind::full},
    {.name = "OLMoE",
     .model_types = "olmoe",
     .gguf_arch = "olmoe",
     .qk_norm = QkNormKind::full,
     .keys = "expert_intermediate=/moe_intermediate_size|/intermediate_size"},
    // Cohere (Command-R): one bias-free LayerNorm for the parallel block, tied embeddings.
    {.name = "Cohere",
     .model_types = "cohere",
     .gguf_arch = "command-r",
     .norm = NormKind::layer_no_bias,
     .norms_per_layer = 1,
     .tied = true},
    {.name = "Cohere2",
     .model_types = "cohere2",
     .gguf_arch = "cohere2",
     .norm = NormKind::layer_no_bias,
     .norms_per_layer = 1,
     .tied = true,
     .pattern = LayerPattern::every_nth_global,
     .defaults = R"({"sliding_window_pattern":4})"},
    // DBRX: bias-free LayerNorms, fused Wqkv, 16 experts of ffn_hidden_size.
    {.name = "DBRX",
     .model_types = "dbrx",
     .gguf_arch = "dbrx",
     .norm = NormKind::layer_no_bias,
     .keys = "hidden=/d_model;heads=/n_heads;layers=/n_layers;kv_heads=/attn_config/kv_n_heads;"
             "experts=/ffn_config/moe_num_experts;experts_per_token=/ffn_config/moe_top_k;"
             "expert_intermediate=/ffn_config/ffn_hidden_size;max_context=/max_seq_len",
     .defaults = R"({"attn_config":{"kv_n_heads":1},"ffn_config":{"moe_num_experts":4,"moe_top_k":1,)"
                 R"("ffn_hidden_size":3584}})"},
    // ChatGLM-2/3, GLM-4 (2024): fused qkv with bias, gated MLP, an untied output layer.
    {.name = "ChatGLM",
     .model_types = "chatglm glm",
     .gguf_arch = "chatglm",
     .qkv_bias = true,
     .keys = "layers=/num_layers|/num_hidden_layers;kv_heads=/multi_query_group_num|/num_key_value_heads;"
             "head_dim=/kv_channels|/head_dim;intermediate=/ffn_hidden_size|/intermediate_size;"
             "vocab=/padded_vocab_size|/vocab_size;max_context=/seq_length|/max_position_embeddings"},
    // GLM-4-0414: four norms per layer, q/k/v biases.
    {.name = "GLM-4", .model_types = "glm4", .gguf_arch = "glm4", .norms_per_layer = 4, .qkv_bias = true},
    {.name = "GLM-4-MoE",
     .model_types = "glm4_moe",
     .gguf_arch = "glm4moe",
     .qkv_bias = true,
     .score_correction_bias = true},
    {.name = "Granite-MoE",
     .model_types = "granitemoe granitemoeshared",
     .gguf_arch = "granitemoe",
     .keys = "expert_intermediate=/moe_intermediate_size|/intermediate_size;shared_intermediate=/"
             "shared_intermediate_size|/shared_expert_intermediate_size"},
    {.name = "Granite-4.0-H",
     .model_types = "granitemoehybrid",
     .gguf_arch = "granitehybrid",
     .ssm = SsmKind::mamba2,
     .keys = "expert_intermediate=/moe_intermediate_size|/intermediate_size;shared_intermediate=/"
             "shared_intermediate_size|/shared_expert_intermediate_size;"
             "intermediate=/shared_intermediate_size"},
    // Nemotron (Minitron): LayerNorm1P with bias, squared-ReLU plain MLP.
    {.name = "Nemotron",
     .model_types = "nemotron",
     .gguf_arch = "nemotron",
     .norm = NormKind::layer,
     .mlp = MlpKind::plain},
    // Nemotron-H: one mixer per layer from hybrid_override_pattern (M Mamba-2, * attention,
    // - MLP, E MoE); plain squared-ReLU MLPs.
    {.name = "Nemotron-H",
     .model_types = "nemotron_h",
     .gguf_arch = "nemotron_h nemotron_h_moe",
     .mlp = MlpKind::plain,
     .ssm = SsmKind::mamba2,
     .keys = "ssm_heads=/mamba_num_heads;ssm_head_dim=/mamba_head_dim;ssm_groups=/n_groups;"
             "ssm_state=/ssm_state_size;ssm_conv=/conv_kernel;expert_intermediate=/moe_intermediate_size;"
             "shared_intermediate=/moe_shared_expert_intermediate_size",
     .score_correction_bias = true,
     .expert_mlp = MlpKind::plain},
    {.name = "Jamba",
     .model_types = "jamba",
     .gguf_arch = "jamba",
     .ssm = SsmKind::mamba,
     .keys = "expert_intermediate=/moe_intermediate_size|/intermediate_size"},
    {.name = "Mamba",
     .model_types = "mamba falcon_mamba",
     .gguf_arch = "mamba",
     .tied = true,
     .ssm = SsmKind::mamba,
     .keys = "heads=;head_dim=;kv_heads="},
    {.name = "Mamba-2",
     .model_types = "mamba2",
     .gguf_arch = "mamba2",
     .ssm = SsmKind::mamba2,
     .keys = "heads=;head_dim=;kv_heads=;ssm_heads=/num_heads;ssm_head_dim=/head_dim"},
    {.name = "LFM2",
     .model_types = "lfm2",
     .gguf_arch = "lfm2",
     .qk_norm = QkNormKind::per_head,
     .tied = true,
     .quirk = Quirk::lfm2},
    // ERNIE-4.5-MoE: moe_statics.e_score_correction_bias (one per expert) in every MoE layer.
    {.name = "ERNIE-4.5-MoE",
     .model_types = "ernie4_5_moe",
     .gguf_arch = "ernie4_5-moe",
     .tied = true,
     .keys = "experts=/moe_num_experts;experts_per_token=/moe_k",
     .score_correction_bias = true},
    {.name = "Hunyuan-MoE",
     .model_types = "hunyuan_v1_moe",
     .gguf_arch = "hunyuan-moe",
     .qk_norm = QkNormKind::per_head},
    // Encoders: no KV cache.
    {.name = "BERT",
     .model_types = "bert roberta xlm-roberta camembert",
     .gguf_arch = "bert",
     .kind = ArchKind::encoder,
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true,
     .tied = true,
     .learned_positions = true,
     .embedding_norm = true},
    // ModernBERT: bias-free LayerNorms and linears, fused Wqkv, a GeGLU MLP (Wi is 2 x intermediate).
    {.name = "ModernBERT",
     .model_types = "modernbert",
     .gguf_arch = "modern-bert",
     .kind = ArchKind::encoder,
     .norm = NormKind::layer_no_bias,
     .tied = true,
     .embedding_norm = true,
     .quirk = Quirk::modernbert},
    // Encoder-decoders.
    {.name = "T5",
     .model_types = "t5 mt5 umt5",
     .gguf_arch = "t5",
     .kind = ArchKind::encoder_decoder,
     .norm = NormKind::layer_no_bias,
     .mlp = MlpKind::plain,
     .tied = true,
     .keys = "hidden=/d_model;heads=/num_heads;head_dim=/d_kv;intermediate=/d_ff;layers=/num_decoder_layers|/"
             "num_layers"},
    {.name = "BART",
     .model_types = "bart mbart",
     .gguf_arch = "",
     .kind = ArchKind::encoder_decoder,
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true,
     .tied = true,
     .position_rows_extra = 2,
     .learned_positions = true,
     .embedding_norm = true,
     .keys = "hidden=/d_model;heads=/decoder_attention_heads;layers=/decoder_layers;intermediate=/"
             "decoder_ffn_dim"},
    {.name = "Whisper",
     .model_types = "whisper",
     .gguf_arch = "",
     .kind = ArchKind::encoder_decoder,
     .norm = NormKind::layer,
     .mlp = MlpKind::plain,
     .qkv_bias = true,
     .o_bias = true,
     .mlp_bias = true,
     .tied = true,
     .learned_positions = true,
     .keys = "hidden=/d_model;heads=/decoder_attention_heads;layers=/decoder_layers;intermediate=/"
             "decoder_ffn_dim;"
             "max_context=/max_target_positions"},
});

namespace family_detail {

// Whether `word` is one of the space-separated words of `list`.
constexpr bool has_word(std::string_view list, std::string_view word) {
  while (!list.empty()) {
    const std::size_t space = list.find(' ');
    const std::string_view head = list.substr(0, space);
    if (head == word) return true;
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
  return false;
}

}  // namespace family_detail

// The family row for a config's model_type; null: not a known family.
inline const Family* find_family(std::string_view model_type) {
  for (const Family& f : kFamilies) {
    if (family_detail::has_word(f.model_types, model_type)) return &f;
  }
  return nullptr;
}

// The family row for a GGUF general.architecture; null: not a known family.
inline const Family* find_family_by_gguf(std::string_view architecture) {
  for (const Family& f : kFamilies) {
    if (family_detail::has_word(f.gguf_arch, architecture)) return &f;
  }
  return nullptr;
}

}  // namespace vramest
