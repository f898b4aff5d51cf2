// model_file.hpp — a model on disk: a GGUF file (split or not), a .safetensors file, a sharded
// set through model.safetensors.index.json, or a checkpoint directory (config.json plus weights).
//
// Only headers are read (parse/gguf.hpp, parse/safetensors.hpp). The weights are the exact
// stored bytes of every tensor, by type; vision towers, projectors and multi-token-prediction
// layers are counted apart from the text model. The architecture comes from the GGUF metadata
// (mapped to config.json fields and read by parse/hf_config.hpp) or from config.json:
//
//   ModelFile f = read_model_file("Llama-3.1-8B-Q4_K_M.gguf");
//   f.text.bytes;      // what the weights take, exactly
//   *f.arch;           // for the KV cache and activations
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/formats.hpp"
#include "vramest/io/json.hpp"
#include "vramest/io/text_file.hpp"
#include "vramest/model.hpp"
#include "vramest/parse/gguf.hpp"
#include "vramest/parse/hf_config.hpp"
#include "vramest/parse/safetensors.hpp"

namespace vramest {

enum class TensorPart { text, vision, mtp };

struct FileTensor {
  std::string name;
  std::string type;  // ggml type name or safetensors dtype, lower case
  std::vector<std::uint64_t> shape;
  std::uint64_t elements = 0;
  std::uint64_t bytes = 0;
  TensorPart part = TensorPart::text;
};

struct PartTotals {
  std::uint64_t params = 0;
  Bytes bytes;
};

struct ModelFile {
  std::string format;  // "gguf" or "safetensors"
  std::vector<std::string> paths;
  Bytes file_bytes;
  std::vector<std::pair<std::string, std::string>> metadata;  // the keys that matter, as text
  std::vector<FileTensor> tensors;
  std::optional<ModelArch> arch;
  std::string weight_format;  // the stored format, as an id weight formats know (or the dtype)
  PartTotals text, vision, mtp;
  WeightBreakdown weights;  // the text model's stored bytes, by type
  std::vector<std::string> notes;
};

namespace model_file_detail {

inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

inline bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Vision towers and projectors, as Hugging Face multimodal checkpoints name them.
inline bool is_vision_name(const std::string& name) {
  for (const char* marker :
       {"vision_tower", "vision_model", "visual.", "multi_modal_projector", "mm_projector", "image_newline",
        "vision_embed", "patch_embed", "mm.", "v.blk."}) {
    if (name.find(marker) != std::string::npos) return true;
  }
  return false;
}

// The layer index in "model.layers.12.x" / "blk.12.x", or -1.
inline long layer_index(const std::string& name) {
  for (const char* prefix : {"model.layers.", "blk.", "layers.", "model.language_model.layers."}) {
    const std::size_t at = name.find(prefix);
    if (at == std::string::npos) continue;
    std::size_t i = at + std::string_view(prefix).size();
    long n = 0;
    bool digits = false;
    for (; i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])) != 0 && n < 1'000'000; ++i) {
      n = n * 10 + (name[i] - '0');
      digits = true;
    }
    if (digits) return n;
  }
  return -1;
}

// llama_ftype values (include/llama.h) to the mix names formats.hpp knows.
inline std::string gguf_file_type_name(std::uint64_t ftype) {
  switch (ftype) {
    case 0: return "f32";
    case 1: return "f16";
    case 2: return "q4_0";
    case 3: return "q4_1";
    case 7: return "q8_0";
    case 8: return "q5_0";
    case 9: return "q5_1";
    case 10: return "q2_k";
    case 11: return "q3_k_s";
    case 12: return "q3_k_m";
    case 13: return "q3_k_l";
    case 14: return "q4_k_s";
    case 15: return "q4_k_m";
    case 16: return "q5_k_s";
    case 17: return "q5_k_m";
    case 18: return "q6_k";
    case 19: return "iq2_xxs";
    case 20: return "iq2_xs";
    case 21: return "q2_k_s";
    case 22: return "iq3_xs";
    case 23: return "iq3_xxs";
    case 24: return "iq1_s";
    case 25: return "iq4_nl";
    case 26: return "iq3_s";
    case 27: return "iq3_m";
    case 28: return "iq2_s";
    case 29: return "iq2_m";
    case 30: return "iq4_xs";
    case 31: return "iq1_m";
    case 32: return "gguf-bf16";
    case 36: return "tq1_0";
    case 37: return "tq2_0";
    case 38: return "mxfp4_moe";
    default: return "";
  }
}

