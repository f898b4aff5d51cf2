// parse/hf_config.hpp — a Hugging Face config.json to a ModelArch.
//
// The family table (families.hpp) says what the config leaves unsaid; this reader finds each
// field under its spellings (hidden_size / n_embd / d_model ...), applies the config class's
// defaults, reads the layer pattern (layer_types, hybrid_override_pattern, attn_layer_period,
// full_attention_interval, ...) and the mixers' sizes, and builds the per-layer spec. Nested
// language configs (text_config, llm_config, language_config, thinker_config) are read with
// their own family. An unknown family is estimated as a generic decoder with a warning when the
// standard fields are there; a missing field throws bad_file naming its JSON pointer:
//
//   ModelArch arch = arch_from_hf_config(parse_json_document(text, "config.json"), "config.json");
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/families.hpp"
#include "vramest/model.hpp"
#include "vramest/parse/vision_config.hpp"

namespace vramest {

namespace hf_detail {

// The spellings every family shares, by field; a family's `keys` replace a field's list.
struct FieldSpellings {
  std::string_view field;
  std::string_view pointers;  // '|'-separated JSON pointers
};

inline constexpr std::array kCommonSpellings = std::to_array<FieldSpellings>({
    {"hidden", "/hidden_size|/n_embd|/d_model|/dim"},
    {"layers", "/num_hidden_layers|/n_layer|/num_layers|/n_layers"},
    {"heads", "/num_attention_heads|/n_head|/num_heads|/n_heads"},
    {"kv_heads", "/num_key_value_heads|/num_kv_heads|/n_head_kv|/multi_query_group_num"},
    {"head_dim", "/head_dim|/kv_channels"},
    {"intermediate", "/intermediate_size|/n_inner|/ffn_dim|/ffn_hidden_size|/d_ff"},
    {"vocab", "/vocab_size|/n_vocab|/padded_vocab_size"},
    {"max_context", "/max_position_embeddings|/n_positions|/max_seq_len|/seq_length|/max_sequence_length"},
    {"experts", "/num_local_experts|/num_experts|/n_routed_experts|/moe_num_experts"},
    {"experts_per_token", "/num_experts_per_tok|/experts_per_token|/num_experts_per_token|/moe_k|/moe_top_k"},
    {"expert_intermediate", "/moe_intermediate_size|/expert_intermediate_size"},
    {"shared_intermediate", "/shared_expert_intermediate_size|/moe_shared_expert_intermediate_size"},
    {"shared_experts", "/n_shared_experts|/num_shared_experts|/moe_num_shared_experts|/num_shared_expert"},
    {"ssm_state", "/state_size|/mamba_d_state|/ssm_state_size|/d_state"},
    {"ssm_conv", "/conv_kernel|/mamba_d_conv|/d_conv"},
    {"ssm_expand", "/expand|/mamba_expand"},
    {"ssm_dt_rank", "/time_step_rank|/mamba_dt_rank|/dt_rank"},
    {"ssm_groups", "/n_groups|/mamba_n_groups|/ngroups"},
    {"ssm_heads", "/mamba_n_heads|/mamba_num_heads"},
    {"ssm_head_dim", "/mamba_d_head|/mamba_head_dim"},
    {"ssm_proj_bias", "/use_bias|/mamba_proj_bias"},
    {"ssm_conv_bias", "/use_conv_bias|/mamba_conv_bias"},
});

// Reads the fields of one config object under the family's spellings, with JSON pointers for
// errors.
class ConfigReader {
 public:
  ConfigReader(const nlohmann::json& object, const Family& family, std::string origin, std::string base)
      : object_(object), family_(family), origin_(std::move(origin)), base_(std::move(base)) {}

  Error bad(std::string_view pointer, const std::string& what) const {
    return Error(ErrorCode::bad_file, what, {}, origin_ + ":" + base_ + std::string(pointer));
  }

  // The JSON value of a pointer, or null when absent or null.
  const nlohmann::json* at(std::string_view pointer) const {
    const nlohmann::json* node = &object_;
    std::string_view rest = pointer;
    while (!rest.empty()) {
      rest.remove_prefix(1);  // '/'
      const std::size_t slash = rest.find('/');
      const std::string key(rest.substr(0, slash));
      if (!node->is_object()) return nullptr;
      const auto it = node->find(key);
      if (it == node->end() || it->is_null()) return nullptr;
      node = &*it;
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    }
    return node;
  }

  // The spellings of a field: the family's own, else the common ones.
  std::string_view spellings(std::string_view field) const {
    std::string_view keys = family_.keys;
    while (!keys.empty()) {
      const std::size_t end = keys.find(';');
      const std::string_view entry = keys.substr(0, end);
      const std::size_t eq = entry.find('=');
      if (entry.substr(0, eq) == field) return entry.substr(eq + 1);
      if (end == std::string_view::npos) break;
      keys.remove_prefix(end + 1);
    }
    for (const FieldSpellings& s : kCommonSpellings) {
      if (s.field == field) return s.pointers;
    }
    return {};
  }

