// kv_cache.hpp — the key/value cache, by architecture, context, batch, cache type and engine.
//
// Per attention layer and cached token, standard attention stores K and V for each KV head:
// 2 x kv_heads x head_dim elements (GQA caches KV heads, not query heads). MLA (DeepSeek-V2/V3)
// caches one compressed latent plus the shared RoPE key: kv_lora_rank + qk_rope_head_dim
// elements (arXiv:2405.04434 section 2.1.2). Sliding-window and chunked layers hold at most
// their window. Engines round differently:
//  - transformers: exactly the tokens held; its DeepSeek modules cache the expanded per-head K
//    and V (heads x (qk_nope + qk_rope + v_head_dim)), not the latent;
//  - vLLM: pages of 16 tokens per sequence (vllm/v1/kv_cache_interface.py), a sliding layer holds
//    its window plus one page for misalignment; MLA holds the latent (one 576-wide "head");
//  - llama.cpp: one unified cache of n_ctx = context x batch cells, padded to 256
//    (llama-context, PR #17046); sliding layers hold min(n_ctx, window x batch + n_ubatch)
//    padded (llama-kv-cache-iswa.cpp); MLA caches the 576-wide latent as K only (PR #19067).
//
//   KvCacheResult kv = kv_cache(arch, find_kv_dtype("fp16"), Engine::transformers, {8192, 1});
//   // Llama-3.1-8B: 131,072 bytes per token -> 1 GiB at 8192 tokens
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/formats.hpp"
#include "vramest/model.hpp"
#include "vramest/suggest.hpp"
#include "vramest/units.hpp"