// GGUF architecture names (src/llama-arch.cpp) to Hugging Face model_type, through the family
// table; llama.cpp's "llama" covers Mixtral and "deepseek2" both DeepSeek generations.
inline std::string hf_model_type(const std::string& arch, bool has_experts, bool score_bias) {
  if (arch == "llama") return has_experts ? "mixtral" : "llama";
  if (arch == "deepseek2") return score_bias ? "deepseek_v3" : "deepseek_v2";
  if (const Family* f = find_family_by_gguf(arch)) {
    const std::string_view types = f->model_types;
    return std::string(types.substr(0, types.find(' ')));
  }
  return arch;
}

// A per-layer GGUF array (head_count_kv, feed_forward_length), or empty when the key is a scalar.
inline std::vector<std::int64_t> gguf_layer_array(const GgufFile& f, const std::string& key) {
  const GgufValue* v = f.find(key);
  if (v == nullptr || v->type != GgufType::array) return {};
  return v->ints;
}

// The config.json fields a GGUF's metadata gives (keys: src/llama-arch.cpp LLM_KV_NAMES).
inline nlohmann::json config_from_gguf(const GgufFile& f, const std::string& origin) {
  const std::optional<std::string> arch_name = f.get_string("general.architecture");
  if (!arch_name)
    throw Error(ErrorCode::bad_file, "no general.architecture in the GGUF metadata", {}, origin);
  const std::string& a = *arch_name;
  const auto key = [&](const char* suffix) { return a + "." + suffix; };
  const auto count = [&](const char* suffix) { return f.get_uint(key(suffix)); };
  bool has_experts = count("expert_count").value_or(0) > 0;
  bool score_bias = false;
  bool has_output = false;
  for (const GgufTensor& t : f.tensors) {
    if (t.name.find("exp_probs_b") != std::string::npos) score_bias = true;
    if (t.name == "output.weight") has_output = true;
  }
  nlohmann::json c;
  c["model_type"] = hf_model_type(a, has_experts, score_bias);
  const auto put = [&](const char* field, std::optional<std::uint64_t> value) {
    if (value) c[field] = *value;
  };
  put("hidden_size", count("embedding_length"));
  put("num_hidden_layers", count("block_count"));
  put("num_attention_heads", count("attention.head_count"));
  put("max_position_embeddings", count("context_length"));
  // head_count_kv and feed_forward_length may be per-layer arrays: the largest value sizes the
  // layers (array values of 0 mark layers without attention or MLP).
  const auto scalar_or_max = [&](const char* suffix) -> std::optional<std::uint64_t> {
    if (const auto v = count(suffix)) return v;
    const GgufValue* arr = f.find(key(suffix));
    if (arr == nullptr || arr->type != GgufType::array || arr->ints.empty()) return std::nullopt;
    std::int64_t best = 0;
    for (std::int64_t x : arr->ints) best = std::max(best, x);
    return best > 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(best)) : std::nullopt;
  };
  put("num_key_value_heads", scalar_or_max("attention.head_count_kv"));
  put("intermediate_size", scalar_or_max("feed_forward_length"));
  std::optional<std::uint64_t> vocab = count("vocab_size");
  if (!vocab) {
    if (const GgufValue* tokens = f.find("tokenizer.ggml.tokens");
        tokens != nullptr && tokens->type == GgufType::array) {
      vocab = tokens->count;
    }
  }
  put("vocab_size", vocab);
  c["tie_word_embeddings"] = !has_output;
  const std::optional<std::uint64_t> key_length = count("attention.key_length");
  if (key_length && !count("attention.kv_lora_rank")) c["head_dim"] = *key_length;
  put("sliding_window", count("attention.sliding_window"));
  if (a == "gemma3") put("sliding_window_pattern", count("attention.sliding_window_pattern"));
  if (has_experts) {
    const std::uint64_t experts = count("expert_count").value_or(0);
    const std::optional<std::uint64_t> used = count("expert_used_count");
    const std::optional<std::uint64_t> expert_width = count("expert_feed_forward_length");
    if (a == "llama" || a == "gpt-oss") {
      c["num_local_experts"] = experts;
      put("num_experts_per_tok", used);
      if (expert_width) c["intermediate_size"] = *expert_width;
    } else if (a == "deepseek2") {
      c["n_routed_experts"] = experts;
      put("num_experts_per_tok", used);
      put("moe_intermediate_size", expert_width);
      put("n_shared_experts", count("expert_shared_count"));
      put("first_k_dense_replace", count("leading_dense_block_count"));
      put("kv_lora_rank", count("attention.kv_lora_rank"));
      put("q_lora_rank", count("attention.q_lora_rank"));
      put("qk_rope_head_dim", count("rope.dimension_count"));
      const std::uint64_t rope = count("rope.dimension_count").value_or(0);
      const std::uint64_t k_mla = count("attention.key_length_mla").value_or(key_length.value_or(0));
      if (k_mla > rope) c["qk_nope_head_dim"] = k_mla - rope;
      put("v_head_dim", count("attention.value_length_mla").has_value() ? count("attention.value_length_mla")
                                                                        : count("attention.value_length"));
    } else {
      c["num_experts"] = experts;
      put("num_experts_per_tok", used);
      put("moe_intermediate_size", expert_width);
      put("shared_expert_intermediate_size", count("expert_shared_feed_forward_length"));
    }
  }
  // State-space and hybrid models (llama.cpp's ssm.* keys): which layers attend is where
  // head_count_kv is non-zero; Nemotron-H layers without an MLP have feed_forward_length 0.
  if (const auto inner = count("ssm.inner_size")) {
    const std::uint64_t hidden = count("embedding_length").value_or(1);
    put("mamba_d_state", count("ssm.state_size"));
    put("mamba_d_conv", count("ssm.conv_kernel"));
    put("mamba_n_groups", count("ssm.group_count"));
    const Family* family = find_family_by_gguf(a);
    const bool mamba2 = family != nullptr && family->ssm == SsmKind::mamba2;
    if (mamba2) {
      const std::uint64_t heads = count("ssm.time_step_rank").value_or(0);  // Mamba-2: the SSM heads
      if (heads > 0 && *inner % heads == 0) {
        c["mamba_n_heads"] = heads;
        c["mamba_d_head"] = *inner / heads;
      }
    } else {
      put("mamba_dt_rank", count("ssm.time_step_rank"));
      c["intermediate_size_ssm"] = *inner;
      if (hidden > 0 && *inner % hidden == 0) c["mamba_expand"] = *inner / hidden;
      if (a == "mamba") c["intermediate_size"] = *inner;
    }
  }
  if (const auto l_cache = count("shortconv.l_cache")) c["conv_L_cache"] = *l_cache;
  if (const auto interval = count("full_attention_interval")) c["full_attention_interval"] = *interval;
  const std::vector<std::int64_t> kv = gguf_layer_array(f, key("attention.head_count_kv"));
  const std::vector<std::int64_t> ffn = gguf_layer_array(f, key("feed_forward_length"));
  const bool recurrent = count("ssm.inner_size").has_value() || count("shortconv.l_cache").has_value();
  if (recurrent && !kv.empty() && a != "mamba" && a != "mamba2") {
    if (a.starts_with("nemotron_h") && ffn.size() == kv.size()) {
      std::string pattern;
      for (std::size_t i = 0; i < kv.size(); ++i)
        pattern += kv[i] > 0 ? '*' : ffn[i] > 0 ? (has_experts ? 'E' : '-') : 'M';
      c["hybrid_override_pattern"] = pattern;
    } else {
      nlohmann::json types = nlohmann::json::array();
      const char* other = count("shortconv.l_cache") ? "conv" : "mamba";
      for (std::size_t i = 0; i < kv.size() && i < 100000; ++i)
        types.push_back(kv[i] > 0 ? "full_attention" : other);
      c["layer_types"] = types;
    }
  }
  if (a == "gpt-oss") {
    // gpt-oss alternates sliding (even layers) and full attention.
    const std::uint64_t layers = count("block_count").value_or(0);
    nlohmann::json types = nlohmann::json::array();
    for (std::uint64_t i = 0; i < layers && i < 100000; ++i)
      types.push_back(i % 2 == 0 ? "sliding_attention" : "full_attention");
    c["layer_types"] = types;
    c["attention_bias"] = true;
  }
  return c;
}