  // The first spelling of `field` that is present, and its pointer.
  std::pair<const nlohmann::json*, std::string_view> find(std::string_view field) const {
    std::string_view list = spellings(field);
    while (!list.empty()) {
      const std::size_t bar = list.find('|');
      const std::string_view pointer = list.substr(0, bar);
      if (const nlohmann::json* v = at(pointer)) return {v, pointer};
      if (bar == std::string_view::npos) break;
      list.remove_prefix(bar + 1);
    }
    return {nullptr, {}};
  }

  std::uint64_t count_at(const nlohmann::json& v, std::string_view pointer) const {
    // Parsed text stores integers >= 0 as unsigned (exact above 2^63); a document built in code
    // (from GGUF metadata) may hold them signed.
    const bool non_negative = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    if (!non_negative) throw bad(pointer, "expected a non-negative integer");
    return v.get<std::uint64_t>();
  }

  bool has(std::string_view field) const { return find(field).first != nullptr; }

  std::uint64_t count(std::string_view field) const {
    const auto [v, pointer] = find(field);
    if (v == nullptr) {
      const std::string_view list = spellings(field);
      throw bad(list.substr(0, list.find('|')), "missing field (needed to size the model)");
    }
    return count_at(*v, pointer);
  }

  std::uint64_t count_or(std::string_view field, std::uint64_t fallback) const {
    const auto [v, pointer] = find(field);
    return v != nullptr ? count_at(*v, pointer) : fallback;
  }

  // A plain key of this object (not a family field).
  std::uint64_t key_or(const char* key, std::uint64_t fallback) const {
    const std::string pointer = std::string("/") + key;
    const nlohmann::json* v = at(pointer);
    return v != nullptr ? count_at(*v, pointer) : fallback;
  }

  bool flag_or(const char* key, bool fallback) const {
    const std::string pointer = std::string("/") + key;
    const nlohmann::json* v = at(pointer);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) throw bad(pointer, "expected true or false");
    return v->get<bool>();
  }

  bool field_flag_or(std::string_view field, bool fallback) const {
    const auto [v, pointer] = find(field);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) throw bad(pointer, "expected true or false");
    return v->get<bool>();
  }

  std::string text_or(const char* key, std::string fallback) const {
    const std::string pointer = std::string("/") + key;
    const nlohmann::json* v = at(pointer);
    if (v == nullptr) return fallback;
    if (!v->is_string()) throw bad(pointer, "expected a string");
    return v->get<std::string>();
  }

  const nlohmann::json* array(const char* key) const {
    const std::string pointer = std::string("/") + key;
    const nlohmann::json* v = at(pointer);
    if (v != nullptr && !v->is_array()) throw bad(pointer, "expected an array");
    return v;
  }

  const Family& family() const { return family_; }

 private:
  const nlohmann::json& object_;
  const Family& family_;
  std::string origin_;
  std::string base_;
};

// The row an unknown family is read with: a Llama-like decoder.
inline constexpr Family kGenericDecoder{.name = "generic decoder", .model_types = "", .gguf_arch = ""};

// Nested language-model configs of multimodal checkpoints, by key.
inline constexpr std::array<const char*, 4> kTextConfigKeys{"text_config", "llm_config", "language_config",
                                                            "thinker_config"};

// Applies a family's config-class defaults to absent keys (objects merged one level down). A
// default is skipped where the config spells the same field another way (EXAONE's num_layers
// for num_hidden_layers).
inline void apply_defaults(nlohmann::json& config, std::string_view text, const Family& family) {
  if (text.empty()) return;
  const nlohmann::json defaults = nlohmann::json::parse(text);
  const ConfigReader reader(config, family, "", "");
  const auto spelled_otherwise = [&](const std::string& key) {
    const std::string pointer = "/" + key;
    for (const FieldSpellings& s : kCommonSpellings) {
      const std::string_view list = reader.spellings(s.field);
      if (list.find(pointer) == std::string_view::npos) continue;
      if (reader.find(s.field).first != nullptr) return true;
    }
    return false;
  };
  for (const auto& [key, value] : defaults.items()) {
    if (!config.contains(key)) {  // an explicit null stays null, as in transformers
      if (!spelled_otherwise(key)) config[key] = value;
    } else if (value.is_object() && config[key].is_object()) {
      for (const auto& [inner, v] : value.items()) {
        if (!config[key].contains(inner)) config[key][inner] = v;
      }
    }
  }
}

// Each layer's mixer and scope, from the config's explicit pattern or the family's.
struct LayerKinds {
  std::vector<LayerSpec> layers;
  bool explicit_pattern = false;
};

// The mixer of a hybrid family's layers that do not attend.
inline Mixer family_ssm_mixer(const Family& family) {
  if (family.quirk == Quirk::lfm2) return Mixer::short_conv;
  return family.ssm == SsmKind::mamba2 ? Mixer::mamba2 : Mixer::mamba;
}

