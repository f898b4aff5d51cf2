// parse/hf_config.hpp — a Hugging Face config.json to a ModelArch.
//
// Reads the standard fields (hidden_size, num_hidden_layers, num_attention_heads, ...) and the
// family conventions the config leaves implicit. A multimodal config's text part is used
// ("text_config"), and the result says vision weights are not counted. Unknown model types
// with the standard fields work as a Llama-like decoder. Missing or malformed fields throw
// bad_file naming the JSON pointer:
//
//   ModelArch arch = arch_from_hf_config(parse_json_document(text, "config.json"), "config.json");
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vramest/error.hpp"
#include "vramest/model.hpp"

namespace vramest {

namespace hf_detail {

// Reads the fields of one config object, with JSON pointers for errors.
class ConfigReader {
 public:
  ConfigReader(const nlohmann::json& object, std::string origin, std::string base)
      : object_(object), origin_(std::move(origin)), base_(std::move(base)) {}

  bool has(const char* key) const {
    const auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
  }

  Error bad(const char* key, const std::string& what) const {
    return Error(ErrorCode::bad_file, what, {}, origin_ + ":" + base_ + "/" + key);
  }

  std::uint64_t count(const char* key) const {
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) throw bad(key, "missing field (needed to size the model)");
    // Parsed text stores integers >= 0 as unsigned (exact above 2^63); a document built in code
    // (from GGUF metadata) may hold them signed.
    const bool non_negative =
        it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0);
    if (!non_negative) throw bad(key, "expected a non-negative integer");
    return it->get<std::uint64_t>();
  }

  std::uint64_t count_or(const char* key, std::uint64_t fallback) const {
    return has(key) ? count(key) : fallback;
  }

  // The first of several spellings that is present (hidden_size / n_embd / d_model).
  std::uint64_t count_any(std::initializer_list<const char*> keys) const {
    for (const char* key : keys) {
      if (has(key)) return count(key);
    }
    throw bad(*keys.begin(), "missing field (needed to size the model)");
  }

  bool flag_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = object_.at(key);
    if (!v.is_boolean()) throw bad(key, "expected true or false");
    return v.get<bool>();
  }

  std::string text_or(const char* key, std::string fallback) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = object_.at(key);
    if (!v.is_string()) throw bad(key, "expected a string");
    return v.get<std::string>();
  }

  const nlohmann::json* array(const char* key) const {
    if (!has(key)) return nullptr;
    const nlohmann::json& v = object_.at(key);
    if (!v.is_array()) throw bad(key, "expected an array");
    return &v;
  }

  const nlohmann::json& object() const { return object_; }
  const std::string& origin() const { return origin_; }
  const std::string& base() const { return base_; }

 private:
  const nlohmann::json& object_;
  std::string origin_;
  std::string base_;
};

inline bool is_one_of(std::string_view value, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), value) != options.end();
}

// Gemma3TextConfig's defaults (transformers models/gemma3/configuration_gemma3.py), which the
// official gemma-3-4b-it config.json relies on for heads, head_dim and vocabulary.
inline nlohmann::json gemma3_text_defaults() {
  return {{"vocab_size", 262208},
          {"num_attention_heads", 8},
          {"num_key_value_heads", 4},
          {"head_dim", 256},
          {"sliding_window", 4096},
          {"sliding_window_pattern", 6},
          {"max_position_embeddings", 131072}};
}

}  // namespace hf_detail