inline void add_tensor(ModelFile& m, FileTensor t) {
  PartTotals& part = t.part == TensorPart::text ? m.text : t.part == TensorPart::vision ? m.vision : m.mtp;
  part.params = checked_add(part.params, t.elements);
  part.bytes += Bytes{t.bytes};
  if (t.part == TensorPart::vision) {  // loaded with the model: part of what goes on the GPU
    m.weights.total += Bytes{t.bytes};
    m.weights.towers += Bytes{t.bytes};
    m.weights.by_type[t.type] += Bytes{t.bytes};
  }
  if (t.part == TensorPart::text) {
    m.weights.total += Bytes{t.bytes};
    m.weights.by_type[t.type] += Bytes{t.bytes};
    if (t.name == "token_embd.weight" || ends_with(t.name, "embed_tokens.weight"))
      m.weights.embedding += Bytes{t.bytes};
    if (t.name == "output.weight" || t.name == "lm_head.weight") m.weights.output += Bytes{t.bytes};
    if (t.name.find("_exps.") != std::string::npos || t.name.find(".experts.") != std::string::npos) {
      m.weights.routed_experts += Bytes{t.bytes};
    }
  }
  m.tensors.push_back(std::move(t));
}

inline ModelFile read_gguf_model(const std::string& path) {
  ModelFile m;
  m.format = "gguf";
  m.paths = gguf_split_paths(path);
  std::vector<GgufFile> files;
  for (const std::string& p : m.paths) {
    files.push_back(read_gguf_file(p));
    m.file_bytes += Bytes{files.back().file_bytes};
  }
  const GgufFile& first = files.front();
  const std::string origin = m.paths.front();
  ModelArch arch = arch_from_hf_config(config_from_gguf(first, origin), origin);
  const std::uint64_t layers = arch.layer_count();
  const std::uint64_t mtp_layers =
      first.get_uint(first.get_string("general.architecture").value_or("") + ".nextn_predict_layers")
          .value_or(0);
  for (const GgufFile& f : files) {
    for (const GgufTensor& t : f.tensors) {
      FileTensor ft;
      ft.name = t.name;
      const GgmlType* type = find_ggml_type(t.type);
      ft.type = type != nullptr ? std::string(type->name) : "type" + std::to_string(t.type);
      ft.shape = t.ne;
      ft.elements = 1;
      for (std::uint64_t d : t.ne) ft.elements = checked_mul(ft.elements, d);
      ft.bytes = t.bytes;
      const long layer = layer_index(t.name);
      if (is_vision_name(t.name))
        ft.part = TensorPart::vision;
      else if (mtp_layers > 0 && layer >= 0 &&
               static_cast<std::uint64_t>(layer) >= layers - std::min(layers, mtp_layers))
        ft.part = TensorPart::mtp;
      add_tensor(m, std::move(ft));
    }
  }
  if (arch.tied_embeddings) m.weights.output = m.weights.embedding;
  // The stored format is what the tensors hold: general.file_type names it when it agrees with
  // the type holding most of the bytes (vectors stay f32 in every mix); otherwise, or when it is
  // missing, that type's usual mix names it.
  const std::uint64_t ftype = first.get_uint("general.file_type").value_or(1000);
  m.weight_format = gguf_file_type_name(ftype);
  std::string dominant;
  Bytes most;
  for (const auto& [type, bytes] : m.weights.by_type) {
    if (type != "f32" && bytes > most) {
      dominant = type;
      most = bytes;
    }
  }
  if (dominant.empty() && !m.weights.by_type.empty()) dominant = "f32";
  if (!dominant.empty() && (m.weight_format.empty() || gguf_mix_base(m.weight_format) != dominant)) {
    const std::string k_mix = dominant + "_m";  // q4_k -> q4_k_m: the usual K-quant mix
    m.weight_format = dominant == "bf16"                 ? "gguf-bf16"
                      : !gguf_mix_base(dominant).empty() ? dominant
                      : !gguf_mix_base(k_mix).empty()    ? k_mix
                                                         : m.weight_format;
  }
  if (m.weight_format.empty()) m.weight_format = "f16";
  for (const char* k : {"general.architecture", "general.name", "general.file_type",
                        "general.quantization_version", "general.alignment"}) {
    if (const auto s = first.get_string(k))
      m.metadata.emplace_back(k, *s);
    else if (const auto u = first.get_uint(k))
      m.metadata.emplace_back(k, std::to_string(*u));
  }
  const std::string a = first.get_string("general.architecture").value_or("");
  for (const char* suffix :
       {"context_length", "embedding_length", "block_count", "feed_forward_length", "attention.head_count",
        "attention.head_count_kv", "attention.key_length", "attention.value_length",
        "attention.sliding_window", "expert_count", "expert_used_count", "expert_feed_forward_length",
        "attention.kv_lora_rank", "nextn_predict_layers"}) {
    if (const auto u = first.get_uint(a + "." + suffix))
      m.metadata.emplace_back(a + "." + suffix, std::to_string(*u));
  }
  m.metadata.emplace_back("gguf.version", std::to_string(first.version));
  if (m.paths.size() > 1) m.metadata.emplace_back("split.count", std::to_string(m.paths.size()));
  m.arch = std::move(arch);
  if (mtp_layers > 0) {
    m.notes.push_back("multi-token-prediction layers are counted apart (used only for speculative decoding)");
  }
  return m;
}