inline LayerKinds layer_kinds(const ConfigReader& c, std::uint64_t count) {
  const Family& family = c.family();
  LayerKinds out;
  out.layers.resize(count);
  const auto set_all = [&](Mixer mixer, bool ffn) {
    for (LayerSpec& l : out.layers) {
      l.mixer = mixer;
      l.ffn = ffn;
    }
  };
  if (const nlohmann::json* types = c.array("layer_types")) {
    if (types->size() != count) throw c.bad("/layer_types", "must list one type per layer");
    for (std::uint64_t i = 0; i < count; ++i) {
      const nlohmann::json& type = (*types)[i];
      if (!type.is_string()) throw c.bad("/layer_types", "expected strings");
      const std::string name = type.get<std::string>();
      LayerSpec& l = out.layers[i];
      if (name == "sliding_attention" || name == "sliding" || name == "local") {
        l.scope = AttentionScope::sliding;
      } else if (name == "chunked_attention") {
        l.scope = AttentionScope::chunked;
      } else if (name == "linear_attention") {
        l.mixer = Mixer::gated_deltanet;
      } else if (name == "conv") {
        l.mixer = Mixer::short_conv;
      } else if (name == "mamba" || name == "mamba2") {
        l.mixer = family_ssm_mixer(family);
      } else if (name != "full_attention" && name != "attention" && name != "global" && name != "full") {
        throw c.bad("/layer_types/" + std::to_string(i), "unknown layer type '" + name + "'");
      }
    }
    out.explicit_pattern = true;
    return out;
  }
  const nlohmann::json* hybrid = c.at("/hybrid_override_pattern");
  if (hybrid != nullptr) {
    if (!hybrid->is_string() || hybrid->get_ref<const std::string&>().size() != count)
      throw c.bad("/hybrid_override_pattern", "must be a string of one character per layer");
    const std::string& pattern = hybrid->get_ref<const std::string&>();
    for (std::uint64_t i = 0; i < count; ++i) {
      LayerSpec& l = out.layers[i];
      switch (pattern[i]) {
        case 'M':
          l.mixer = Mixer::mamba2;
          l.ffn = false;
          break;
        case '*': l.ffn = false; break;
        case '-': l.mixer = Mixer::none; break;
        case 'E':
          l.mixer = Mixer::none;
          l.moe = true;
          break;
        default:
          throw c.bad("/hybrid_override_pattern",
                      std::string("unknown layer kind '") + pattern[i] + "' (expected M, *, - or E)");
      }
    }
    out.explicit_pattern = true;
    return out;
  }
  if (const nlohmann::json* blocks = c.array("layers_block_type")) {
    if (blocks->size() != count) throw c.bad("/layers_block_type", "must list one type per layer");
    for (std::uint64_t i = 0; i < count; ++i) {
      const nlohmann::json& type = (*blocks)[i];
      if (!type.is_string()) throw c.bad("/layers_block_type", "expected strings");
      const std::string& name = type.get_ref<const std::string&>();
      if (name == "mamba") {
        out.layers[i].mixer = family_ssm_mixer(family);
      } else if (name != "attention") {
        throw c.bad("/layers_block_type/" + std::to_string(i), "unknown layer type '" + name + "'");
      }
    }
    out.explicit_pattern = true;
    return out;
  }
  if (c.at("/attn_layer_period") != nullptr) {  // Jamba: attention every period-th layer
    const std::uint64_t period = std::max<std::uint64_t>(1, c.key_or("attn_layer_period", 8));
    const std::uint64_t offset = c.key_or("attn_layer_offset", 4);
    for (std::uint64_t i = 0; i < count; ++i) {
      if (i % period != offset) out.layers[i].mixer = family_ssm_mixer(family);
    }
    out.explicit_pattern = true;
    return out;
  }
  const nlohmann::json* indices = c.array("attn_layer_indices");
  if (indices == nullptr) indices = c.array("full_attn_idxs");  // LFM2
  if (indices != nullptr) {
    set_all(family_ssm_mixer(family), true);
    for (const nlohmann::json& v : *indices) {
      if (!v.is_number_unsigned()) throw c.bad("/full_attn_idxs", "expected layer indices");
      if (const auto i = v.get<std::uint64_t>(); i < count) out.layers[i].mixer = Mixer::attention;
    }
    out.explicit_pattern = true;
    return out;
  }
  if (c.at("/full_attention_interval") != nullptr) {  // Qwen3-Next: every interval-th layer attends
    const std::uint64_t interval = std::max<std::uint64_t>(1, c.key_or("full_attention_interval", 4));
    for (std::uint64_t i = 0; i < count; ++i) {
      if ((i + 1) % interval != 0) out.layers[i].mixer = Mixer::gated_deltanet;
    }
    out.explicit_pattern = true;
    return out;
  }
  if (family.ssm != SsmKind::none && family.name.starts_with("Mamba")) {
    set_all(family_ssm_mixer(family), false);  // pure state-space models: one mixer per layer
    return out;
  }
  switch (family.pattern) {
    case LayerPattern::even_layers_sliding:
      for (std::uint64_t i = 0; i < count; i += 2) out.layers[i].scope = AttentionScope::sliding;
      break;
    case LayerPattern::every_nth_global: {
      const std::uint64_t pattern = std::max<std::uint64_t>(1, c.key_or("sliding_window_pattern", 6));
      for (std::uint64_t i = 0; i < count; ++i) {
        if ((i + 1) % pattern != 0) out.layers[i].scope = AttentionScope::sliding;
      }
      break;
    }
    case LayerPattern::chunked_every_4th:
      if (c.key_or("attention_chunk_size", 0) > 0) {
        for (std::uint64_t i = 0; i < count; ++i) {
          if ((i + 1) % 4 != 0) out.layers[i].scope = AttentionScope::chunked;
        }
      }
      break;
    case LayerPattern::uniform:
      if (c.key_or("sliding_window", 0) > 0 && c.flag_or("use_sliding_window", true)) {
        for (LayerSpec& l : out.layers) l.scope = AttentionScope::sliding;
      }
      break;
  }
  return out;
}

