// Every family in the table, held to published checkpoints: tests/data/families/ holds one real
// config.json per checkpoint with its exact parameter count and where the count comes from
// (safetensors index total_size over the dtype width, the Hub's count, or a model card's exact
// figure), and the layout of its tensors from the family's transformers modeling file.
#include "vramest/families.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "support/read_text.hpp"
#include "vramest/io/json.hpp"
#include "vramest/kv_cache.hpp"
#include "vramest/parse/hf_config.hpp"

using namespace vramest;

namespace {

std::vector<std::filesystem::path> fixtures() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(VRAMEST_FAMILIES_DIR)) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

ModelArch arch_from_text(const std::string& text) {
  return arch_from_hf_config(parse_json_document(text, "config.json"), "config.json");
}

}  // namespace

TEST_CASE("families: every published checkpoint's parameter count, exactly", "[model][families]") {
  const auto paths = fixtures();
  REQUIRE(paths.size() >= 7);
  for (const auto& path : paths) {
    const nlohmann::json fixture = nlohmann::json::parse(test::read_text(path.string()));
    INFO(path.filename().string() << ": " << fixture.value("params_source", ""));
    const ModelArch arch = arch_from_hf_config(fixture.at("config"), path.string());
    const ParamCounts counts = count_params(arch);
    // Multimodal checkpoints: the language model apart from its towers; an encoder-decoder's
    // count is both stacks.
    const bool towers_apart = fixture.contains("text_params") && arch.kind != ArchKind::encoder_decoder;
    const std::uint64_t expected =
        towers_apart ? fixture["text_params"].get<std::uint64_t>() : fixture["params"].get<std::uint64_t>();
    // Tensors a checkpoint stores that transformers drops on load (T5 v1.0's cross-attention
    // relative bias) are not memory.
    CHECK(counts.total == expected - fixture.value("stored_not_loaded", std::uint64_t{0}));
    if (towers_apart && counts.towers > 0) {
      CHECK(counts.total + counts.towers == fixture["params"].get<std::uint64_t>());
    }
    CHECK(arch.warnings.empty());
    CHECK(arch.family != "generic decoder");
  }
}

TEST_CASE("families: every row's model types are unique", "[model][families]") {
  std::set<std::string> seen;
  for (const Family& f : kFamilies) {
    std::string_view list = f.model_types;
    while (!list.empty()) {
      const std::size_t space = list.find(' ');
      const std::string word(list.substr(0, space));
      INFO(word);
      CHECK(seen.insert(word).second);
      CHECK(find_family(word) == &f);
      if (space == std::string_view::npos) break;
      list.remove_prefix(space + 1);
    }
  }
}

TEST_CASE("families: an unknown family is approximated with a warning, or refused naming the field",
          "[model][families]") {
  const ModelArch arch = arch_from_text(R"({"model_type": "brand_new_lm", "hidden_size": 1024,
      "num_hidden_layers": 4, "num_attention_heads": 8, "intermediate_size": 4096, "vocab_size": 1000})");
  CHECK(arch.family == "generic decoder");
  REQUIRE(arch.warnings.size() == 1);
  CHECK_THAT(arch.warnings[0], Catch::Contains("approximated as a generic decoder"));
  try {
    (void)arch_from_text(R"({"model_type": "brand_new_lm", "hidden_size": 1024, "num_hidden_layers": 4})");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::bad_file);
    CHECK_THAT(std::string(e.what()), Catch::Contains("brand_new_lm") && Catch::Contains("missing field"));
  }
}