inline void add_safetensors(ModelFile& m, const std::string& path, std::uint64_t text_layers) {
  const SafetensorsHeader h = read_safetensors_file(path);
  m.file_bytes += Bytes{h.file_bytes};
  for (const StTensor& t : h.tensors) {
    FileTensor ft;
    ft.name = t.name;
    ft.type = lower(t.dtype);
    ft.shape = t.shape;
    ft.elements = t.elements;
    ft.bytes = t.bytes();
    const long layer = layer_index(t.name);
    if (is_vision_name(t.name))
      ft.part = TensorPart::vision;
    else if (text_layers > 0 && layer >= 0 && static_cast<std::uint64_t>(layer) >= text_layers)
      ft.part = TensorPart::mtp;
    add_tensor(m, std::move(ft));
  }
}

inline ModelFile read_safetensors_model(const std::filesystem::path& given) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = fs::is_directory(given, ec) ? given : given.parent_path();
  ModelFile m;
  m.format = "safetensors";
  // The architecture: config.json beside the weights.
  const fs::path config_path = dir / "config.json";
  std::string model_format = "bf16";
  if (fs::exists(config_path, ec)) {
    const nlohmann::json config =
        parse_json_document(read_text_file(config_path.string()), config_path.string());
    try {
      m.arch = arch_from_hf_config(config, config_path.string());
    } catch (const Error& e) {
      // The tensors give the weights of any architecture; only the cache needs the family.
      const std::string type =
          config.is_object() && config.contains("model_type") && config["model_type"].is_string()
              ? config["model_type"].get<std::string>()
              : std::string();
      if (e.code() != ErrorCode::bad_file || find_family(type) != nullptr) throw;
      m.notes.push_back(std::string("weights from the tensors; the cache is not estimated: ") + e.what());
    }
    if (const auto* q = config.contains("quantization_config") ? &config["quantization_config"] : nullptr;
        q != nullptr && q->is_object() && q->contains("quant_method") && (*q)["quant_method"].is_string()) {
      model_format = (*q)["quant_method"].get<std::string>();
    }
  } else {
    m.notes.push_back("no config.json beside the weights: the architecture (and the KV cache) is unknown");
  }
  const std::uint64_t layers = m.arch ? m.arch->layer_count() : 0;
  // The weights: an index, the file given, or every .safetensors in the directory.
  fs::path index = ends_with(given.string(), ".index.json") ? given : dir / "model.safetensors.index.json";
  if (fs::exists(index, ec) &&
      !(fs::is_regular_file(given, ec) && ends_with(given.string(), ".safetensors"))) {
    const SafetensorsIndex idx = parse_safetensors_index(read_text_file(index.string()), index.string());
    for (const std::string& shard : idx.shards) {
      const fs::path p = dir / shard;
      if (!fs::exists(p, ec))
        throw Error(ErrorCode::bad_file, "the index names a shard that is not there: " + shard, {},
                    index.string());
      m.paths.push_back(p.string());
      add_safetensors(m, p.string(), layers);
    }
    std::uint64_t stored = 0;
    for (const FileTensor& t : m.tensors) stored += t.bytes;
    if (idx.total_size && *idx.total_size != stored) {
      m.notes.push_back("the index's total_size (" + std::to_string(*idx.total_size) +
                        ") differs from the shards' " + std::to_string(stored) + " bytes");
    }
  } else if (fs::is_regular_file(given, ec)) {
    m.paths.push_back(given.string());
    add_safetensors(m, given.string(), layers);
  } else {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_regular_file() && ends_with(entry.path().string(), ".safetensors"))
        files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty())
      throw Error(ErrorCode::bad_file, "no .safetensors weights in this directory", {}, dir.string());
    for (const std::string& f : files) {
      m.paths.push_back(f);
      add_safetensors(m, f, layers);
    }
  }
  // The stored format: the quantization method, else the dtype most bytes are in.
  std::string dominant;
  Bytes most;
  for (const auto& [type, bytes] : m.weights.by_type) {
    if (bytes > most) {
      most = bytes;
      dominant = type;
    }
  }
  // quantization_config.quant_method names (transformers) to the formats estimates know.
  if (model_format == "bitsandbytes") model_format = "nf4";
  if (model_format != "bf16" && model_format != "gptq" && model_format != "awq" && model_format != "fp8" &&
      model_format != "mxfp4" && model_format != "nf4") {
    m.notes.push_back("quantization method '" + model_format +
                      "' is estimated as stored, by its tensors' bytes");
    model_format = "bf16";
  }
  m.weight_format = model_format == "bf16" ? (dominant == "f16"   ? "fp16"
                                              : dominant == "f32" ? "fp32"
                                                                  : "bf16")
                                           : model_format;
  if (m.arch) {
    // The file decides tying: a checkpoint that stores lm_head has an output head of its own.
    bool has_head = false;
    for (const FileTensor& t : m.tensors) has_head = has_head || t.name == "lm_head.weight";
    if (m.arch->tied_embeddings && has_head)
      m.notes.push_back("the checkpoint stores lm_head although the config ties it");
    if (!has_head) m.weights.output = m.weights.embedding;
  }
  return m;
}

}  // namespace model_file_detail