// Which layers' MLPs are mixtures of experts, from whichever of the families' keys is present.
inline std::vector<bool> moe_layers(const ConfigReader& c, std::uint64_t count) {
  std::vector<bool> moe(count, true);
  if (c.at("/first_k_dense_replace") != nullptr || c.at("/moe_layer_freq") != nullptr) {  // DeepSeek, GLM-4.5
    const std::uint64_t first_dense = c.key_or("first_k_dense_replace", 0);
    const nlohmann::json* freq_value = c.at("/moe_layer_freq");
    const std::uint64_t freq = freq_value != nullptr && freq_value->is_number_unsigned()
                                   ? std::max<std::uint64_t>(1, freq_value->get<std::uint64_t>())
                                   : 1;
    for (std::uint64_t i = 0; i < count; ++i) moe[i] = i >= first_dense && i % freq == 0;
  } else if (c.at("/interleave_moe_layer_step") != nullptr) {  // Llama-4
    const std::uint64_t step = std::max<std::uint64_t>(1, c.key_or("interleave_moe_layer_step", 1));
    for (std::uint64_t i = 0; i < count; ++i) moe[i] = (i + 1) % step == 0;
  } else if (c.at("/expert_layer_period") != nullptr) {  // Jamba
    const std::uint64_t period = std::max<std::uint64_t>(1, c.key_or("expert_layer_period", 2));
    const std::uint64_t offset = c.key_or("expert_layer_offset", 1);
    for (std::uint64_t i = 0; i < count; ++i) moe[i] = i % period == offset;
  } else if (c.at("/moe_layer_start_index") != nullptr ||
             c.at("/moe_layer_interval") != nullptr) {  // ERNIE-4.5
    const std::uint64_t start = c.key_or("moe_layer_start_index", 0);
    const nlohmann::json* end_value = c.at("/moe_layer_end_index");
    const std::uint64_t end =
        end_value != nullptr && end_value->is_number_integer() && end_value->get<std::int64_t>() >= 0
            ? end_value->get<std::uint64_t>()
            : count - 1;
    const std::uint64_t interval = std::max<std::uint64_t>(1, c.key_or("moe_layer_interval", 1));
    for (std::uint64_t i = 0; i < count; ++i) moe[i] = i >= start && i <= end && (i - start) % interval == 0;
  } else {  // Qwen-MoE: decoder_sparse_step and mlp_only_layers
    const std::uint64_t step = std::max<std::uint64_t>(1, c.key_or("decoder_sparse_step", 1));
    for (std::uint64_t i = 0; i < count; ++i) moe[i] = (i + 1) % step == 0;
  }
  // One pass over the list (it can be as long as the file allows); indices past the last layer
  // name no layer.
  if (const nlohmann::json* list = c.array("mlp_only_layers")) {
    for (const nlohmann::json& v : *list) {
      if (!v.is_number_unsigned()) throw c.bad("/mlp_only_layers", "expected layer indices");
      if (const auto i = v.get<std::uint64_t>(); i < count) moe[i] = false;
    }
  }
  return moe;
}

inline bool is_one_of(std::string_view value, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), value) != options.end();
}

