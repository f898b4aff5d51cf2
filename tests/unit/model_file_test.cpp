// Model files end to end: files written by tests/support/model_files.hpp with the shapes of
// real models, read back by model_file.hpp, and estimated from their exact bytes.
#include "vramest/model_file.hpp"

#include <catch2/catch.hpp>

#include "support/catalog_models.hpp"
#include "support/model_files.hpp"
#include "vramest/inference.hpp"

using namespace vramest;
namespace fs = std::filesystem;

namespace {

fs::path scratch_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("vramest-model-file-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Llama-3.1-8B's shapes: 32 layers, hidden 4096, 32 heads / 8 KV heads x 128, MLP 14336, vocab
// 128256, untied.
constexpr std::uint64_t kLayers = 32, kHidden = 4096, kHeads = 32, kKv = 8, kHeadDim = 128, kMlp = 14336,
                        kVocab = 128256;

}  // namespace

TEST_CASE("model files: a Llama-3.1-8B-shaped Q4_K_M GGUF gives the architecture and exact bytes",
          "[model_file]") {
  const fs::path dir = scratch_dir("gguf");
  test::LlamaGgufTypes types;
  types.token_embd = 12;  // q4_k
  types.attn_q = types.attn_k = types.attn_output = types.ffn_gate = types.ffn_up = 12;
  types.attn_v = types.ffn_down = 14;  // q6_k
  types.output = 14;
  const test::GgufModel model =
      test::llama_like_gguf(kLayers, kHidden, kHeads, kKv, kHeadDim, kMlp, kVocab, false, types, 131072, 15);
  const std::string path = (dir / "llama-3.1-8b-q4_k_m.gguf").string();
  test::write_gguf(path, model.metadata, model.tensors);
  const ModelFile f = read_model_file(path);
  REQUIRE(f.arch.has_value());
  CHECK(f.format == "gguf");
  CHECK(f.weight_format == "q4_k_m");
  CHECK(f.text.params == 8'030'261'248ULL);                // the published count, from the tensor table
  CHECK(count_params(*f.arch).total == 8'030'261'248ULL);  // and from the metadata's architecture
  CHECK(f.arch->kv_heads == 8);
  CHECK(f.arch->head_dim == 128);
  std::uint64_t bytes = 0;
  for (const test::GgufTensorSpec& t : model.tensors) bytes += test::gguf_tensor_bytes(t);
  CHECK(f.text.bytes.count == bytes);
  CHECK(f.weights.embedding.count == kVocab * kHidden / 256 * 144);  // token_embd in Q4_K
  // The estimate uses the file's bytes: llama.cpp keeps the embedding on the host.
  const ParamCounts counts = count_params(*f.arch);
  InferenceOptions opt;
  opt.engine = Engine::llamacpp;
  const InferencePlan plan = plan_inference(*f.arch, {"file", counts.total, counts.active, "gguf"},
                                            parse_weight_format("q4_k_m"), opt, &f.weights);
  CHECK(plan.device_weights.count == bytes - f.weights.embedding.count);
  fs::remove_all(dir);
}

TEST_CASE("model files: a sparse multi-GB safetensors checkpoint is read from its headers only",
          "[model_file]") {
  const fs::path dir = scratch_dir("st");
  // config.json plus a 16 GB bf16 checkpoint whose data is a hole in the file.
  std::ofstream(dir / "config.json")
      << R"({"model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336,
    "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
    "max_position_embeddings": 131072, "tie_word_embeddings": false, "torch_dtype": "bfloat16"})";
  test::write_safetensors(
      (dir / "model.safetensors").string(),
      test::llama_like_safetensors(kLayers, kHidden, kHeads, kKv, kHeadDim, kMlp, kVocab, false));
  const ModelFile f = read_model_file(dir.string());
  REQUIRE(f.arch.has_value());
  CHECK(f.format == "safetensors");
  CHECK(f.weight_format == "bf16");
  CHECK(f.text.params == 8'030'261'248ULL);
  CHECK(f.text.bytes.count == 16'060'522'496ULL);  // the index's total_size for Llama-3.1-8B
  CHECK(f.file_bytes.count > 16'060'522'496ULL);
  fs::remove_all(dir);
}

TEST_CASE("model files: vision towers and MTP layers are counted apart", "[model_file]") {
  const fs::path dir = scratch_dir("parts");
  std::ofstream(dir / "config.json")
      << R"({"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
    "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 100, "tie_word_embeddings": true})";
  std::vector<test::StSpec> tensors = test::llama_like_safetensors(2, 64, 4, 4, 16, 128, 100, true);
  tensors.emplace_back("vision_tower.patch_embed.weight", "BF16", std::vector<std::uint64_t>{64, 48});
  tensors.emplace_back("model.layers.2.mlp.up_proj.weight", "BF16",
                       std::vector<std::uint64_t>{128, 64});  // beyond the 2 layers
  test::write_safetensors((dir / "model.safetensors").string(), tensors);
  const ModelFile f = read_model_file(dir.string());
  CHECK(f.vision.params == 64 * 48);
  CHECK(f.mtp.params == 128 * 64);
  CHECK(f.text.params == count_params(*f.arch).total);
  fs::remove_all(dir);
}

TEST_CASE("model files: an index naming a missing shard is a bad file", "[model_file]") {
  const fs::path dir = scratch_dir("index");
  std::ofstream(dir / "model.safetensors.index.json")
      << R"({"metadata": {"total_size": 8}, "weight_map": {"a": "model-00001-of-00002.safetensors"}})";
  CHECK_THROWS_AS(read_model_file(dir.string()), Error);
  fs::remove_all(dir);
}

// llama.cpp marks a hybrid's recurrent layers by head_count_kv 0 (src/llama-model.cpp,
// LLM_ARCH_LFM2 and LLM_ARCH_GRANITE_HYBRID): LFM2-1.2B's 16 layers, attention at 2, 5, 8, 10,
// 12 and 14, a 3-tap convolution elsewhere.
TEST_CASE("model files: a hybrid GGUF's layer kinds come from head_count_kv", "[model_file][families]") {
  const fs::path dir = scratch_dir("lfm2");
  std::vector<std::int64_t> kv(16, 0);
  for (const int i : {2, 5, 8, 10, 12, 14}) kv[static_cast<std::size_t>(i)] = 8;
  const std::vector<test::GgufKv> metadata = {
      test::kv_str("general.architecture", "lfm2"),  test::kv_u32("lfm2.block_count", 16),
      test::kv_u32("lfm2.embedding_length", 2048),   test::kv_u32("lfm2.feed_forward_length", 8192),
      test::kv_u32("lfm2.attention.head_count", 32), test::kv_u32s("lfm2.attention.head_count_kv", kv),
      test::kv_u32("lfm2.context_length", 128000),   test::kv_u32("lfm2.vocab_size", 65536),
      test::kv_u32("lfm2.shortconv.l_cache", 3)};
  const std::string path = (dir / "lfm2.gguf").string();
  test::write_gguf(path, metadata, {{"token_embd.weight", {2048, 65536}, 1}});
  const ModelFile f = read_model_file(path);
  REQUIRE(f.arch.has_value());
  CHECK(f.arch->family == "LFM2");
  std::uint64_t conv = 0;
  for (const LayerSpec& l : f.arch->layers) conv += l.mixer == Mixer::short_conv ? 1 : 0;
  CHECK(conv == 10);
  // KV for 6 layers of 8 x 64 (llama.cpp pads 4096 cells to 4096), and 10 x 2 x 2048 F32 state.
  const KvCacheResult r = kv_cache_sizes(*f.arch, find_kv_dtype("f16"), Engine::llamacpp, {4096, 1});
  CHECK(r.bytes.count == 6ULL * 2 * 512 * 2 * 4096 + 10ULL * 2 * 2048 * 4);
  fs::remove_all(dir);
}

TEST_CASE("model files: an unknown family's safetensors still give exact weights", "[model_file][families]") {
  const fs::path dir = scratch_dir("unknown");
  std::ofstream(dir / "config.json") << R"({"model_type": "brand_new_arch", "width": 64})";
  test::write_safetensors((dir / "model.safetensors").string(),
                          test::llama_like_safetensors(2, 64, 4, 4, 16, 128, 100, true));
  const ModelFile f = read_model_file(dir.string());
  CHECK_FALSE(f.arch.has_value());
  CHECK(f.text.params > 0);
  REQUIRE_FALSE(f.notes.empty());
  CHECK_THAT(f.notes.back(), Catch::Contains("weights from the tensors"));
  fs::remove_all(dir);
}