// Whether `path` names a model file or directory this reads (rather than a config.json).
inline bool is_model_file_path(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string name = path.string();
  if (model_file_detail::ends_with(name, ".gguf") || model_file_detail::ends_with(name, ".safetensors") ||
      model_file_detail::ends_with(name, ".index.json")) {
    return true;
  }
  if (!fs::is_directory(path, ec)) return false;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    const std::string n = entry.path().string();
    if (model_file_detail::ends_with(n, ".safetensors") || model_file_detail::ends_with(n, ".gguf"))
      return true;
  }
  return false;
}

inline ModelFile read_model_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (model_file_detail::ends_with(path, ".gguf")) return model_file_detail::read_gguf_model(path);
  if (fs::is_directory(path, ec)) {
    // A directory of GGUF files: the first (split sets resolve from their first part).
    std::vector<std::string> ggufs;
    bool safetensors = false;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      const std::string n = entry.path().string();
      if (model_file_detail::ends_with(n, ".gguf")) ggufs.push_back(n);
      if (model_file_detail::ends_with(n, ".safetensors")) safetensors = true;
    }
    if (!safetensors && !ggufs.empty()) {
      std::sort(ggufs.begin(), ggufs.end());
      // Several models in one folder is a question with several answers: name them. A split set
      // (name-00001-of-00003.gguf, llama.cpp's gguf-split naming) and a multimodal projector
      // (mmproj) beside its model are one model.
      std::vector<std::string> models;
      std::string split_prefix;
      for (const std::string& g : ggufs) {
        const std::string name = fs::path(g).filename().string();
        if (name.find("mmproj") != std::string::npos) continue;
        const std::size_t of = name.rfind("-of-");
        const bool split = of != std::string::npos && of >= 6 && name.size() == of + 4 + 5 + 5 &&
                           name.compare(of - 6, 1, "-") == 0;
        const std::string prefix = split ? name.substr(0, of - 6) : name;
        if (split && (split_prefix.empty() || split_prefix == prefix)) {
          if (split_prefix.empty()) models.push_back(name);
          split_prefix = prefix;
          continue;
        }
        models.push_back(name);
      }
      if (models.size() > 1) {
        std::string list;
        for (std::size_t i = 0; i < models.size() && i < 8; ++i) list += (i ? ", " : "") + models[i];
        if (models.size() > 8) list += ", ...";
        throw Error(ErrorCode::bad_file,
                    "this folder holds " + std::to_string(models.size()) +
                        " GGUF models that are not one split set: " + list,
                    "name one file", path);
      }
      for (const std::string& g : ggufs) {
        if (fs::path(g).filename().string().find("mmproj") == std::string::npos)
          return model_file_detail::read_gguf_model(g);
      }
      return model_file_detail::read_gguf_model(ggufs.front());
    }
  }
  return model_file_detail::read_safetensors_model(path);
}

}  // namespace vramest