// The biases a config turns on: attention_bias, use_bias, bias, use_qkv_bias, add_qkv_bias...
inline void read_biases(const ConfigReader& c, ModelArch& arch) {
  const Family& f = c.family();
  arch.qkv_bias = f.qkv_bias;
  arch.o_bias = f.o_bias;
  arch.mlp_bias = f.mlp_bias;
  for (const char* all : {"use_bias", "bias", "enable_bias"}) {  // StarCoder2, Falcon, InternLM2, OPT
    if (c.at(std::string("/") + all) != nullptr && f.ssm == SsmKind::none) {
      arch.qkv_bias = arch.o_bias = arch.mlp_bias = c.flag_or(all, false);
    }
  }
  if (c.at("/attention_bias") != nullptr) {
    arch.qkv_bias = c.flag_or("attention_bias", false);
    // Families whose attention biases are q, k and v only (Qwen2, GLM-4) keep o bias-free.
    arch.o_bias = arch.qkv_bias && (f.o_bias || !f.qkv_bias);
  }
  for (const char* qkv : {"use_qkv_bias", "add_qkv_bias", "qkv_bias"}) {
    if (c.at(std::string("/") + qkv) != nullptr) arch.qkv_bias = c.flag_or(qkv, false);
  }
  arch.mlp_bias = c.flag_or("mlp_bias", arch.mlp_bias);
  if ((c.flag_or("use_qk_norm", false) || c.flag_or("qk_layernorm", false)) && !f.weightless_qk_norm) {
    arch.qk_norm = f.qk_norm != QkNormKind::none ? f.qk_norm
                   : f.norm == NormKind::layer_no_bias || f.name.starts_with("StableLM")
                       ? QkNormKind::full
                       : QkNormKind::per_head;
  }
}

// The MLP width of a layer when the config does not give one directly.
inline std::uint64_t dense_width(const ConfigReader& c, const ModelArch& arch) {
  const Family& f = c.family();
  if (f.quirk == Quirk::mpt) return checked_mul(c.key_or("expansion_ratio", 4), arch.hidden);
  if (f.quirk == Quirk::lfm2 && c.at("/block_ff_dim") != nullptr) {
    // Lfm2MLP: with block_auto_adjust_ff_dim, ff = int(2 * ff / 3), times the multiplier, rounded
    // up to block_multiple_of.
    std::uint64_t ff = c.key_or("block_ff_dim", 0);
    if (c.flag_or("block_auto_adjust_ff_dim", true)) {
      ff = 2 * ff / 3;
      if (const nlohmann::json* m = c.at("/block_ffn_dim_multiplier"); m != nullptr && m->is_number()) {
        ff = static_cast<std::uint64_t>(m->get<double>() * static_cast<double>(ff));
      }
      const std::uint64_t multiple = std::max<std::uint64_t>(1, c.key_or("block_multiple_of", 256));
      ff = multiple * ((ff + multiple - 1) / multiple);
    }
    return ff;
  }
  const std::uint64_t width = c.count_or("intermediate", 0);
  if (width == 0 && (f.quirk == Quirk::gpt2_mlp || f.quirk == Quirk::falcon)) return 4 * arch.hidden;
  return width;
}

inline void read_mixers(const ConfigReader& c, ModelArch& arch, const std::vector<LayerSpec>& layers) {
  const auto uses = [&](Mixer m) {
    return std::any_of(layers.begin(), layers.end(), [m](const LayerSpec& l) { return l.mixer == m; });
  };
  if (uses(Mixer::mamba) || uses(Mixer::mamba2)) {
    SsmSpec s;
    s.d_state = c.count("ssm_state");
    s.d_conv = c.count_or("ssm_conv", 4);
    s.proj_bias = c.field_flag_or("ssm_proj_bias", false);
    s.conv_bias = c.field_flag_or("ssm_conv_bias", true);
    const std::uint64_t heads = c.count_or("ssm_heads", 0);
    const std::uint64_t head_dim = c.count_or("ssm_head_dim", 0);
    // Mamba-1 checkpoints give the width as intermediate_size (Falcon-Mamba's expand is stale);
    // Mamba-2 and the hybrids as heads x head_dim or expand x hidden.
    const std::uint64_t mamba1_width = c.family().name == "Mamba" ? c.key_or("intermediate_size", 0) : 0;
    s.d_inner = heads > 0 && head_dim > 0 ? checked_mul(heads, head_dim)
                : mamba1_width > 0        ? mamba1_width
                                          : checked_mul(c.count_or("ssm_expand", 2), arch.hidden);
    if (uses(Mixer::mamba2)) {
      s.n_groups = std::max<std::uint64_t>(1, c.count_or("ssm_groups", 1));
      s.n_heads = heads > 0 ? heads : head_dim > 0 ? s.d_inner / head_dim : s.d_inner / 64;
    } else {
      // time_step_rank "auto": ceil(hidden / 16) (MambaConfig).
      const auto [rank, pointer] = c.find("ssm_dt_rank");
      s.dt_rank =
          rank != nullptr && !rank->is_string() ? c.count_at(*rank, pointer) : (arch.hidden + 15) / 16;
      s.bcdt_norms = c.family().name == "Jamba";
    }
    arch.ssm = s;
  }
  if (uses(Mixer::gated_deltanet)) {
    LinearAttentionSpec l;
    l.k_heads = c.key_or("linear_num_key_heads", 0);
    l.v_heads = c.key_or("linear_num_value_heads", 0);
    l.k_head_dim = c.key_or("linear_key_head_dim", 0);
    l.v_head_dim = c.key_or("linear_value_head_dim", 0);
    l.conv_kernel = c.key_or("linear_conv_kernel_dim", 4);
    if (l.k_heads == 0)
      throw c.bad("/linear_num_key_heads", "missing, but linear-attention layers are named");
    arch.linear_attention = l;
  }
  if (uses(Mixer::short_conv)) {
    ShortConvSpec s;
    s.kernel = c.key_or("conv_L_cache", 3);
    s.bias = c.flag_or("conv_bias", false);
    arch.short_conv = s;
  }
}