namespace vramest {

enum class Engine { transformers, vllm, llamacpp };

constexpr std::string_view engine_name(Engine engine) {
  switch (engine) {
    case Engine::transformers: return "transformers";
    case Engine::vllm: return "vllm";
    case Engine::llamacpp: return "llamacpp";
  }
  return "transformers";
}

// A cache element type: `block_bytes` store `block_elements` values (ggml blocks for q8_0/q4_0).
struct KvDtype {
  std::string_view id;
  std::uint64_t block_elements;
  std::uint64_t block_bytes;
};

// llama.cpp --cache-type-k/-v (ggml block sizes: q8_0 34 B per 32, q4_0 18 B per 32); vLLM
// --kv-cache-dtype fp8 (one byte per element, per-tensor scales).
inline constexpr std::array<KvDtype, 9> kKvDtypes{{
    {"fp16", 1, 2},
    {"bf16", 1, 2},
    {"fp32", 1, 4},
    {"fp8", 1, 1},
    {"q8_0", 32, 34},
    {"q5_1", 32, 24},
    {"q5_0", 32, 22},
    {"q4_1", 32, 20},
    {"q4_0", 32, 18},
}};

inline const KvDtype& find_kv_dtype(std::string_view name) {
  std::string lower = to_lower(name);
  if (lower == "f16") lower = "fp16";
  if (lower == "f32") lower = "fp32";
  if (lower == "fp8_e4m3" || lower == "fp8_e5m2") lower = "fp8";
  std::vector<std::string> ids;
  for (const KvDtype& d : kKvDtypes) {
    if (d.id == lower) return d;
    ids.emplace_back(d.id);
  }
  const std::string hint = did_you_mean(name, ids);
  throw Error(ErrorCode::invalid_value, "unknown KV cache type '" + std::string(name) + "'",
              hint.empty() ? "known: fp16, bf16, fp32, fp8, q8_0, q5_1, q5_0, q4_1, q4_0" : hint);
}

// Bytes of one row of `elements` cache values (whole blocks).
inline std::uint64_t kv_row_bytes(const KvDtype& dtype, std::uint64_t elements) {
  return ceil_div(elements, dtype.block_elements) * dtype.block_bytes;
}

struct KvRequest {
  std::uint64_t context = 4096;  // tokens per sequence
  std::uint64_t batch = 1;       // concurrent sequences
  std::uint64_t ubatch = 512;    // llama.cpp n_ubatch
};

struct KvCacheResult {
  Bytes bytes;
  std::uint64_t bytes_per_token_full = 0;  // all layers, per token, before windows and rounding
  std::uint64_t full_layers = 0;
  std::uint64_t windowed_layers = 0;
  std::uint64_t cells = 0;  // llama.cpp cells / vLLM tokens per sequence (full layers)
  std::string formula;      // one line for the output
};

// Elements cached per token in one layer, as K row and V row (V row 0 where only K is cached).
struct KvRowElements {
  std::uint64_t k = 0;
  std::uint64_t v = 0;
};

inline KvRowElements kv_row_elements(const ModelArch& arch, Engine engine) {
  if (arch.mla) {
    const MlaSpec& m = *arch.mla;
    if (engine == Engine::transformers) {  // expanded per-head K (nope + rope) and V
      return {arch.heads * (m.qk_nope_head_dim + m.qk_rope_head_dim), arch.heads * m.v_head_dim};
    }
    return {m.kv_lora_rank + m.qk_rope_head_dim, 0};  // latent + shared RoPE key
  }
  return {arch.kv_heads * arch.head_dim, arch.kv_heads * arch.head_dim};
}

inline std::uint64_t round_up(std::uint64_t value, std::uint64_t multiple) {
  return ceil_div(value, multiple) * multiple;
}

inline constexpr std::uint64_t kVllmBlockTokens = 16;       // vLLM's default block_size on CUDA
inline constexpr std::uint64_t kLlamaCppCellPadding = 256;  // llama.cpp n_ctx padding (PR #17046)

// The sizes only (no text): the fast path planners and sweeps evaluate many times.
// `v_dtype`: llama.cpp's separate V cache type (-ctv); null: the same as K.
inline KvCacheResult kv_cache_sizes(const ModelArch& arch, const KvDtype& dtype, Engine engine, KvRequest req,
                                    const KvDtype* v_dtype = nullptr) {
  if (req.context == 0 || req.batch == 0)
    throw Error(ErrorCode::invalid_value, "context and batch must be positive");
  const KvRowElements row = kv_row_elements(arch, engine);
  const std::uint64_t per_layer_token =
      kv_row_bytes(dtype, row.k) + (row.v ? kv_row_bytes(v_dtype != nullptr ? *v_dtype : dtype, row.v) : 0);
  KvCacheResult r;
  const std::uint64_t tokens_all = checked_mul(req.context, req.batch);
  const std::uint64_t cells = engine == Engine::llamacpp ? round_up(tokens_all, kLlamaCppCellPadding) : 0;
  std::uint64_t total = 0;
  for (const LayerSpec& layer : arch.layers) {
    std::uint64_t tokens = 0;  // cached tokens in this layer, all sequences together
    const bool windowed = layer.scope != AttentionScope::full && layer.window < req.context;
    switch (engine) {
      case Engine::transformers:
        tokens = checked_mul(windowed ? layer.window : req.context, req.batch);
        break;
      case Engine::vllm: {
        const std::uint64_t per_seq =
            windowed ? std::min(round_up(req.context, kVllmBlockTokens),
                                round_up(layer.window, kVllmBlockTokens) + kVllmBlockTokens)
                     : round_up(req.context, kVllmBlockTokens);
        tokens = checked_mul(per_seq, req.batch);
        break;
      }
      case Engine::llamacpp:
        tokens = windowed
                     ? std::min(cells, round_up(checked_add(checked_mul(layer.window, req.batch), req.ubatch),
                                                kLlamaCppCellPadding))
                     : cells;
        break;
    }
    (windowed ? r.windowed_layers : r.full_layers) += 1;
    total = checked_add(total, checked_mul(per_layer_token, tokens));
    r.bytes_per_token_full += per_layer_token;
  }
  r.bytes = Bytes{total};
  r.cells = engine == Engine::llamacpp ? cells
            : engine == Engine::vllm   ? round_up(req.context, kVllmBlockTokens)
                                       : req.context;
  return r;
}

inline KvCacheResult kv_cache(const ModelArch& arch, const KvDtype& dtype, Engine engine, KvRequest req,
                              const KvDtype* v_dtype = nullptr) {
  KvCacheResult r = kv_cache_sizes(arch, dtype, engine, req, v_dtype);
  const KvRowElements row = kv_row_elements(arch, engine);
  if (arch.mla) {
    r.formula =
        engine == Engine::transformers
            ? "MLA expanded to per-head K and V: " + std::to_string(row.k + row.v) + " values/token/layer"
            : "MLA latent: " + std::to_string(row.k) + " values/token/layer";
  } else {
    r.formula = "2 (K,V) x " + std::to_string(arch.kv_heads) + " KV heads x " +
                std::to_string(arch.head_dim) + " dims per token per layer";
  }
  return r;
}

}  // namespace vramest
