#include <catch2/catch.hpp>

#include "support/catalog_models.hpp"
#include "vramest/io/json.hpp"
#include "vramest/parse/hf_config.hpp"

using namespace vramest;

namespace {

const ModelCatalog& catalog() { return test::model_catalog(); }

using test::arch_of;

ParamCounts counts_of(std::string_view id) { return count_params(arch_of(id)); }

ModelArch arch_from_text(const std::string& text) {
  return arch_from_hf_config(parse_json_document(text, "config.json"), "config.json");
}

}  // namespace

TEST_CASE("model: the catalog holds at least 40 models from the families the issue names",
          "[model][catalog]") {
  CHECK(catalog().all().size() >= 120);
  for (const char* id : {"llama-2-7b",    "llama-3-8b",      "llama-3.1-8b",     "llama-3.2-1b",
                         "llama-3.3-70b", "mistral-7b-v0.1", "mistral-nemo-12b", "mistral-small-24b-2501",
                         "mixtral-8x7b",  "qwen2.5-7b",      "qwen3-8b",         "qwen3-30b-a3b",
                         "gemma-2-9b",    "gemma-3-27b",     "phi-3-mini-4k",    "phi-4",
                         "deepseek-v2",   "deepseek-v3",     "deepseek-r1",      "gpt-oss-20b",
                         "gpt-oss-120b",  "llama-4-scout"}) {
    INFO(id);
    CHECK(catalog().try_find(id) != nullptr);
  }
}

// Every catalog count is checked by the data's params_evidence against a published number
// (safetensors index total_size, model cards); the counter must reproduce each exactly.
TEST_CASE("model: exact parameter counts for every catalog model", "[model][catalog]") {
  for (const ModelEntry& entry : catalog().all()) {
    INFO(entry.id << ": " << entry.params_evidence);
    const ParamCounts counts = counts_of(entry.id);
    CHECK(counts.total == entry.params);
    CHECK(counts.active == entry.active_params);
  }
}