inline void read_moe(const ConfigReader& c, ModelArch& arch, std::uint64_t dense) {
  if (c.count_or("experts", 0) == 0) return;
  const Family& f = c.family();
  MoeSpec moe;
  moe.experts = c.count("experts");
  moe.experts_per_token = c.count("experts_per_token");
  moe.expert_intermediate = c.count_or("expert_intermediate", dense);
  if (c.has("shared_intermediate")) {
    moe.shared_intermediate = c.count("shared_intermediate");
  } else {
    moe.shared_intermediate = checked_mul(c.count_or("shared_experts", 0), moe.expert_intermediate);
  }
  moe.shared_expert_gate = f.shared_expert_gate && moe.shared_intermediate > 0;
  moe.router_bias = moe.expert_bias = f.moe_biases;
  moe.score_correction_bias = f.score_correction_bias || c.text_or("topk_method", "") == "noaux_tc";
  moe.expert_mlp = f.expert_mlp;
  if (f.name == "Llama-4") moe.shared_intermediate = moe.expert_intermediate;  // one shared expert
  arch.moe = moe;
}

// An encoder-decoder's encoder stack and its decoder's cross-attention (T5, BART, Whisper).
inline void read_encoder(const ConfigReader& c, ModelArch& arch) {
  const Family& f = c.family();
  EncoderSpec enc;
  for (LayerSpec& layer : arch.layers) layer.cross_attention = true;
  if (f.name == "T5") {
    // T5Config: num_layers encoder layers (num_decoder_layers defaults to it); "gated-gelu" (v1.1,
    // Flan-T5) is a gated MLP; a relative position bias in the first layer of each stack.
    enc.layers = c.key_or("num_layers", 0);
    enc.intermediate = c.key_or("d_ff", 0);
    if (c.text_or("feed_forward_proj", "relu").starts_with("gated")) arch.mlp = MlpKind::gated;
    arch.relative_buckets = c.key_or("relative_attention_num_buckets", 32);
  } else {
    // BART and Whisper: encoder_layers and encoder_ffn_dim; BART's encoder has learned positions
    // with the same 2 offset rows; Whisper's encoder reads mel frames through two convolutions.
    enc.layers = c.key_or("encoder_layers", 0);
    enc.intermediate = c.key_or("encoder_ffn_dim", 0);
    if (f.name == "Whisper") {
      enc.max_positions = c.key_or("max_source_positions", 1500);
      enc.source_length = enc.max_positions;
      enc.conv_channels = c.key_or("num_mel_bins", 80);
      arch.k_bias = false;
    } else {
      enc.max_positions = arch.learned_positions;
      arch.final_norm = c.flag_or("add_final_layer_norm", false);
    }
  }
  arch.encoder = enc;
}

// What an encoder checkpoint holds besides the encoder, by its architectures entry: BertModel
// (sentence embedders) its pooler; *ForMaskedLM the masked-LM head without a pooler (RoBERTa);
// *ForPreTraining also the pooler and the next-sentence head. Google's original BERT
// checkpoints say BertForMaskedLM but are pre-training dumps (bert-base-uncased: 110,106,428 =
// the encoder and pooler + the MLM head + the NSP head).
inline void read_encoder_heads(const ConfigReader& c, ModelArch& arch, const std::string& model_type) {
  std::string head;
  if (const nlohmann::json* list = c.array("architectures");
      list != nullptr && !list->empty() && (*list)[0].is_string())
    head = (*list)[0].get<std::string>();
  const bool masked_lm = head.ends_with("ForMaskedLM");
  const bool pretraining = head.ends_with("ForPreTraining") || (masked_lm && model_type == "bert");
  arch.pooler = masked_lm && !pretraining ? 0 : 1;
  arch.mlm_head = masked_lm || pretraining;
  arch.nsp_head = pretraining;
}

