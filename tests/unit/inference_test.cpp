#include "vramest/inference.hpp"

#include <catch2/catch.hpp>

#include "cli/values.hpp"
#include "support/catalog_models.hpp"
#include "vramest/parse/hf_config.hpp"

using namespace vramest;

namespace {

DetailedInference infer(std::string_view id, const char* format, InferenceOptions opt = {}) {
  const ModelArch arch = test::arch_of(id);
  const ParamCounts counts = count_params(arch);
  return estimate_inference(arch, {std::string(id), counts.total, counts.active, "catalog"},
                            parse_weight_format(format), opt);
}

InferenceOptions engine(Engine e, std::uint64_t context = 4096, std::uint64_t batch = 1) {
  InferenceOptions opt;
  opt.engine = e;
  opt.context = context;
  opt.batch = batch;
  return opt;
}

}  // namespace

TEST_CASE("inference: components sum to the total, for every engine", "[inference][property]") {
  for (Engine e : {Engine::transformers, Engine::vllm, Engine::llamacpp}) {
    const DetailedInference d = infer("qwen3-8b", e == Engine::llamacpp ? "q4_k_m" : "bf16", engine(e));
    CHECK(d.estimate.components.sum() == d.estimate.total);
    CHECK(d.estimate.method == Method::detailed);
    CHECK(*d.estimate.context == 4096);
  }
}

TEST_CASE("inference: memory grows with context, batch and bits", "[inference][property]") {
  for (Engine e : {Engine::transformers, Engine::vllm, Engine::llamacpp}) {
    const char* format = e == Engine::llamacpp ? "q8_0" : "bf16";
    const Bytes base = infer("llama-3.1-8b", format, engine(e, 4096, 1)).estimate.total;
    CHECK(infer("llama-3.1-8b", format, engine(e, 8192, 1)).estimate.total > base);
    CHECK(infer("llama-3.1-8b", format, engine(e, 4096, 4)).estimate.total > base);
  }
  CHECK(infer("llama-3.1-8b", "q4_k_m", engine(Engine::llamacpp)).estimate.total <
        infer("llama-3.1-8b", "q8_0", engine(Engine::llamacpp)).estimate.total);
}

// llama.cpp log for Llama-3-8B Q4_K_M (ggml-org/llama.cpp era mid-2024, data/accuracy): the GPU
// holds 4403.49 MiB of weights, the CPU the 281.81 MiB token embedding, and the compute buffer
// at -ub 512 is 258.5 MiB (512 x 128256 fp32 logits dominate).
TEST_CASE("inference: llama.cpp keeps the embedding on the host and reserves ubatch logits", "[inference]") {
  InferenceOptions opt = engine(Engine::llamacpp, 512);
  opt.flash_attention = false;
  const DetailedInference d = infer("llama-3-8b", "q4_k_m", opt);
  CHECK(d.estimate.components.weights.count / kMiB == 4403);
  CHECK(d.host_weights.count / kMiB == 281);
  CHECK(to_gib(d.estimate.components.activations) * 1024 == Approx(258.5).epsilon(0.01));
}

TEST_CASE("inference: llama.cpp without flash attention holds the KQ scores", "[inference]") {
  InferenceOptions fa = engine(Engine::llamacpp, 32768);
  InferenceOptions no_fa = fa;
  no_fa.flash_attention = false;
  // 32768 cells x 512 x 32 heads x 4 B = 2 GiB of scores
  CHECK(infer("llama-3.1-8b", "q4_k_m", no_fa).estimate.components.activations.count > 2 * kGiB);
  CHECK(infer("llama-3.1-8b", "q4_k_m", fa).estimate.components.activations.count < kGiB / 2);
}

TEST_CASE("inference: vLLM's profile run follows its token budget and sequence count", "[inference]") {
  InferenceOptions small = engine(Engine::vllm);
  small.max_num_batched_tokens = 2048;
  small.max_num_seqs = 256;
  InferenceOptions large = small;
  large.max_num_batched_tokens = 8192;
  large.max_num_seqs = 1024;
  CHECK(infer("llama-3.1-8b", "bf16", small).estimate.components.activations <
        infer("llama-3.1-8b", "bf16", large).estimate.components.activations);
  CHECK(vllm_serve_defaults(Bytes::from_mib(81559), "h100-sxm").max_num_batched_tokens == 8192);
  CHECK(vllm_serve_defaults(Bytes::from_mib(81920), "a100-80gb").max_num_batched_tokens == 2048);
  CHECK(vllm_serve_defaults(Bytes::from_mib(24564), "rtx-4090").max_num_seqs == 256);
}

TEST_CASE("inference: the runtime states its sources and the allocator's rounding", "[inference]") {
  const DetailedInference d = infer("llama-3.1-8b", "bf16", engine(Engine::transformers));
  REQUIRE(d.runtime.size() == 3);
  CHECK(d.runtime[0].bytes.count == kCudaContextTorchBytes);
  CHECK(torch_allocator_rounding(11 * kMiB) == kMiB);
  CHECK(torch_allocator_rounding(5 * kMiB) == 0);
  CHECK(torch_allocator_rounding(12 * kMiB) == 0);
}

TEST_CASE("inference: bad knobs are invalid values", "[inference]") {
  CHECK_THROWS_AS(infer("llama-3.1-8b", "bf16", engine(Engine::transformers, 0)), Error);
  InferenceOptions q8 = engine(Engine::vllm);
  q8.kv_dtype = "q8_0";
  CHECK_THROWS_WITH(infer("llama-3.1-8b", "bf16", q8), Catch::Contains("llama.cpp"));
  InferenceOptions fp8 = engine(Engine::llamacpp);
  fp8.kv_dtype = "fp8";
  CHECK_THROWS_AS(infer("llama-3.1-8b", "q4_k_m", fp8), Error);
  CHECK(vramest::shell::utilization_permille("0.9") == 900);
  CHECK(vramest::shell::utilization_permille("1") == 1000);
  for (const char* bad : {"0", "1.5", "abc", "0.0001", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(vramest::shell::utilization_permille(bad), Error);
  }
}