// Checkpoints whose config.json is not in tests/data/families, pinned from their published
// config values (answerdotai/ModernBERT-base and -large config.json; facebook/bart-large).
TEST_CASE("families: ModernBERT and BART from their config values", "[model][families]") {
  // ModernBertForMaskedLM: Hub safetensors counts 149,655,232 and 395,881,664 (embeddings, 22/28
  // layers with no attention norm in layer 0, final norm, a bias-free head dense + norm + vocab bias).
  const char* modernbert = R"({"model_type": "modernbert", "architectures": ["ModernBertForMaskedLM"],
      "hidden_size": %H, "intermediate_size": %I, "num_hidden_layers": %L, "num_attention_heads": %A,
      "vocab_size": 50368, "max_position_embeddings": 8192, "global_attn_every_n_layers": 3,
      "local_attention": 128, "norm_bias": false, "attention_bias": false, "mlp_bias": false,
      "classifier_bias": false, "tie_word_embeddings": true})";
  const auto config = [&](int h, int i, int l, int a) {
    std::string text = modernbert;
    for (const auto& [key, value] : {std::pair{"%H", h}, {"%I", i}, {"%L", l}, {"%A", a}})
      text.replace(text.find(key), 2, std::to_string(value));
    return arch_from_text(text);
  };
  const ModelArch base = config(768, 1152, 22, 12);
  CHECK(count_params(base).total == 149'655'232ULL);
  CHECK(count_params(config(1024, 2624, 28, 16)).total == 395'881'664ULL);
  CHECK_FALSE(base.has_kv_cache());
  CHECK(kv_cache_sizes(base, find_kv_dtype("bf16"), Engine::vllm, {8192, 4}).bytes.count == 0);

  // facebook/bart-large: BartModel.num_parameters() 406,291,456 (positions of 1026 rows in each
  // stack, an embedding LayerNorm in each, no final LayerNorm, tied head); the checkpoint's
  // final_logits_bias is a buffer.
  const ModelArch bart = arch_from_text(R"({"model_type": "bart", "d_model": 1024, "encoder_layers": 12,
      "decoder_layers": 12, "encoder_attention_heads": 16, "decoder_attention_heads": 16,
      "encoder_ffn_dim": 4096, "decoder_ffn_dim": 4096, "vocab_size": 50265, "max_position_embeddings": 1024})");
  CHECK(count_params(bart).total == 406'291'456ULL);
}

// Per token and per sequence, what each layer kind keeps (hand-computed from the fixtures'
// configs and the cache classes of transformers and llama.cpp).
TEST_CASE("families: the cache of each layer kind", "[kv_cache][families]") {
  const auto fixture_arch = [](const char* name) {
    const nlohmann::json f =
        nlohmann::json::parse(test::read_text(std::string(VRAMEST_FAMILIES_DIR) + "/" + name + ".json"));
    return arch_from_hf_config(f.at("config"), name);
  };
  const KvDtype& bf16 = find_kv_dtype("bf16");
  // Mamba-130m: d_inner 1536, d_state 16, d_conv 4, 24 layers, no attention. llama.cpp keeps
  // (4 - 1) x 1536 conv inputs and 1536 x 16 states per layer in F32, one cell per sequence:
  // 24 x (4608 + 24576) x 4 B = 2,801,664 B per sequence, whatever the context.
  const ModelArch mamba = fixture_arch("mamba--mamba-130m-hf");
  const KvCacheResult m1 = kv_cache_sizes(mamba, bf16, Engine::llamacpp, {4096, 2});
  CHECK(m1.bytes.count == 2 * 2'801'664ULL);
  CHECK(m1.state_bytes.count == m1.bytes.count);
  CHECK(kv_cache_sizes(mamba, bf16, Engine::llamacpp, {131072, 2}).bytes == m1.bytes);
  // transformers' MambaCache keeps the whole kernel in bf16: 24 x (4 x 1536 + 1536 x 16) x 2.
  CHECK(kv_cache_sizes(mamba, bf16, Engine::transformers, {4096, 1}).bytes.count ==
        24ULL * (6144 + 24576) * 2);

  // Jamba-1.5-Mini: 4 attention layers of 8 KV heads x 128 cache per token, 28 Mamba layers
  // a state: at 32k tokens, 4 x 2 x 8 x 128 x 2 B x 32768 = 536,870,912 B of KV.
  const ModelArch jamba = fixture_arch("jamba--ai21-jamba-1.5-mini");
  const KvCacheResult j = kv_cache_sizes(jamba, bf16, Engine::transformers, {32768, 1});
  CHECK(j.full_layers == 4);
  CHECK(j.recurrent_layers == 28);
  CHECK(j.bytes.count - j.state_bytes.count == 536'870'912ULL);

  // LFM2-1.2B: 6 attention layers (8 x 64), 10 convolution layers keep (3 - 1) x 2048 inputs.
  const ModelArch lfm2 = fixture_arch("lfm2--lfm2-1.2b");
  const KvCacheResult l = kv_cache_sizes(lfm2, bf16, Engine::llamacpp, {4096, 1});
  CHECK(l.full_layers == 6);
  CHECK(l.state_bytes.count == 10ULL * 2 * 2048 * 4);
  CHECK(l.bytes.count - l.state_bytes.count == 6ULL * 2 * 8 * 64 * 2 * 4096);

  // Whisper-small: 12 decoder layers cache their own K and V (768 wide) per token, and a
  // cross-attention copy of the 1500 encoder frames: 12 x 2 x 768 x 2 B x 1500 per sequence.
  const ModelArch whisper = fixture_arch("whisper--whisper-small");
  const KvCacheResult w = kv_cache_sizes(whisper, bf16, Engine::transformers, {448, 1});
  CHECK(w.cross_bytes.count == 12ULL * 2 * 768 * 2 * 1500);
  CHECK(w.bytes.count == w.cross_bytes.count + 12ULL * 2 * 768 * 2 * 448);

  // BERT: an encoder caches nothing.
  CHECK(kv_cache_sizes(fixture_arch("bert--bert-base-uncased"), bf16, Engine::transformers, {512, 8})
            .bytes.count == 0);
}