inline ModelArch read_decoder(const nlohmann::json& object, const Family& family, const std::string& origin,
                              const std::string& base, const std::string& model_type) {
  const ConfigReader c(object, family, origin, base);
  ModelArch arch;
  arch.model_type = model_type;
  arch.family = std::string(family.name);
  arch.kind = family.kind;
  arch.norm = family.norm;
  arch.mlp = family.mlp;
  arch.qk_norm = family.qk_norm;
  arch.norms_per_layer = family.norms_per_layer;
  arch.lm_head_bias = family.lm_head_bias;
  arch.embedding_norm = family.embedding_norm;
  arch.attention_sinks = family.attention_sinks;
  arch.attn_output_gate = family.attn_output_gate;
  arch.final_norm = family.kind != ArchKind::encoder || family.name != "BERT";

  arch.hidden = c.count("hidden");
  const std::uint64_t layer_count = c.count("layers");
  if (layer_count == 0 || layer_count > 100000)
    throw c.bad("/num_hidden_layers", "must be between 1 and 100000");
  arch.vocab = c.count("vocab");
  arch.max_context = c.count_or("max_context", 0);

  LayerKinds kinds = layer_kinds(c, layer_count);
  const bool attention = std::any_of(kinds.layers.begin(), kinds.layers.end(),
                                     [](const LayerSpec& l) { return l.has_attention(); });
  if (attention) {
    arch.heads = c.count("heads");
    if (arch.heads == 0)
      throw c.bad(c.spellings("heads").substr(0, c.spellings("heads").find('|')), "must be positive");
    if (c.has("kv_heads")) {
      arch.kv_heads = c.count("kv_heads");
    } else if (c.flag_or("multi_query", false)) {
      arch.kv_heads = 1;
    } else {
      arch.kv_heads = arch.heads;
    }
    if (c.has("head_dim")) {
      arch.head_dim = c.count("head_dim");
    } else {
      if (arch.hidden % arch.heads != 0)
        throw c.bad("/head_dim", "missing, and hidden_size is not a multiple of num_attention_heads");
      arch.head_dim = arch.hidden / arch.heads;
    }
  }

  // Tied embeddings: the class default where config.json omits the key (formulas.md 1.1).
  arch.tied_embeddings = c.flag_or("tie_word_embeddings", family.tied);
  read_biases(c, arch);

  if (family.learned_positions) {
    arch.learned_positions = checked_add(arch.max_context, family.position_rows_extra);
    arch.token_types = c.key_or("type_vocab_size", 0);
  }
  if (family.quirk == Quirk::falcon) {
    // Falcon-7B: one LayerNorm before the parallel block; 40B/180B (new_decoder_architecture):
    // ln_attn and ln_mlp. A non-parallel Falcon (RW-1B) has two, as any decoder.
    const bool new_arch = c.flag_or("new_decoder_architecture", false);
    const bool parallel = c.flag_or("parallel_attn", true);
    arch.norms_per_layer = new_arch ? c.key_or("num_ln_in_parallel_attn", 2) : parallel ? 1 : 2;
    if (!new_arch && !c.has("kv_heads")) arch.kv_heads = c.flag_or("multi_query", true) ? 1 : arch.heads;
    arch.tied_embeddings = c.flag_or("tie_word_embeddings", true);
  }
  if (family.quirk == Quirk::mpt) arch.tied_embeddings = true;  // MPT has no lm_head

  // Multi-head latent attention (DeepSeek-V2/V3, Kimi K2).
  if (c.at("/kv_lora_rank") != nullptr) {
    MlaSpec mla;
    mla.q_lora_rank = c.key_or("q_lora_rank", 0);
    mla.kv_lora_rank = c.key_or("kv_lora_rank", 0);
    mla.qk_nope_head_dim = c.key_or("qk_nope_head_dim", 0);
    mla.qk_rope_head_dim = c.key_or("qk_rope_head_dim", 0);
    mla.v_head_dim = c.key_or("v_head_dim", 0);
    arch.mla = mla;
  }

  const std::uint64_t width = dense_width(c, arch);
  read_moe(c, arch, width);
  std::uint64_t dense = width;
  if (arch.moe && family.name == "Llama-4") dense = c.key_or("intermediate_size_mlp", width);
  const std::vector<bool> moe = arch.moe ? moe_layers(c, layer_count) : std::vector<bool>(layer_count, false);
  read_mixers(c, arch, kinds.layers);
  if (arch.moe && c.key_or("num_nextn_predict_layers", 0) > 0) {
    arch.notes.push_back(
        "multi-token-prediction layers are not counted (used only for speculative decoding)");
  }

  const std::uint64_t window = c.key_or("sliding_window", 0);
  const std::uint64_t chunk = c.key_or("attention_chunk_size", 0);
  for (std::uint64_t i = 0; i < layer_count; ++i) {
    LayerSpec& layer = kinds.layers[i];
    if (layer.ffn) {
      // hybrid_override_pattern marks MoE layers itself; other configs by the keys above.
      const bool marked = c.at("/hybrid_override_pattern") != nullptr;
      layer.moe = arch.moe.has_value() && (marked ? layer.moe : moe[i]);
      layer.dense_intermediate = layer.moe ? 0 : dense;
    }
    if (layer.scope == AttentionScope::sliding) {
      if (window == 0) throw c.bad("/sliding_window", "missing, but the layer pattern names sliding layers");
      layer.window = window;
    } else if (layer.scope == AttentionScope::chunked) {
      if (chunk == 0)
        throw c.bad("/attention_chunk_size", "missing, but the layer pattern names chunked layers");
      layer.window = chunk;
    }
    if (layer.ffn && !layer.moe && layer.dense_intermediate == 0) {
      throw c.bad("/intermediate_size", "missing or zero");
    }
  }
  // Gemma-3n: the last num_kv_shared_layers layers read an earlier layer's keys and values.
  const std::uint64_t shared = std::min<std::uint64_t>(c.key_or("num_kv_shared_layers", 0), layer_count);
  for (std::uint64_t i = layer_count - shared; i < layer_count; ++i) kinds.layers[i].shares_kv = true;
  arch.layers = std::move(kinds.layers);
  if (family.kind == ArchKind::encoder_decoder) read_encoder(c, arch);
  if (family.kind == ArchKind::encoder) read_encoder_heads(c, arch, model_type);
  if (family.quirk == Quirk::mllama) {
    arch.extra_embedding_rows = 8;  // MllamaTextModel: embed_tokens of vocab_size + 8 rows
    if (const nlohmann::json* list = c.array("cross_attention_layers")) {
      for (const nlohmann::json& v : *list) {
        if (!v.is_number_unsigned()) throw c.bad("/cross_attention_layers", "expected layer indices");
        if (const auto i = v.get<std::uint64_t>(); i < arch.layers.size())
          arch.layers[i].image_cross_attention = true;
      }
    }
  }
  if (family.quirk == Quirk::modernbert) {
    // ModernBERT: layer 0 has no attention norm (the embedding norm precedes it); the head's
    // dense layer has a bias only with classifier_bias.
    arch.first_attn_norm = false;
    arch.head_bias = c.flag_or("classifier_bias", false);
  }
  return arch;
}

}  // namespace hf_detail

