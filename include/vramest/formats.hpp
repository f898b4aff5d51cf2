// formats.hpp — weight storage formats at their real bits per weight, tensor by tensor.
//
// A format decides, for each tensor of the model (model.hpp), which type stores it and how many
// bytes that takes, scales and zero points included. Three kinds:
//  - plain dtypes (fp32, fp16, bf16): every tensor in that dtype;
//  - linear-layer quantization as Hugging Face checkpoints do it (fp8, int8/LLM.int8, nf4,
//    gptq, awq, int4, mxfp4): the block matrices are quantized, while embeddings, the output
//    head, norms, biases and routers stay 16-bit;
//  - llama.cpp GGUF types and mixes (q4_k_m, q6_k, iq2_xxs, ...): llama.cpp's per-tensor rules
//    (src/llama-quant.cpp, llama_tensor_get_type) choose each tensor's ggml type, and 1-D
//    tensors stay F32.
//
//   WeightBreakdown w = weight_breakdown(arch, parse_weight_format("q4_k_m"));
//   // w.total: Llama-3-8B 4.58 GiB (tools/quantize/quantize.cpp lists "4.58G")
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/model.hpp"
#include "vramest/suggest.hpp"
#include "vramest/units.hpp"

namespace vramest {

// A ggml tensor type: `block_bytes` bytes store `block_weights` weights (ggml-common.h blocks;
// ggml.c type_traits). ids are GGUF's ggml_type values.
struct GgmlType {
  std::string_view name;
  std::uint32_t id;
  std::uint64_t block_weights;
  std::uint64_t block_bytes;
};

inline constexpr std::array<GgmlType, 33> kGgmlTypes{{
    {"f32", 0, 1, 4},         {"f16", 1, 1, 2},         {"q4_0", 2, 32, 18},      {"q4_1", 3, 32, 20},
    {"q5_0", 6, 32, 22},      {"q5_1", 7, 32, 24},      {"q8_0", 8, 32, 34},      {"q8_1", 9, 32, 36},
    {"q2_k", 10, 256, 84},    {"q3_k", 11, 256, 110},   {"q4_k", 12, 256, 144},   {"q5_k", 13, 256, 176},
    {"q6_k", 14, 256, 210},   {"q8_k", 15, 256, 292},   {"iq2_xxs", 16, 256, 66}, {"iq2_xs", 17, 256, 74},
    {"iq3_xxs", 18, 256, 98}, {"iq1_s", 19, 256, 50},   {"iq4_nl", 20, 32, 18},   {"iq3_s", 21, 256, 110},
    {"iq2_s", 22, 256, 82},   {"iq4_xs", 23, 256, 136}, {"i8", 24, 1, 1},         {"i16", 25, 1, 2},
    {"i32", 26, 1, 4},        {"i64", 27, 1, 8},        {"f64", 28, 1, 8},        {"iq1_m", 29, 256, 56},
    {"bf16", 30, 1, 2},       {"tq1_0", 34, 256, 54},   {"tq2_0", 35, 256, 66},   {"mxfp4", 39, 32, 17},
    {"nvfp4", 40, 64, 36},
}};

inline const GgmlType* find_ggml_type(std::string_view name) {
  const std::string lower = to_lower(name);
  for (const GgmlType& t : kGgmlTypes) {
    if (t.name == lower) return &t;
  }
  return nullptr;
}

inline const GgmlType* find_ggml_type(std::uint32_t id) {
  for (const GgmlType& t : kGgmlTypes) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

inline const GgmlType& ggml(std::string_view name) {
  const GgmlType* t = find_ggml_type(name);
  if (t == nullptr) throw Error(ErrorCode::internal, "unknown ggml type " + std::string(name));
  return *t;
}

// Bytes of `elements` weights stored as `type` (ggml_row_size: whole blocks).
inline std::uint64_t ggml_bytes(const GgmlType& type, std::uint64_t elements) {
  return checked_mul(ceil_div(elements, type.block_weights), type.block_bytes);
}

enum class FormatKind { dtype, fp8, int8, nf4, gptq, awq, int4, mxfp4, nvfp4, gguf };

struct WeightFormat {
  std::string id;  // canonical id as shown and in JSON ("q4_k_m", "gptq-4bit-g128")
  FormatKind kind = FormatKind::dtype;
  std::uint64_t dtype_bytes = 2;  // dtype: bytes per weight; others: the unquantized tensors'
  std::uint64_t bits = 0;         // gptq/awq: bits per code
  std::uint64_t group = 0;        // gptq/awq/int4: weights per scale group (0: per output row)
  bool double_quant = false;      // nf4 with nested absmax quantization
  std::string gguf_base;          // gguf: the mix's default ggml type
  std::string description;
};

// One row of `vramest formats`: name, what it is, and its nominal bits per weight.
struct FormatInfo {
  std::string_view id;
  std::string_view family;
  std::string_view description;
};

inline constexpr std::array<FormatInfo, 48> kFormatList{{
    {"fp32", "dtype", "32-bit floats"},
    {"fp16", "dtype", "16-bit floats"},
    {"bf16", "dtype", "bfloat16"},
    {"fp8", "hf", "FP8 E4M3 linear layers, one fp32 scale per tensor (vLLM/llm-compressor)"},
    {"fp8-b128", "hf", "FP8 E4M3 with an fp32 scale per 128x128 block (DeepSeek-V3 checkpoints)"},
    {"int8", "hf", "LLM.int8() (bitsandbytes): int8 linear layers + fp32 scale per row"},
    {"nf4", "hf", "bitsandbytes NF4: 4-bit codes + fp32 absmax per 64 weights"},
    {"nf4-dq", "hf", "NF4 with double quantization: absmax in 8 bits per 256 blocks"},
    {"int4", "hf", "4-bit integers + fp16 scale per 128 weights"},
    {"gptq", "hf", "GPTQ 4-bit, group 128 (gptq-<bits>bit-g<group> for others)"},
    {"awq", "hf", "AWQ 4-bit, group 128 (awq-<bits>bit-g<group> for others)"},
    {"mxfp4", "hf", "OCP MXFP4: 32 E2M1 codes + E8M0 scale; MoE experts only (gpt-oss)"},
    {"nvfp4", "hf", "NVIDIA NVFP4 (ModelOpt): E2M1 codes + FP8 scale per 16 weights + fp32 per tensor"},
    {"f32", "gguf", "GGUF all F32"},
    {"f16", "gguf", "GGUF F16 matrices, F32 vectors"},
    {"q8_0", "gguf", "GGUF Q8_0"},
    {"q6_k", "gguf", "GGUF Q6_K"},
    {"q5_k_m", "gguf", "llama.cpp Q5_K_M mix"},
    {"q5_k_s", "gguf", "llama.cpp Q5_K_S mix"},
    {"q5_1", "gguf", "GGUF Q5_1"},
    {"q5_0", "gguf", "GGUF Q5_0"},
    {"q4_k_m", "gguf", "llama.cpp Q4_K_M mix"},
    {"q4_k_s", "gguf", "llama.cpp Q4_K_S mix"},
    {"q4_1", "gguf", "GGUF Q4_1"},
    {"q4_0", "gguf", "GGUF Q4_0"},
    {"iq4_nl", "gguf", "llama.cpp IQ4_NL mix"},
    {"iq4_xs", "gguf", "llama.cpp IQ4_XS mix"},
    {"q3_k_l", "gguf", "llama.cpp Q3_K_L mix"},
    {"q3_k_m", "gguf", "llama.cpp Q3_K_M mix"},
    {"q3_k_s", "gguf", "llama.cpp Q3_K_S mix"},
    {"iq3_m", "gguf", "llama.cpp IQ3_M mix"},
    {"iq3_s", "gguf", "llama.cpp IQ3_S mix"},
    {"iq3_xs", "gguf", "llama.cpp IQ3_XS mix"},
    {"iq3_xxs", "gguf", "llama.cpp IQ3_XXS mix (needs an importance matrix)"},
    {"q2_k", "gguf", "llama.cpp Q2_K mix"},
    {"q2_k_s", "gguf", "llama.cpp Q2_K_S mix (needs an importance matrix)"},
    {"iq2_m", "gguf", "llama.cpp IQ2_M mix"},
    {"iq2_s", "gguf", "llama.cpp IQ2_S mix"},
    {"iq2_xs", "gguf", "llama.cpp IQ2_XS mix"},
    {"iq2_xxs", "gguf", "llama.cpp IQ2_XXS mix"},
    {"iq1_m", "gguf", "llama.cpp IQ1_M mix"},
    {"iq1_s", "gguf", "llama.cpp IQ1_S mix"},
    {"tq2_0", "gguf", "ternary TQ2_0"},
    {"tq1_0", "gguf", "ternary TQ1_0"},
    {"mxfp4_moe", "gguf", "llama.cpp MXFP4_MOE: experts MXFP4, the rest Q8_0"},
    {"gguf-bf16", "gguf", "GGUF BF16 matrices, F32 vectors"},
    {"q8_0-pure", "gguf", "GGUF Q8_0 for every matrix (llama-quantize --pure)"},
    {"q4_0-pure", "gguf", "GGUF Q4_0 for every matrix (llama-quantize --pure)"},
}};

// The default ggml type of a llama.cpp file type (src/llama-quant.cpp, llama_ftype_get_default_type).
inline std::string gguf_mix_base(std::string_view mix) {
  struct Pair {
    std::string_view mix, base;
  };
  constexpr Pair kBases[] = {
      {"f32", "f32"},         {"f16", "f16"},         {"gguf-bf16", "bf16"}, {"q8_0", "q8_0"},
      {"q6_k", "q6_k"},       {"q5_k_m", "q5_k"},     {"q5_k_s", "q5_k"},    {"q5_1", "q5_1"},
      {"q5_0", "q5_0"},       {"q4_k_m", "q4_k"},     {"q4_k_s", "q4_k"},    {"q4_1", "q4_1"},
      {"q4_0", "q4_0"},       {"iq4_nl", "iq4_nl"},   {"iq4_xs", "iq4_xs"},  {"q3_k_l", "q3_k"},
      {"q3_k_m", "q3_k"},     {"q3_k_s", "q3_k"},     {"iq3_m", "iq3_s"},    {"iq3_s", "iq3_s"},
      {"iq3_xs", "iq3_s"},    {"iq3_xxs", "iq3_xxs"}, {"q2_k", "q2_k"},      {"q2_k_s", "q2_k"},
      {"iq2_m", "iq2_s"},     {"iq2_s", "iq2_xs"},    {"iq2_xs", "iq2_xs"},  {"iq2_xxs", "iq2_xxs"},
      {"iq1_m", "iq1_m"},     {"iq1_s", "iq1_s"},     {"tq2_0", "tq2_0"},    {"tq1_0", "tq1_0"},
      {"mxfp4_moe", "mxfp4"}, {"q8_0-pure", "q8_0"},  {"q4_0-pure", "q4_0"},
  };
  for (const Pair& p : kBases) {
    if (p.mix == mix) return std::string(p.base);
  }
  return {};
}

// Parses a format name: a kFormatList id, or gptq/awq with bits and group
// ("gptq-8bit-g32", "awq-4bit-g64", "gptq-4bit-g-1" for per-channel).
// Spellings repositories and engines use for the formats above (config.json torch_dtype, vLLM
// --dtype/--quantization, Hugging Face repository suffixes such as -GPTQ-Int4 or -bnb-4bit).
struct FormatAlias {
  std::string_view alias;
  std::string_view id;
};
inline constexpr FormatAlias kFormatAliases[] = {
    {"float32", "fp32"},
    {"float", "fp32"},
    {"float16", "fp16"},
    {"half", "fp16"},
    {"bfloat16", "bf16"},
    {"gptq-int4", "gptq-4bit-g128"},
    {"gptq-int8", "gptq-8bit-g128"},
    {"w4a16", "gptq-4bit-g128"},
    {"awq-int4", "awq"},
    {"bnb-4bit", "nf4"},
    {"bnb-nf4", "nf4"},
    {"bitsandbytes", "nf4"},
    {"bnb-8bit", "int8"},
    {"bnb-int8", "int8"},
    {"llm.int8", "int8"},
    {"w8a8", "int8"},
    {"int8-w8a8", "int8"},
    {"fp8-w8a8", "fp8"},
    {"fp8_e4m3", "fp8"},
    {"e4m3", "fp8"},
    {"modelopt-fp4", "nvfp4"},
    {"fp4", "nvfp4"},
    {"compressed-tensors-fp8", "fp8"},
};

inline std::string canonical_format_id(std::string_view name) {
  std::string id = to_lower(name);
  for (char& c : id) {
    if (c == '_' && id.rfind('q', 0) != 0 && id.rfind("iq", 0) != 0 && id.rfind("tq", 0) != 0 &&
        id.rfind("mxfp4_", 0) != 0 && id.rfind("fp8_", 0) != 0) {
      c = '-';  // gptq_int4 -> gptq-int4; GGUF names keep their underscores
    }
  }
  for (const FormatAlias& a : kFormatAliases) {
    if (a.alias == id) return std::string(a.id);
  }
  return id;
}

inline WeightFormat parse_weight_format(std::string_view name) {
  const std::string id = canonical_format_id(name);
  WeightFormat f;
  f.id = id;
  for (const FormatInfo& info : kFormatList) {
    if (info.id == id) f.description = std::string(info.description);
  }
  if (id == "fp32" || id == "fp16" || id == "bf16") {
    f.kind = FormatKind::dtype;
    f.dtype_bytes = id == "fp32" ? 4 : 2;
    return f;
  }
  if (id == "fp8") {
    f.kind = FormatKind::fp8;
    return f;
  }
  if (id == "fp8-b128") {  // DeepSeek-V3's checkpoint: one fp32 scale per 128 x 128 block
    f.kind = FormatKind::fp8;
    f.group = 128;
    return f;
  }
  if (id == "int8") {
    f.kind = FormatKind::int8;
    return f;
  }
  if (id == "nf4" || id == "nf4-dq") {
    f.kind = FormatKind::nf4;
    f.double_quant = id == "nf4-dq";
    return f;
  }
  if (id == "int4") {
    f.kind = FormatKind::int4;
    f.bits = 4;
    f.group = 128;
    return f;
  }
  if (id == "mxfp4") {
    f.kind = FormatKind::mxfp4;
    return f;
  }
  if (id == "nvfp4") {
    f.kind = FormatKind::nvfp4;
    return f;
  }
  if (id.rfind("gptq", 0) == 0 || id.rfind("awq", 0) == 0) {
    f.kind = id[0] == 'g' ? FormatKind::gptq : FormatKind::awq;
    f.bits = 4;
    f.group = 128;
    std::string_view rest = std::string_view(id).substr(f.kind == FormatKind::gptq ? 4 : 3);
    const auto bad = [&] {
      return Error(ErrorCode::invalid_value, "invalid format '" + std::string(name) + "'",
                   "expected gptq or awq, optionally with -<2|3|4|8>bit and -g<group> (e.g. gptq-4bit-g128)");
    };
    if (rest.rfind('-', 0) == 0 && rest.size() >= 5 && rest.substr(2, 3) == "bit") {
      const char b = rest[1];
      if (b != '2' && b != '3' && b != '4' && b != '8') throw bad();
      f.bits = static_cast<std::uint64_t>(b - '0');
      rest.remove_prefix(5);
    }
    if (rest.rfind("-g", 0) == 0) {
      rest.remove_prefix(2);
      if (rest == "-1") {
        f.group = 0;
      } else {
        std::uint64_t g = 0;
        for (const char c : rest) {
          if (c < '0' || c > '9' || g > 1'000'000) throw bad();
          g = g * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (rest.empty() || g == 0) throw bad();
        f.group = g;
      }
      rest = {};
    }
    if (!rest.empty()) throw bad();
    f.id = std::string(f.kind == FormatKind::gptq ? "gptq" : "awq") + "-" + std::to_string(f.bits) + "bit-g" +
           (f.group == 0 ? std::string("-1") : std::to_string(f.group));
    f.description = std::string(f.kind == FormatKind::gptq ? "GPTQ" : "AWQ") + " " + std::to_string(f.bits) +
                    "-bit, " +
                    (f.group == 0 ? std::string("per-channel") : "group " + std::to_string(f.group));
    return f;
  }
  if (const std::string base = gguf_mix_base(id); !base.empty()) {
    f.kind = FormatKind::gguf;
    f.gguf_base = base;
    return f;
  }
  std::vector<std::string> names;
  for (const FormatInfo& info : kFormatList) names.emplace_back(info.id);
  std::string hint = did_you_mean(name, names);
  throw Error(ErrorCode::invalid_value, "unknown weight format '" + std::string(name) + "'",
              hint.empty() ? "'vramest formats' lists them" : hint);
}

// The bytes of one tensor and the storage type it was given.
struct TensorStorage {
  std::string type;
  std::uint64_t bytes = 0;
};

namespace format_detail {

inline bool is_block_linear(TensorRole r) {
  switch (r) {
    case TensorRole::attn_q:
    case TensorRole::attn_k:
    case TensorRole::attn_v:
    case TensorRole::attn_output:
    case TensorRole::attn_q_a:
    case TensorRole::attn_q_b:
    case TensorRole::attn_kv_a_mqa:
    case TensorRole::attn_kv_b:
    case TensorRole::ffn_gate:
    case TensorRole::ffn_up:
    case TensorRole::ffn_down:
    case TensorRole::ffn_gate_exps:
    case TensorRole::ffn_up_exps:
    case TensorRole::ffn_down_exps:
    case TensorRole::ffn_gate_shexp:
    case TensorRole::ffn_up_shexp:
    case TensorRole::ffn_down_shexp:
    case TensorRole::ssm_in:
    case TensorRole::ssm_out:
    case TensorRole::ssm_x:
    case TensorRole::shortconv_in_proj:
    case TensorRole::shortconv_out_proj:
    case TensorRole::cross_attn_q:
    case TensorRole::cross_attn_k:
    case TensorRole::cross_attn_v:
    case TensorRole::cross_attn_output: return true;
    default: return false;
  }
}

inline bool is_expert(TensorRole r) {
  return r == TensorRole::ffn_gate_exps || r == TensorRole::ffn_up_exps || r == TensorRole::ffn_down_exps;
}

// llama.cpp's tensor categories (llama-quant.cpp, tensor_get_category).
enum class Category {
  token_embd,
  output,
  attn_v_like,
  attn_k,
  attn_q,
  attn_output,
  ffn_up,
  ffn_gate,
  ffn_down,
  other
};

inline Category category(TensorRole r, bool tied) {
  switch (r) {
    case TensorRole::output: return Category::output;
    case TensorRole::token_embd: return tied ? Category::output : Category::token_embd;
    case TensorRole::attn_v:
    case TensorRole::attn_kv_b: return Category::attn_v_like;
    case TensorRole::attn_k: return Category::attn_k;
    case TensorRole::attn_q: return Category::attn_q;
    case TensorRole::attn_output: return Category::attn_output;
    case TensorRole::ffn_up:
    case TensorRole::ffn_up_exps:
    case TensorRole::ffn_up_shexp: return Category::ffn_up;
    case TensorRole::ffn_gate:
    case TensorRole::ffn_gate_exps:
    case TensorRole::ffn_gate_shexp: return Category::ffn_gate;
    case TensorRole::ffn_down:
    case TensorRole::ffn_down_exps:
    case TensorRole::ffn_down_shexp: return Category::ffn_down;
    default: return Category::other;
  }
}

// When a row length is not a multiple of the chosen type's block (llama-quant.cpp,
// tensor_type_fallback).
inline std::string fallback_type(const std::string& type, std::uint64_t ne0) {
  if (ne0 % ggml(type).block_weights == 0) return type;
  std::string next;
  if (type == "iq1_s" || type == "iq1_m" || type == "iq2_xxs" || type == "iq2_xs" || type == "iq2_s" ||
      type == "iq3_xxs" || type == "iq3_s" || type == "iq4_xs") {
    next = "iq4_nl";
  } else if (type == "q2_k" || type == "q3_k" || type == "tq1_0" || type == "tq2_0") {
    next = "q4_0";
  } else if (type == "q4_k") {
    next = "q5_0";
  } else if (type == "q5_k") {
    next = "q5_1";
  } else if (type == "q6_k") {
    next = "q8_0";
  } else {
    next = "f16";
  }
  return ne0 % ggml(next).block_weights == 0 ? next : "f16";
}

// The ggml type llama-quantize gives a quantizable tensor under `mix` (llama-quant.cpp,
// llama_tensor_get_type_impl), assuming no importance matrix except where the mix requires one.
inline std::string gguf_type(const WeightFormat& f, const ModelArch& arch, const TensorShape& t) {
  const std::string& mix = f.id;
  const std::string& base = f.gguf_base;
  if (mix == "f32" || mix == "f16" || mix == "gguf-bf16" || mix.find("-pure") != std::string::npos) {
    return fallback_type(base, t.ne0);
  }
  const Category cat = category(t.role, arch.tied_embeddings);
  const std::uint64_t n_expert = arch.moe ? arch.moe->experts : 0;
  const std::uint64_t n_gqa = arch.kv_heads == 0 ? 1 : arch.heads / arch.kv_heads;
  const std::uint64_t n = arch.layer_count();
  const std::uint64_t i = t.layer < 0 ? 0 : static_cast<std::uint64_t>(t.layer);
  const bool more_bits = i < n / 8 || i >= 7 * n / 8 || (i >= n / 8 && (i - n / 8) % 3 == 2);
  const bool iq_low = mix == "iq2_xxs" || mix == "iq2_xs" || mix == "iq1_s" || mix == "iq2_s" ||
                      mix == "iq2_m" || mix == "iq1_m";
  // IQ1/IQ2/IQ3_XXS files cannot be made without an importance matrix.
  const bool imatrix = iq_low || mix == "iq3_xxs" || mix == "q2_k_s";
  // llama.cpp's LLM_TYPE_70B (80-layer Llama-architecture GQA models) gets a better attn_v.
  const bool is_70b = n == 80 && n_gqa > 1;
  std::string type = base;

  if (cat == Category::output) {
    if (mix == "mxfp4_moe" || arch.hidden % ggml(base).block_weights != 0) return "q8_0";
    if (mix == "iq2_xxs" || mix == "iq2_xs" || mix == "iq3_xxs" || mix == "iq1_s" || mix == "iq2_s" ||
        mix == "iq2_m" || mix == "iq1_m") {
      type = "q5_k";
    } else if (type != "q8_0") {
      type = "q6_k";
    }
    return fallback_type(type, t.ne0);
  }
  if (mix == "mxfp4_moe") return t.ne2 > 1 ? "mxfp4" : fallback_type("q8_0", t.ne0);
  if (cat == Category::token_embd) {
    if (mix == "iq2_xxs" || mix == "iq2_xs" || mix == "iq1_s" || mix == "iq1_m")
      type = "q2_k";
    else if (mix == "iq2_s" || mix == "iq2_m" || mix == "iq3_xxs")
      type = "iq3_s";
    else if (mix == "tq1_0" || mix == "tq2_0")
      type = "q4_k";
    return fallback_type(type, t.ne0);
  }
  if (iq_low) {
    const std::string low = (mix == "iq2_s" || mix == "iq2_m") ? "iq3_s" : "q2_k";
    if (cat == Category::attn_v_like)
      type = (n_gqa >= 4 || n_expert >= 4) ? "q4_k" : low;
    else if (n_expert == 8 && cat == Category::attn_k)
      type = "q4_k";
    else if (cat == Category::ffn_down && i < n / 8)
      type = low;
    else if (cat == Category::attn_output) {
      if (n_expert == 8)
        type = "q5_k";
      else if (mix == "iq1_s" || mix == "iq1_m")
        type = "iq2_xxs";
      else if (mix == "iq2_s" || mix == "iq2_m")
        type = "iq3_s";
    }
    return fallback_type(type, t.ne0);
  }
  switch (cat) {
    case Category::attn_v_like:
      if (mix == "q2_k")
        type = n_gqa >= 4 ? "q4_k" : "q3_k";
      else if (mix == "q2_k_s" && n_gqa >= 4)
        type = "q4_k";
      else if (mix == "iq3_xxs")
        type = n_gqa >= 4 ? "q4_k" : (imatrix ? "iq3_xxs" : "iq3_s");
      else if ((mix == "iq3_xs" || mix == "iq3_s") && n_gqa >= 4)
        type = "q4_k";
      else if (mix == "iq3_m")
        type = "q4_k";
      else if (mix == "q3_k_m")
        type = i < 2 ? "q5_k" : "q4_k";
      else if (mix == "q3_k_l")
        type = "q5_k";
      else if ((mix == "iq4_nl" || mix == "iq4_xs") && n_gqa >= 4)
        type = "q5_k";
      else if ((mix == "q4_k_m" || mix == "q5_k_m") && more_bits)
        type = "q6_k";
      else if (mix == "q4_k_s" && i < 4)
        type = "q5_k";
      if (is_70b && (type == "q3_k" || type == "q4_k")) type = "q5_k";
      if (n_expert == 8) type = "q8_0";
      break;
    case Category::attn_k:
      if (n_expert == 8)
        type = "q8_0";
      else if (mix == "iq3_xs")
        type = "iq3_xxs";
      else if (mix == "iq3_xxs")
        type = "iq2_s";
      break;
    case Category::attn_q:
      if (mix == "iq3_xs")
        type = "iq3_xxs";
      else if (mix == "iq3_xxs")
        type = "iq2_s";
      break;
    case Category::ffn_down:
      if (mix == "q2_k")
        type = "q3_k";
      else if (mix == "q2_k_s") {
        if (i < n / 8) type = "q4_k";
      } else if (mix == "iq3_xxs" && !imatrix)
        type = i < n / 8 ? "q4_k" : "q3_k";
      else if (mix == "q3_k_m")
        type = i < n / 16 ? "q5_k" : "q4_k";
      else if (mix == "iq3_m" && (i < n / 8 || (n_expert == 8 && more_bits)))
        type = "q4_k";
      else if (mix == "q3_k_l")
        type = "q5_k";
      else if (mix == "q4_k_m") {
        if (more_bits) type = "q6_k";
      } else if (i < n / 8 && (mix == "iq4_nl" || mix == "iq4_xs") && !imatrix)
        type = "q5_k";
      else if (mix == "q5_k_m" && more_bits)
        type = "q6_k";
      else if (mix == "q4_k_s" && i < n / 8)
        type = "q5_k";
      break;
    case Category::attn_output:
      if (n_expert == 8) {
        if (mix == "q2_k" || mix == "iq3_xs" || mix == "iq3_xxs" || mix == "q3_k_s" || mix == "q3_k_m" ||
            mix == "iq4_nl" || mix == "q4_k_s" || mix == "q4_k_m" || mix == "iq3_s" || mix == "iq3_m" ||
            mix == "iq4_xs") {
          type = "q5_k";
        }
      } else {
        if (mix == "q2_k")
          type = "q3_k";
        else if (mix == "iq3_xxs")
          type = "iq3_s";
        else if (mix == "q3_k_m")
          type = "q4_k";
        else if (mix == "q3_k_l")
          type = "q5_k";
        else if (mix == "iq3_m")
          type = "q4_k";
      }
      break;
    case Category::ffn_gate:
    case Category::ffn_up:
      if (mix == "iq3_xs" && i >= n / 8 && i < 7 * n / 8) type = "iq3_xxs";
      break;
    default: break;
  }
  return fallback_type(type, t.ne0);
}

inline TensorStorage dtype_storage(const std::string& name, std::uint64_t bytes_per_weight,
                                   std::uint64_t elements) {
  return {name, checked_mul(elements, bytes_per_weight)};
}

}  // namespace format_detail

// How `format` stores `tensor` of `arch`.
inline TensorStorage tensor_storage(const WeightFormat& f, const ModelArch& arch, const TensorShape& t) {
  using namespace format_detail;
  const std::uint64_t n = t.elements();
  const std::uint64_t in = t.ne0;
  const std::uint64_t out = t.ne1;
  const std::uint64_t experts = t.ne2;
  if (f.kind == FormatKind::dtype) {
    return dtype_storage(f.dtype_bytes == 4 ? "f32" : f.id == "fp16" ? "f16" : "bf16", f.dtype_bytes, n);
  }
  if (f.kind == FormatKind::gguf) {
    // llama.cpp quantizes 2-D/3-D weights only; vectors, routers and position tables stay F32.
    const bool quantizable =
        t.is_matrix() && t.role != TensorRole::ffn_gate_inp && t.role != TensorRole::position_embd;
    if (!quantizable || f.id == "f32") return dtype_storage("f32", 4, n);
    const std::string type = gguf_type(f, arch, t);
    return {type, checked_mul(ggml_bytes(ggml(type), in), checked_mul(out, experts))};
  }
  // Hugging Face style: only block linear layers are quantized; the rest stays bf16.
  const bool quantized =
      is_block_linear(t.role) && (f.kind != FormatKind::mxfp4 || !arch.moe || is_expert(t.role));
  if (!quantized) return dtype_storage("bf16", 2, n);
  switch (f.kind) {
    case FormatKind::fp8: {  // E4M3 codes + fp32 scales: per tensor, or per block (README_WEIGHTS.md)
      const std::uint64_t scales =
          f.group == 0 ? experts : ceil_div(in, f.group) * ceil_div(out, f.group) * experts;
      return {"f8_e4m3", checked_add(n, 4 * scales)};
    }
    case FormatKind::int8:  // LLM.int8() (arXiv:2208.07339): int8 + fp32 SCB per output row
      return {"int8", checked_add(n, 4 * out * experts)};
    case FormatKind::nf4: {  // QLoRA (arXiv:2305.14314 section 3): 4-bit codes, absmax per 64
      const std::uint64_t blocks = ceil_div(n, 64);
      const std::uint64_t absmax = f.double_quant ? blocks + 4 * ceil_div(blocks, 256) + 4 : 4 * blocks;
      return {f.double_quant ? "nf4-dq" : "nf4", checked_add(ceil_div(n, 2), absmax)};
    }
    case FormatKind::int4: {  // 4-bit codes + fp16 scale per 128 input weights per output row
      const std::uint64_t groups = ceil_div(in, f.group) * out * experts;
      return {"int4", checked_add(ceil_div(n, 2), 2 * groups)};
    }
    case FormatKind::gptq:
    case FormatKind::awq: {
      // AutoGPTQ/AutoAWQ packing: qweight bits/8 per weight; qzeros bits per group per column;
      // fp16 scales per group per column; GPTQ adds g_idx (int32 per input feature).
      const std::uint64_t groups_per_col = f.group == 0 ? 1 : ceil_div(in, f.group);
      const std::uint64_t qweight = ceil_div(checked_mul(n, f.bits), 8);
      const std::uint64_t qzeros = ceil_div(groups_per_col * out * f.bits, 8) * experts;
      const std::uint64_t scales = 2 * groups_per_col * out * experts;
      const std::uint64_t g_idx = f.kind == FormatKind::gptq ? 4 * in * experts : 0;
      return {f.id, qweight + qzeros + scales + g_idx};
    }
    case FormatKind::mxfp4:  // OCP MX v1.0: 32 E2M1 codes (16 bytes) + 1 E8M0 scale
      return {"mxfp4", checked_mul(ceil_div(n, 32), 17)};
    case FormatKind::nvfp4:
      // vLLM v0.11.0 model_executor/layers/quantization/modelopt.py (ModelOptNvFp4LinearMethod):
      // weight uint8 [out, in/2], weight_scale fp8 [out, in/16], weight_scale_2 and input_scale
      // fp32 per tensor (per expert for MoE).
      return {"nvfp4",
              checked_add(checked_add(ceil_div(n, 2), ceil_div(in, 16) * out * experts), 8 * experts)};
    default: break;
  }
  throw Error(ErrorCode::internal, "unhandled weight format " + f.id);
}

struct WeightBreakdown {
  Bytes total;
  std::map<std::string, Bytes> by_type;  // bytes per storage type: what the mix keeps where
  Bytes embedding;                       // token_embd (llama.cpp keeps it in host memory)
  Bytes routed_experts;                  // 3-D expert tensors (for expert offload and bandwidth)
  Bytes output;                          // the output head (or the tied embedding it reads)
  Bytes towers;                          // vision/audio towers and projectors (16-bit), in total
};

inline WeightBreakdown weight_breakdown(const ModelArch& arch, const WeightFormat& f) {
  WeightBreakdown w;
  for (const TensorShape& t : model_tensors(arch)) {
    const TensorStorage s = tensor_storage(f, arch, t);
    w.total += Bytes{s.bytes};
    w.by_type[s.type] += Bytes{s.bytes};
    if (t.role == TensorRole::token_embd) w.embedding += Bytes{s.bytes};
    if (t.role == TensorRole::output) w.output += Bytes{s.bytes};
    if (t.ne2 > 1) w.routed_experts += Bytes{s.bytes};
  }
  if (arch.tied_embeddings) w.output = w.embedding;
  // Quantized checkpoints and llama.cpp's mmproj files keep the towers in 16 bits.
  for (const Tower& tower : arch.towers) w.towers += Bytes{checked_mul(tower.params, 2)};
  if (w.towers.count > 0) {
    w.total += w.towers;
    w.by_type[f.id == "fp16" || f.id == "f16" ? "f16" : "bf16"] += w.towers;
  }
  return w;
}

}  // namespace vramest