TEST_CASE("model: published counts, pinned", "[model]") {
  // meta-llama/Llama-3.1-8B model.safetensors.index.json total_size 16,060,522,496 B / 2.
  CHECK(counts_of("llama-3.1-8b").total == 8'030'261'248ULL);
  // Llama-3.1-70B total_size 141,107,412,992 / 2.
  CHECK(counts_of("llama-3.1-70b").total == 70'553'706'496ULL);
  // Tied embeddings counted once: Llama-3.2-1B "1.23B".
  CHECK(counts_of("llama-3.2-1b").total == 1'235'814'400ULL);
  // Qwen2.5-7B total_size 15,231,233,024 / 2: q, k, v biases included.
  CHECK(counts_of("qwen2.5-7b").total == 7'615'616'512ULL);
  // Mixtral-8x7B total_size 93,405,585,408 / 2; "12.9B active" counting embedding and head.
  CHECK(counts_of("mixtral-8x7b").total == 46'702'792'704ULL);
  CHECK(counts_of("mixtral-8x7b").active == 12'879'925'248ULL);
  // Qwen3-30B-A3B "30.5B / 3.3B".
  CHECK(counts_of("qwen3-30b-a3b").total == 30'532'122'624ULL);
  // gpt-oss-120b model card 116.83B; "5.13B active" excludes the embedding (201088 x 2880).
  const ParamCounts oss = counts_of("gpt-oss-120b");
  CHECK(oss.total == 116'829'156'672ULL);
  CHECK(oss.active - oss.embedding == 5'132'849'472ULL);
  // DeepSeek-V3 main model (README_WEIGHTS: 671B, MTP layer excluded).
  CHECK(counts_of("deepseek-v3").total == 671'026'419'200ULL);
  // Gemma-3-27B text model (the Hub total includes the SigLIP tower and projector).
  CHECK(counts_of("gemma-3-27b").total == 27'009'346'304ULL);
}

// DeepSeek-V3 (inference/configs/config_671B.json): MLA attention is 187,107,328 parameters per
// layer (formulas.md 1.3: q_a 7168x1536, q_a_norm, q_b 1536x128x192, kv_a 7168x576, kv_a_norm,
// kv_b 512x128x256, o 128x128x7168).
TEST_CASE("model: MLA attention parameters per layer", "[model]") {
  std::uint64_t attention = 0;
  for (const TensorShape& t : model_tensors(arch_of("deepseek-v3"))) {
    if (t.layer != 0) continue;
    switch (t.role) {
      case TensorRole::attn_q_a:
      case TensorRole::attn_q_a_norm:
      case TensorRole::attn_q_b:
      case TensorRole::attn_kv_a_mqa:
      case TensorRole::attn_kv_a_norm:
      case TensorRole::attn_kv_b:
      case TensorRole::attn_output: attention += t.elements(); break;
      default: break;
    }
  }
  CHECK(attention == 187'107'328ULL);
}

TEST_CASE("model: family conventions the config leaves implicit", "[model]") {
  const ModelArch qwen2 = arch_of("qwen2.5-7b");
  CHECK(qwen2.qkv_bias);
  CHECK_FALSE(qwen2.o_bias);
  CHECK(arch_of("qwen3-8b").qk_norm == QkNormKind::per_head);
  CHECK(arch_of("gemma-2-9b").norms_per_layer == 4);
  CHECK(arch_of("gemma-2-9b").tied_embeddings);
  const ModelArch gemma3 = arch_of("gemma-3-27b");
  CHECK(gemma3.multimodal);
  // Gemma-3: 5 local layers (window 1024) for each global one; 62 layers -> 10 global.
  std::size_t global = 0;
  for (const LayerSpec& l : gemma3.layers) global += l.scope == AttentionScope::full ? 1 : 0;
  CHECK(global == 10);
  CHECK(gemma3.layers[0].window == 1024);
  // DeepSeek-V3: 3 dense layers first, then MoE.
  const ModelArch v3 = arch_of("deepseek-v3");
  CHECK_FALSE(v3.layers[2].moe);
  CHECK(v3.layers[3].moe);
  CHECK(v3.moe->shared_intermediate == 2048);
  // Llama-4 Maverick alternates dense and MoE layers.
  const ModelArch maverick = arch_of("llama-4-maverick");
  CHECK_FALSE(maverick.layers[0].moe);
  CHECK(maverick.layers[1].moe);
}

TEST_CASE("model: an unknown model_type with the standard fields is a generic decoder, with a warning",
          "[model][config]") {
  const ModelArch a =
      arch_from_text(R"({"model_type": "my_new_llm", "hidden_size": 64, "intermediate_size": 128,
      "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 100})");
  // Per layer: norms 2x64, q 64x64, k,v 64x32 each, o 64x64, gated MLP 3x64x128; + final norm
  // + embedding and head (tie_word_embeddings absent: false).
  const std::uint64_t layer = 2 * 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128;
  CHECK(count_params(a).total == 2 * layer + 64 + 2 * 100 * 64);
  CHECK(a.warnings.size() == 1);
}

TEST_CASE("model: GPT-2's config counts 124,439,808 parameters", "[model][config]") {
  // openai-community/gpt2: LayerNorm, learned positions, biases, tied head (124M).
  const ModelArch a = arch_from_text(R"({"model_type": "gpt2", "n_embd": 768, "n_head": 12, "n_layer": 12,
      "n_positions": 1024, "vocab_size": 50257, "n_inner": null})");
  CHECK(count_params(a).total == 124'439'808ULL);
}

TEST_CASE("model: configs lacking what is needed name the field", "[model][config]") {
  const auto where = [](const std::string& text) {
    try {
      (void)arch_from_text(text);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::bad_file);
      return e.where();
    }
    FAIL("accepted");
    return std::string{};
  };
  CHECK(where(R"({"num_hidden_layers": 2})") == "config.json:/hidden_size");
  CHECK(
      where(
          R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 8})") ==
      "config.json:/vocab_size");
  CHECK(where(R"({"hidden_size": "64"})") == "config.json:/hidden_size");
  CHECK(where(R"({"hidden_size": -64})") == "config.json:/hidden_size");
  CHECK(where(R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 3, "vocab_size": 10,
                  "intermediate_size": 8})") == "config.json:/head_dim");
  CHECK(where(R"({"hidden_size": 64, "num_hidden_layers": 0, "num_attention_heads": 4, "vocab_size": 10,
                  "intermediate_size": 8})") == "config.json:/num_hidden_layers");
  CHECK(
      where(R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 3,
                  "vocab_size": 10, "intermediate_size": 8})") == "config.json:");
  CHECK(where(R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10})") ==
        "config.json:/intermediate_size");
  CHECK(where(R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10,
                  "intermediate_size": 8, "layer_types": ["full_attention"]})") ==
        "config.json:/layer_types");
  CHECK(
      where(
          R"({"hidden_size": 99999999999, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10,
                  "intermediate_size": 8})") == "config.json:/head_dim");
  CHECK(where("[1, 2]") == "config.json");
  CHECK_THROWS_AS(parse_json_document("{\"hidden_size\": ", "config.json"), Error);
}

TEST_CASE("model: a multimodal config uses its text part", "[model][config]") {
  const ModelArch a = arch_from_text(R"({"model_type": "llava", "vision_config": {"hidden_size": 1024},
      "text_config": {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                      "num_attention_heads": 4, "vocab_size": 100}})");
  CHECK(a.multimodal);
  CHECK(a.hidden == 64);
  CHECK_FALSE(a.notes.empty());
}

TEST_CASE("model: lookup by id, Hugging Face name or alias, case-insensitive, with did you mean",
          "[model][catalog]") {
  CHECK(catalog().find("meta-llama/Llama-3.1-8B").id == "llama-3.1-8b");
  CHECK(catalog().find("META-LLAMA/LLAMA-3.1-8B-INSTRUCT").id == "llama-3.1-8b");
  try {
    (void)catalog().find("llama-3.1-8c");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_value);
    CHECK(e.hint() == "did you mean 'llama-3.1-8b'?");
  }
}

// Inputs fuzz/fuzz_hf_config.cpp found that escaped as internal errors or crashed: each must be
// a one-line bad_file error.
TEST_CASE("model: configs that once escaped the error path are bad files", "[model][config][regression]") {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  for (const std::string& text : {std::string(R"({"hidden_size": 1e999})"),
                                  std::string(R"({"multimodal": "yes", "hidden_size": 64})"), deep}) {
    INFO(text.substr(0, 40));
    try {
      (void)arch_from_text(text);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::bad_file);
    }
  }
}

TEST_CASE("model: configs that once wrapped sizes or took quadratic time", "[model][config][regression]") {
  const auto config_of = [](std::string_view id) {
    return nlohmann::json::parse(catalog().find(id).config_json);
  };
  const auto refused = [](const nlohmann::json& config) {
    try {
      (void)count_params(arch_from_hf_config(config, "config.json"));
    } catch (const Error&) {
      return true;
    }
    return false;
  };
  // 2^62-wide MLA heads or shared experts wrapped every product and printed a plausible count.
  for (const char* key :
       {"qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "q_lora_rank", "n_shared_experts"}) {
    INFO(key);
    nlohmann::json config = config_of("deepseek-v2-lite");
    config[key] = 1ULL << 62;
    CHECK(refused(config));
  }
  // A long mlp_only_layers list was scanned once per layer (100,000 x 200,000 here).
  nlohmann::json config = config_of("qwen3-30b-a3b");
  config["num_hidden_layers"] = 100000;
  nlohmann::json list = nlohmann::json::array();
  for (std::uint64_t i = 0; i < 200000; ++i) list.push_back(i % 2 == 1 ? i : 1);
  config["mlp_only_layers"] = list;
  const ModelArch arch = arch_from_hf_config(config, "config.json");
  CHECK(arch.layers[0].moe);
  CHECK_FALSE(arch.layers[1].moe);
  CHECK(arch.layers[2].moe);
  CHECK_FALSE(arch.layers[99999].moe);
}
