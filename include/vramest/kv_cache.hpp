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
#include <cstdio>
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
  Bytes bytes;        // attention cache + recurrent state + cross-attention cache
  Bytes state_bytes;  // of which: recurrent state (Mamba, linear attention, conv)
  Bytes cross_bytes;  // of which: encoder-decoder cross-attention keys and values
  std::uint64_t recurrent_layers = 0;
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

// The fixed state one sequence keeps in a layer that does not attend, in elements: the
// convolution's last inputs and the scan's state. llama.cpp keeps kernel - 1 inputs
// (llama-model.cpp n_embd_r) and vLLM likewise (mamba_utils.py); transformers' caches keep the
// whole kernel (MambaCache conv_states [d_inner, d_conv]).
struct RecurrentState {
  std::uint64_t conv = 0;
  std::uint64_t scan = 0;
};

inline RecurrentState recurrent_state(const ModelArch& arch, Mixer mixer, Engine engine) {
  const auto taps = [engine](std::uint64_t kernel) {
    return engine == Engine::transformers ? kernel : kernel - 1;
  };
  switch (mixer) {
    case Mixer::mamba: {
      const SsmSpec& s = *arch.ssm;
      return {taps(s.d_conv) * s.d_inner, s.d_inner * s.d_state};
    }
    case Mixer::mamba2: {  // conv over x, B and C; an SSM state per head of head_dim x d_state
      const SsmSpec& s = *arch.ssm;
      return {taps(s.d_conv) * (s.d_inner + 2 * s.n_groups * s.d_state), s.d_inner * s.d_state};
    }
    case Mixer::gated_deltanet: {  // conv over q, k, v; a k_head_dim x v_head_dim matrix per v head
      const LinearAttentionSpec& l = *arch.linear_attention;
      const std::uint64_t conv_dim = 2 * l.k_heads * l.k_head_dim + l.v_heads * l.v_head_dim;
      return {taps(l.conv_kernel) * conv_dim, l.v_heads * l.k_head_dim * l.v_head_dim};
    }
    case Mixer::short_conv: return {taps(arch.short_conv->kernel) * arch.hidden, 0};
    case Mixer::attention:
    case Mixer::none: break;
  }
  return {};
}

// Bytes per state element: llama.cpp keeps recurrent state in F32 (llama_memory_recurrent's
// type_r/type_s); vLLM and transformers in the model's 16-bit dtype.
inline std::uint64_t state_element_bytes(Engine engine) { return engine == Engine::llamacpp ? 4 : 2; }

inline constexpr std::uint64_t kVllmBlockTokens = 16;       // vLLM's default block_size on CUDA
inline constexpr std::uint64_t kLlamaCppCellPadding = 256;  // llama.cpp n_ctx padding (PR #17046)

namespace kv_detail {
inline std::string mib_text(Bytes b) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f MiB", static_cast<double>(b.count) / static_cast<double>(kMiB));
  return buffer;
}
}  // namespace kv_detail

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
  std::uint64_t state = 0;
  std::uint64_t cross = 0;
  if (!arch.has_kv_cache()) {  // encoders keep nothing between forward passes
    r.cells = 0;
    return r;
  }
  // An encoder-decoder's cross-attention keys and values: one copy of the encoder output per
  // decoder layer and sequence (Whisper: 1500 frames; T5, BART: the prompt).
  const std::uint64_t source =
      arch.encoder && arch.encoder->source_length > 0 ? arch.encoder->source_length : req.context;
  for (const LayerSpec& layer : arch.layers) {
    if (layer.cross_attention) {
      const std::uint64_t width = arch.heads * arch.head_dim;
      const std::uint64_t cross_row =
          kv_row_bytes(dtype, width) + kv_row_bytes(v_dtype != nullptr ? *v_dtype : dtype, width);
      cross = checked_add(cross, checked_mul(checked_mul(cross_row, source), req.batch));
    }
    if (!layer.has_attention()) {
      const RecurrentState s = recurrent_state(arch, layer.mixer, engine);
      if (s.conv + s.scan > 0) {
        r.recurrent_layers += 1;
        state = checked_add(
            state, checked_mul(checked_mul(s.conv + s.scan, state_element_bytes(engine)), req.batch));
      }
      continue;
    }
    if (layer.shares_kv) continue;
    if (layer.image_cross_attention) {  // keys and values of the image tokens, once per sequence
      cross = checked_add(cross, checked_mul(checked_mul(per_layer_token, arch.image_tokens), req.batch));
      continue;
    }
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
  r.state_bytes = Bytes{state};
  r.cross_bytes = Bytes{cross};
  total = checked_add(checked_add(total, state), cross);
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
  } else if (!arch.has_kv_cache()) {
    r.formula = "an encoder: no cache between forward passes";
  } else if (r.full_layers + r.windowed_layers > 0) {
    r.formula =
        "2 (K,V) x " + std::to_string(arch.kv_heads) + " KV heads x " + std::to_string(arch.head_dim) +
        (r.recurrent_layers > 0 ? " dims per token per attention layer" : " dims per token per layer");
  } else {
    r.formula = "no attention layers";
  }
  if (r.recurrent_layers > 0) {
    r.formula += "; " + std::to_string(r.recurrent_layers) +
                 " recurrent layers keep a fixed state per sequence (" + kv_detail::mib_text(r.state_bytes) +
                 ")";
  }
  if (r.cross_bytes.count > 0) r.formula += "; cross-attention cache " + kv_detail::mib_text(r.cross_bytes);
  return r;
}

}  // namespace vramest
