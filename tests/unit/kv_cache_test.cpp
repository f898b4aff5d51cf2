#include "vramest/kv_cache.hpp"

#include <catch2/catch.hpp>

#include "support/catalog_models.hpp"
#include "vramest/parse/hf_config.hpp"

using namespace vramest;

namespace {

using test::arch_of;

KvCacheResult kv(std::string_view id, const char* dtype, Engine engine, std::uint64_t context,
                 std::uint64_t batch = 1, std::uint64_t ubatch = 512) {
  return kv_cache(arch_of(id), find_kv_dtype(dtype), engine, {context, batch, ubatch});
}

}  // namespace

// formulas.md 2.1: per token 2 x layers x KV heads x head_dim x bytes.
TEST_CASE("kv_cache: GQA caches KV heads, not query heads", "[kv_cache]") {
  // Llama-3.1-8B: 2 x 32 x 8 x 128 x 2 B = 131,072 B/token; 8192 tokens = 1 GiB.
  const KvCacheResult llama = kv("llama-3.1-8b", "bf16", Engine::transformers, 8192);
  CHECK(llama.bytes_per_token_full == 131'072);
  CHECK(llama.bytes.count == kGiB);
  // Qwen2.5-7B (28 layers, 4 KV heads): 57,344 B/token; Llama-2-7B (MHA): 524,288 B/token.
  CHECK(kv("qwen2.5-7b", "bf16", Engine::transformers, 1).bytes_per_token_full == 57'344);
  CHECK(kv("llama-2-7b", "fp16", Engine::transformers, 1).bytes_per_token_full == 524'288);
  // Llama-3.1-70B at 128k: 40 GiB.
  CHECK(kv("llama-3.1-70b", "bf16", Engine::transformers, 131072).bytes.count == 40 * kGiB);
}

TEST_CASE("kv_cache: tokens are context x batch", "[kv_cache][property]") {
  const Bytes one = kv("qwen3-8b", "bf16", Engine::transformers, 4096).bytes;
  CHECK(kv("qwen3-8b", "bf16", Engine::transformers, 4096, 8).bytes.count == 8 * one.count);
  CHECK(kv("qwen3-8b", "bf16", Engine::transformers, 8192).bytes.count == 2 * one.count);
  CHECK(kv("qwen3-8b", "fp8", Engine::vllm, 4096).bytes < kv("qwen3-8b", "bf16", Engine::vllm, 4096).bytes);
}

// DeepSeek-V2 (arXiv:2405.04434 section 2.1.2): the cache holds the latent (kv_lora_rank 512) and
// the shared RoPE key (64): 576 values per token per layer. V3, 61 layers, bf16: 70,272 B/token.
TEST_CASE("kv_cache: MLA caches the compressed latent", "[kv_cache]") {
  const KvCacheResult v3 = kv("deepseek-v3", "bf16", Engine::vllm, 131072);
  CHECK(v3.bytes_per_token_full == 70'272);
  CHECK(v3.bytes.count == 70'272ULL * 131072);  // 8.58 GiB at 128k
  // transformers' DeepSeek modules cache expanded per-head K (192) and V (128): 4,997,120 B/token.
  CHECK(kv("deepseek-v3", "bf16", Engine::transformers, 1).bytes_per_token_full == 4'997'120);
  // V2-Lite, 27 layers: 31,104 B/token.
  CHECK(kv("deepseek-v2-lite", "bf16", Engine::vllm, 16).bytes_per_token_full == 31'104);
}

TEST_CASE("kv_cache: sliding-window layers hold at most their window", "[kv_cache]") {
  // Mistral-7B-v0.1: every layer windowed at 4096; at 32k, transformers holds 4096 tokens.
  const KvCacheResult mistral = kv("mistral-7b-v0.1", "bf16", Engine::transformers, 32768);
  CHECK(mistral.windowed_layers == 32);
  CHECK(mistral.bytes.count == 131'072ULL * 4096);
  // Below the window nothing is capped.
  CHECK(kv("mistral-7b-v0.1", "bf16", Engine::transformers, 1024).bytes.count == 131'072ULL * 1024);
  // Gemma-2-9B alternates: 21 of 42 layers local (4096).
  const KvCacheResult gemma = kv("gemma-2-9b", "bf16", Engine::transformers, 8192);
  CHECK(gemma.windowed_layers == 21);
  CHECK(gemma.full_layers == 21);
  const std::uint64_t per_layer = 2ULL * 8 * 256 * 2;
  CHECK(gemma.bytes.count == per_layer * (21 * 8192 + 21 * 4096));
}

// llama.cpp log (gpt-oss-20b, -c 131072 -ub 2048): 12 full layers of 131072 cells + 12 SWA layers
// of 2304 cells (n_swa 128 + ubatch 2048, padded to 256) = 3126 MiB; at -ub 512, 768 SWA cells.
TEST_CASE("kv_cache: llama.cpp's iSWA cache, pinned to its log", "[kv_cache]") {
  CHECK(kv("gpt-oss-20b", "fp16", Engine::llamacpp, 131072, 1, 2048).bytes.count == 3126 * kMiB);
  CHECK(kv("gpt-oss-20b", "fp16", Engine::llamacpp, 131072, 1, 512).bytes.count == 3090 * kMiB);
}

TEST_CASE("kv_cache: engines round to their allocation units", "[kv_cache]") {
  // llama.cpp pads n_ctx to 256 cells (PR #17046); vLLM allocates 16-token pages.
  CHECK(kv("llama-3.1-8b", "fp16", Engine::llamacpp, 1000).cells == 1024);
  CHECK(kv("llama-3.1-8b", "fp16", Engine::llamacpp, 1000).bytes.count == 131'072ULL * 1024);
  CHECK(kv("llama-3.1-8b", "bf16", Engine::vllm, 1000).bytes.count == 131'072ULL * 1008);
  CHECK(kv("llama-3.1-8b", "bf16", Engine::transformers, 1000).bytes.count == 131'072ULL * 1000);
  // llama.cpp's unified cache: 4 sequences of 2048 share 8192 cells.
  CHECK(kv("llama-3.1-8b", "fp16", Engine::llamacpp, 2048, 4).bytes.count == kGiB);
}

// formulas.md 2.5: q8_0 34 B per 32 values, q4_0 18 B per 32; Llama-3.1-8B q8_0 69,632 B/token,
// q4_0 36,864 B/token. llama.cpp issue #22585: 262,144 cells x 36 layers of q4_0 K rows of 1024
// values = 5184 MiB.
TEST_CASE("kv_cache: quantized caches at their real bits", "[kv_cache]") {
  CHECK(kv("llama-3.1-8b", "q8_0", Engine::llamacpp, 256).bytes_per_token_full == 69'632);
  CHECK(kv("llama-3.1-8b", "q4_0", Engine::llamacpp, 256).bytes_per_token_full == 36'864);
  CHECK(kv_row_bytes(find_kv_dtype("q4_0"), 1024) * 262'144ULL * 36 == 5184 * kMiB);
  CHECK(kv("llama-3.1-8b", "fp8", Engine::vllm, 16).bytes_per_token_full == 65'536);
}

TEST_CASE("kv_cache: unknown cache types suggest the closest", "[kv_cache]") {
  CHECK(find_kv_dtype("F16").id == "fp16");
  CHECK_THROWS_WITH(find_kv_dtype("q8_1"), Catch::Contains("unknown KV cache type"));
  CHECK_THROWS_AS(kv("llama-3.1-8b", "fp16", Engine::transformers, 0), Error);
}