inline ModelArch arch_from_hf_config(const nlohmann::json& root, const std::string& origin) {
  using hf_detail::is_one_of;
  if (!root.is_object()) throw Error(ErrorCode::bad_file, "expected a JSON object", {}, origin);

  // Vision-language models keep the decoder's fields in a nested language config.
  nlohmann::json config = root;
  std::string base;
  bool multimodal = false;
  for (const char* key : hf_detail::kTextConfigKeys) {
    const auto it = root.find(key);
    if (it != root.end() && it->is_object()) {
      config = *it;
      base = std::string("/") + key;
      multimodal = true;
      break;
    }
  }
  const hf_detail::ConfigReader top(root, hf_detail::kGenericDecoder, origin, "");
  std::string model_type =
      hf_detail::ConfigReader(config, hf_detail::kGenericDecoder, origin, base).text_or("model_type", "");
  if (model_type.empty()) model_type = top.text_or("model_type", "");
  const Family* family = find_family(model_type);
  if (family == nullptr && multimodal) {
    // LLaVA's text_config may omit model_type and rely on Llama's defaults.
    const std::string outer = top.text_or("model_type", "");
    if (!find_family(outer)) family = find_family("llama");
  }
  const Family& row = family != nullptr ? *family : hf_detail::kGenericDecoder;
  hf_detail::apply_defaults(config, row.defaults, row);
  if (multimodal) hf_detail::apply_defaults(config, row.nested_defaults, row);

  ModelArch arch;
  try {
    arch = hf_detail::read_decoder(config, row, origin, base, model_type);
  } catch (const Error& e) {
    if (family != nullptr || e.code() != ErrorCode::bad_file) throw;
    throw Error(ErrorCode::bad_file,
                "model_type '" + model_type + "' is not a family vramest knows, and " + e.what(), e.hint(),
                e.where());
  }
  if (family == nullptr) {
    arch.family = "generic decoder";
    arch.warnings.push_back("model_type '" + (model_type.empty() ? std::string("(none)") : model_type) +
                            "' is not a known family: approximated as a generic decoder (Llama-like: "
                            "RMSNorm, gated MLP, no biases); a safetensors or GGUF file gives exact weights");
  }
  arch.multimodal = multimodal || top.flag_or("multimodal", false) || top.at("/vision_config") != nullptr;
  if (row.quirk == Quirk::mllama) {
    // Each image is up to max_num_tiles tiles of (image_size / patch_size)^2 + 1 tokens (560/14:
    // 1601); the cross-attention layers cache them once per sequence.
    const hf_detail::ConfigReader vision(root.contains("vision_config") ? root["vision_config"] : root, row,
                                         origin, "/vision_config");
    const std::uint64_t patch = std::max<std::uint64_t>(1, vision.key_or("patch_size", 14));
    const std::uint64_t side = vision.key_or("image_size", 560) / patch;
    arch.image_tokens =
        checked_mul(vision.key_or("max_num_tiles", 4), checked_add(checked_mul(side, side), 1));
  }
  arch.towers = vision_towers(root, arch.hidden, origin);
  for (const Tower& tower : arch.towers) {
    arch.notes.push_back(std::string(tower.kind == TowerKind::projector ? "projector" : "vision tower") +
                         " (" + tower.name + ", " + std::to_string(tower.params) +
                         " parameters) counted in the weights at 16 bits");
  }
  if (arch.multimodal && arch.towers.empty())
    arch.notes.push_back("text model only: vision tower and projector weights are not counted");
  try {
    validate_arch(arch);
  } catch (const Error& e) {
    throw Error(ErrorCode::bad_file, e.what(), {}, origin + ":" + base);
  }
  return arch;
}

}  // namespace vramest