// allenai/OLMo-1B-hf (1,176,764,416: non-parametric LayerNorms, tied) and
// allenai/OLMoE-1B-7B-0924 (Hub count 6,919,161,856: 64 experts of 1024, q/k norms over the
// whole projection, untied), from their config values.
TEST_CASE("families: OLMo and OLMoE from their config values", "[model][families]") {
  CHECK(count_params(arch_from_text(R"({"model_type": "olmo", "hidden_size": 2048, "intermediate_size": 8192,
      "num_hidden_layers": 16, "num_attention_heads": 16, "num_key_value_heads": 16, "vocab_size": 50304,
      "max_position_embeddings": 2048, "tie_word_embeddings": true})"))
            .total == 1'176'764'416ULL);
  CHECK(count_params(arch_from_text(R"({"model_type": "olmoe", "hidden_size": 2048, "intermediate_size": 1024,
      "num_hidden_layers": 16, "num_attention_heads": 16, "num_key_value_heads": 16, "vocab_size": 50304,
      "num_experts": 64, "num_experts_per_tok": 8, "max_position_embeddings": 4096, "tie_word_embeddings": false})"))
            .total == 6'919'161'856ULL);
}

// Qwen3-Next-80B-A3B's config values: 48 layers, every 4th full attention (2 KV heads x 256),
// the rest Gated DeltaNet (16 key heads, 32 value heads of 128, a 4-tap convolution).
TEST_CASE("families: Qwen3-Next caches K and V in 12 of its 48 layers", "[kv_cache][families]") {
  const ModelArch arch = arch_from_text(R"({"model_type": "qwen3_next", "hidden_size": 2048,
      "num_hidden_layers": 48, "num_attention_heads": 16, "num_key_value_heads": 2, "head_dim": 256,
      "vocab_size": 151936, "intermediate_size": 5120, "moe_intermediate_size": 512,
      "shared_expert_intermediate_size": 512, "num_experts": 512, "num_experts_per_tok": 10,
      "linear_num_key_heads": 16, "linear_num_value_heads": 32, "linear_key_head_dim": 128,
      "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4, "full_attention_interval": 4,
      "tie_word_embeddings": false, "max_position_embeddings": 262144})");
  const KvCacheResult r = kv_cache_sizes(arch, find_kv_dtype("bf16"), Engine::transformers, {32768, 1});
  CHECK(r.full_layers == 12);
  CHECK(r.recurrent_layers == 36);
  // Per attention layer and token 2 x 2 x 256 x 2 B; per linear layer a 4 x 8192 convolution
  // window and 32 x 128 x 128 states, in bf16.
  CHECK(r.bytes.count - r.state_bytes.count == 12ULL * 2048 * 32768);
  CHECK(r.state_bytes.count == 36ULL * (4 * 8192 + 32 * 128 * 128) * 2);
  // 79.67B total, 3.87B active with embeddings and head ("80B-A3B").
  CHECK(count_params(arch).total == 79'674'391'296ULL);
}

// databricks/dbrx-instruct (d_model 6144, 40 layers, 16 experts of 10752, top 4) and
// microsoft/Phi-3.5-MoE-instruct (16 experts of 6400, top 2, LayerNorms and attention and head
// biases), from their config values: hand-computed from the modeling files, agreeing with the
// published 132B/36B active and 41.9B/6.6B active.
TEST_CASE("families: DBRX and Phi-3.5-MoE from their config values", "[model][families]") {
  const ParamCounts dbrx =
      count_params(arch_from_text(R"({"model_type": "dbrx", "d_model": 6144, "n_heads": 48,
      "n_layers": 40, "max_seq_len": 32768, "vocab_size": 100352, "attn_config": {"kv_n_heads": 8},
      "ffn_config": {"ffn_hidden_size": 10752, "moe_num_experts": 16, "moe_top_k": 4}})"));
  // Per layer: 2 bias-free LayerNorms, Wqkv (6144 + 2 x 1024) x 6144, out_proj, router 16 x 6144,
  // 3 x 16 x 10752 x 6144 expert weights; untied embeddings and head; norm_f.
  CHECK(dbrx.total ==
        40ULL * (2 * 6144 + 8192ULL * 6144 + 6144ULL * 6144 + 16 * 6144 + 3ULL * 16 * 10752 * 6144) +
            2ULL * 100352 * 6144 + 6144);
  CHECK(dbrx.total == 131'596'523'520ULL);
  CHECK(dbrx.active == 36'469'708'800ULL);
  const ParamCounts phimoe = count_params(arch_from_text(R"({"model_type": "phimoe", "hidden_size": 4096,
      "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 6400,
      "num_local_experts": 16, "num_experts_per_tok": 2, "vocab_size": 32064, "attention_bias": true,
      "lm_head_bias": true, "tie_word_embeddings": false, "max_position_embeddings": 131072})"));
  CHECK(phimoe.total == 41'873'153'344ULL);
  CHECK(phimoe.active == 6'640'999'744ULL);
}

// google/gemma-3n: the last num_kv_shared_layers layers reuse earlier layers' keys and values.
TEST_CASE("families: shared-KV layers cache nothing of their own", "[kv_cache][families]") {
  const ModelArch arch =
      arch_from_text(R"({"model_type": "llama", "hidden_size": 256, "intermediate_size": 512,
      "num_hidden_layers": 8, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 100,
      "num_kv_shared_layers": 3})");
  const KvCacheResult r = kv_cache_sizes(arch, find_kv_dtype("bf16"), Engine::transformers, {1000, 1});
  CHECK(r.bytes.count == 5ULL * 2 * 2 * 64 * 2 * 1000);
}

// CohereLabs/c4ai-command-r7b-12-2024: every 4th layer global, the others a 4096-token window.
// At 32k tokens in bf16: 8 global layers x 2 x 8 x 128 x 2 B x 32768 = 1,073,741,824 B and 24
// sliding layers x 4096 B x 4096 = 402,653,184 B.
TEST_CASE("families: Cohere2's every-fourth-layer global attention", "[kv_cache][families]") {
  const ModelArch arch =
      arch_from_text(R"({"model_type": "cohere2", "hidden_size": 4096, "intermediate_size": 14336,
      "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 256000,
      "max_position_embeddings": 131072, "sliding_window": 4096, "sliding_window_pattern": 4})");
  const KvCacheResult r = kv_cache_sizes(arch, find_kv_dtype("bf16"), Engine::transformers, {32768, 1});
  CHECK(r.full_layers == 8);
  CHECK(r.bytes.count == 1'073'741'824ULL + 402'653'184ULL);
}