inline ModelArch arch_from_hf_config(const nlohmann::json& root, const std::string& origin) {
  using hf_detail::is_one_of;
  if (!root.is_object()) throw Error(ErrorCode::bad_file, "expected a JSON object", {}, origin);

  // Vision-language models keep the decoder's fields in text_config.
  nlohmann::json merged = root;
  std::string base;
  bool multimodal = false;
  if (root.contains("text_config") && root["text_config"].is_object()) {
    merged = root["text_config"];
    base = "/text_config";
    multimodal = true;
  }
  std::string model_type = hf_detail::ConfigReader(merged, origin, base).text_or("model_type", "");
  if (model_type.empty()) model_type = hf_detail::ConfigReader(root, origin, "").text_or("model_type", "");
  if (is_one_of(model_type, {"gemma3", "gemma3_text"})) {
    const nlohmann::json defaults = hf_detail::gemma3_text_defaults();
    for (const auto& [key, value] : defaults.items()) {
      if (!merged.contains(key) || merged[key].is_null()) merged[key] = value;
    }
  }
  const hf_detail::ConfigReader c(merged, origin, base);

  ModelArch arch;
  arch.model_type = model_type;
  arch.multimodal = multimodal || hf_detail::ConfigReader(root, origin, "").flag_or("multimodal", false);
  if (arch.multimodal)
    arch.notes.push_back("text model only: vision tower and projector weights are not counted");

  arch.hidden = c.count_any({"hidden_size", "n_embd", "d_model"});
  const std::uint64_t layer_count = c.count_any({"num_hidden_layers", "n_layer", "num_layers"});
  arch.heads = c.count_any({"num_attention_heads", "n_head", "num_heads"});
  if (c.has("num_key_value_heads")) {
    arch.kv_heads = c.count("num_key_value_heads");
  } else if (c.flag_or("multi_query", false)) {
    arch.kv_heads = 1;
  } else {
    arch.kv_heads = arch.heads;
  }
  arch.vocab = c.count_any({"vocab_size", "n_vocab"});
  arch.max_context = c.count_or("max_position_embeddings", c.count_or("n_positions", 0));
  if (arch.heads == 0) throw c.bad("num_attention_heads", "must be positive");
  if (c.has("head_dim")) {
    arch.head_dim = c.count("head_dim");
  } else {
    if (arch.hidden % arch.heads != 0) {
      throw c.bad("head_dim", "missing, and hidden_size is not a multiple of num_attention_heads");
    }
    arch.head_dim = arch.hidden / arch.heads;
  }
  if (layer_count == 0 || layer_count > 100000)
    throw c.bad("num_hidden_layers", "must be between 1 and 100000");

  // Tied embeddings: the class default where config.json omits the key (formulas.md 1.1).
  const bool tied_default = is_one_of(model_type, {"gemma", "gemma2", "gemma3", "gemma3_text"});
  if (!c.has("tie_word_embeddings")) {
    const bool known =
        tied_default || is_one_of(model_type, {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3",
                                               "qwen3_moe", "phi3", "deepseek_v2", "deepseek_v3", "gpt_oss",
                                               "llama4_text", "llama4", "gpt2"});
    if (!known) arch.notes.push_back("tie_word_embeddings absent: assumed false");
  }
  arch.tied_embeddings = c.flag_or("tie_word_embeddings", tied_default);

  // Family conventions that config.json does not spell out.
  const bool attention_bias = c.flag_or("attention_bias", false);
  arch.qkv_bias = attention_bias || is_one_of(model_type, {"qwen2", "qwen2_moe", "qwen2_vl", "qwen2_5_vl"});
  arch.o_bias = attention_bias;
  arch.qk_norm = is_one_of(model_type, {"qwen3", "qwen3_moe", "gemma3", "gemma3_text", "olmo2"});
  arch.norms_per_layer = is_one_of(model_type, {"gemma2", "gemma3", "gemma3_text"}) ? 4 : 2;
  arch.attention_sinks = model_type == "gpt_oss";
  arch.mlp_bias = c.flag_or("mlp_bias", false);
  if (model_type == "gpt2") {
    // GPT-2: LayerNorm, learned positions, biases everywhere, a 4h GELU MLP (n_inner null).
    arch.norm = NormKind::layer;
    arch.mlp = MlpKind::plain;
    arch.qkv_bias = arch.o_bias = arch.mlp_bias = true;
    arch.learned_positions = arch.max_context;
    if (!c.has("tie_word_embeddings")) arch.tied_embeddings = true;
  }

  // Multi-head latent attention (DeepSeek-V2/V3).
  if (c.has("kv_lora_rank")) {
    MlaSpec mla;
    mla.q_lora_rank = c.count_or("q_lora_rank", 0);
    mla.kv_lora_rank = c.count("kv_lora_rank");
    mla.qk_nope_head_dim = c.count("qk_nope_head_dim");
    mla.qk_rope_head_dim = c.count("qk_rope_head_dim");
    mla.v_head_dim = c.count("v_head_dim");
    arch.mla = mla;
  }

  // Mixture of experts: which key names the expert count tells the family.
  std::uint64_t dense_width = c.count_or("intermediate_size", c.count_or("n_inner", 0));
  if (dense_width == 0 && model_type == "gpt2") dense_width = 4 * arch.hidden;
  std::uint64_t moe_dense_width = dense_width;
  std::vector<bool> moe_layer(layer_count, false);
  if (c.count_or("num_local_experts", 0) > 0) {  // Mixtral, gpt-oss, Llama-4
    MoeSpec moe;
    moe.experts = c.count("num_local_experts");
    moe.experts_per_token = c.count_or("num_experts_per_tok", c.count_or("experts_per_token", 0));
    moe.expert_intermediate = dense_width;
    if (model_type == "gpt_oss") moe.router_bias = moe.expert_bias = true;
    std::uint64_t step = 1;
    if (is_one_of(model_type, {"llama4_text", "llama4"})) {
      moe.shared_intermediate = dense_width;  // one shared expert of the expert width
      moe_dense_width = c.count_or("intermediate_size_mlp", dense_width);
      step = std::max<std::uint64_t>(1, c.count_or("interleave_moe_layer_step", 1));
    }
    for (std::uint64_t i = 0; i < layer_count; ++i) moe_layer[i] = (i + 1) % step == 0;
    arch.moe = moe;
  } else if (c.count_or("num_experts", 0) > 0) {  // Qwen2-MoE, Qwen3-MoE
    MoeSpec moe;
    moe.experts = c.count("num_experts");
    moe.experts_per_token = c.count("num_experts_per_tok");
    moe.expert_intermediate = c.count("moe_intermediate_size");
    moe.shared_intermediate = c.count_or("shared_expert_intermediate_size", 0);
    moe.shared_expert_gate = moe.shared_intermediate > 0;
    const std::uint64_t step = std::max<std::uint64_t>(1, c.count_or("decoder_sparse_step", 1));
    // One pass over the list (it can be as long as the file allows); indices past the last
    // layer name no layer.
    std::vector<bool> dense_only(layer_count, false);
    if (const nlohmann::json* list = c.array("mlp_only_layers")) {
      for (const auto& v : *list) {
        if (!v.is_number_unsigned()) throw c.bad("mlp_only_layers", "expected layer indices");
        if (const auto i = v.get<std::uint64_t>(); i < layer_count) dense_only[i] = true;
      }
    }
    for (std::uint64_t i = 0; i < layer_count; ++i) moe_layer[i] = !dense_only[i] && (i + 1) % step == 0;
    arch.moe = moe;
  } else if (c.count_or("n_routed_experts", 0) > 0) {  // DeepSeek-V2/V3
    MoeSpec moe;
    moe.experts = c.count("n_routed_experts");
    moe.experts_per_token = c.count("num_experts_per_tok");
    moe.expert_intermediate = c.count("moe_intermediate_size");
    moe.shared_intermediate = checked_mul(c.count_or("n_shared_experts", 0), moe.expert_intermediate);
    moe.score_correction_bias = model_type == "deepseek_v3" || c.text_or("topk_method", "") == "noaux_tc";
    const std::uint64_t first_dense = c.count_or("first_k_dense_replace", 0);
    const std::uint64_t freq = std::max<std::uint64_t>(1, c.count_or("moe_layer_freq", 1));
    for (std::uint64_t i = 0; i < layer_count; ++i) moe_layer[i] = i >= first_dense && i % freq == 0;
    arch.moe = moe;
    if (c.count_or("num_nextn_predict_layers", 0) > 0) {
      arch.notes.push_back(
          "multi-token-prediction layers are not counted (used only for speculative decoding)");
    }
  }

  // Which layers attend to a window: layer_types when given, else the family's pattern.
  const std::uint64_t window = c.count_or("sliding_window", 0);
  const std::uint64_t chunk = c.count_or("attention_chunk_size", 0);
  std::vector<AttentionScope> scopes(layer_count, AttentionScope::full);
  if (const nlohmann::json* types = c.array("layer_types")) {
    if (types->size() != layer_count) throw c.bad("layer_types", "must list one type per layer");
    for (std::uint64_t i = 0; i < layer_count; ++i) {
      const nlohmann::json& type = (*types)[i];
      if (!type.is_string()) throw c.bad("layer_types", "expected strings");
      const std::string name = type.get<std::string>();
      if (name == "sliding_attention")
        scopes[i] = AttentionScope::sliding;
      else if (name == "chunked_attention")
        scopes[i] = AttentionScope::chunked;
    }
  } else if (model_type == "gemma2") {
    for (std::uint64_t i = 0; i < layer_count; ++i) {
      if (i % 2 == 0) scopes[i] = AttentionScope::sliding;  // even layers are local
    }
  } else if (is_one_of(model_type, {"gemma3", "gemma3_text"})) {
    const std::uint64_t pattern = std::max<std::uint64_t>(1, c.count_or("sliding_window_pattern", 6));
    for (std::uint64_t i = 0; i < layer_count; ++i) {
      if ((i + 1) % pattern != 0) scopes[i] = AttentionScope::sliding;
    }
  } else if (is_one_of(model_type, {"llama4_text", "llama4"}) && chunk > 0) {
    for (std::uint64_t i = 0; i < layer_count; ++i) {
      if ((i + 1) % 4 != 0) scopes[i] = AttentionScope::chunked;  // every 4th layer is global (NoPE)
    }
  } else if (window > 0 && c.flag_or("use_sliding_window", true)) {
    std::fill(scopes.begin(), scopes.end(), AttentionScope::sliding);
  }

  arch.layers.resize(layer_count);
  for (std::uint64_t i = 0; i < layer_count; ++i) {
    LayerSpec& layer = arch.layers[i];
    layer.moe = moe_layer[i];
    layer.dense_intermediate = arch.moe ? moe_dense_width : dense_width;
    layer.scope = scopes[i];
    if (layer.scope == AttentionScope::sliding) {
      if (window == 0) throw c.bad("sliding_window", "missing, but layer_types names sliding layers");
      layer.window = window;
    } else if (layer.scope == AttentionScope::chunked) {
      if (chunk == 0) throw c.bad("attention_chunk_size", "missing, but layer_types names chunked layers");
      layer.window = chunk;
    }
    if (!layer.moe && layer.dense_intermediate == 0) throw c.bad("intermediate_size", "missing or zero");
  }
  try {
    validate_arch(arch);
  } catch (const Error& e) {
    throw Error(ErrorCode::bad_file, e.what(), {}, origin + ":" + base);
  }
  return arch;
}

}  // namespace vramest
