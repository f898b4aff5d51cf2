#include "vramest/fit.hpp"

#include <catch2/catch.hpp>

#include "support/catalog_models.hpp"
#include "vramest/speed.hpp"

using namespace vramest;

namespace {

const GpuSpec& gpu(std::string_view id) {
  static const GpuCatalog catalog = shell::load_gpu_catalog("");
  return catalog.find(id);
}

struct Planned {
  ModelArch arch;
  InferencePlan plan;
};

// The plan keeps a pointer to its architecture: keep both alive together.
std::unique_ptr<Planned> planned(std::string_view id, const char* format, Engine engine) {
  auto p = std::make_unique<Planned>();
  p->arch = test::arch_of(id);
  const ParamCounts counts = count_params(p->arch);
  InferenceOptions opt;
  opt.engine = engine;
  p->plan = plan_inference(p->arch, {std::string(id), counts.total, counts.active, "catalog"},
                           parse_weight_format(format), opt);
  return p;
}

GpuGroup one(std::string_view id, std::uint64_t n = 1) {
  return {std::vector<const GpuSpec*>(n, &gpu(id)), Bytes{0}};
}

}  // namespace

TEST_CASE("fit: the largest context is tight: it fits and one more token does not", "[fit][property]") {
  const struct {
    const char* model;
    const char* format;
    Engine engine;
    const char* gpu;
  } cases[] = {
      {"llama-3.1-8b", "bf16", Engine::transformers, "rtx-4090"},
      {"llama-3.1-8b", "q4_k_m", Engine::llamacpp, "rtx-4070-ti"},
      {"qwen3-8b", "bf16", Engine::vllm, "a100-40gb"},
      {"gemma-2-9b", "q8_0", Engine::llamacpp, "rtx-3090"},
      {"mistral-7b-v0.1", "bf16", Engine::transformers, "l40s"},
  };
  for (const auto& c : cases) {
    INFO(c.model << " " << c.format << " on " << c.gpu);
    const auto p = planned(c.model, c.format, c.engine);
    const GpuGroup group = one(c.gpu);
    for (std::uint64_t batch : {1ULL, 4ULL}) {
      const std::uint64_t best = max_context(p->plan, batch, group);
      REQUIRE(best > 0);
      CHECK(plan_fits(p->plan, best, batch, group));
      if (best < kMaxSearchContext) CHECK_FALSE(plan_fits(p->plan, best + 1, batch, group));
    }
    const std::uint64_t batch = max_batch(p->plan, 4096, group);
    REQUIRE(batch > 0);
    CHECK(plan_fits(p->plan, 4096, batch, group));
    CHECK_FALSE(plan_fits(p->plan, 4096, batch + 1, group));
  }
}

TEST_CASE("fit: nothing fits when the weights alone exceed the GPU", "[fit]") {
  const auto p = planned("llama-3.1-70b", "bf16", Engine::transformers);
  CHECK(max_context(p->plan, 1, one("rtx-4090")) == 0);
  CHECK(max_batch(p->plan, 4096, one("rtx-4090")) == 0);
}

TEST_CASE("fit: the fewest GPUs is tight, and vLLM's degree divides the heads", "[fit][property]") {
  const auto vllm = planned("llama-3.1-70b", "bf16", Engine::vllm);
  const GpuFit fewest = fewest_gpus(vllm->plan, 8192, 1, gpu("rtx-4090"), Bytes{0});
  const std::uint64_t n = fewest.count;
  REQUIRE(n > 0);
  CHECK(valid_tensor_parallel(shape_of(vllm->arch), fewest.layout.tp));
  CHECK(fewest.layout.tp * fewest.layout.pp == n);
  CHECK(plan_fits(vllm->plan, 8192, 1, one("rtx-4090", n)));
  for (std::uint64_t fewer = 1; fewer < n; ++fewer)
    CHECK_FALSE(plan_fits(vllm->plan, 8192, 1, one("rtx-4090", fewer)));
  CHECK_FALSE(valid_tensor_parallel(shape_of(vllm->arch), 3));  // 64 heads, 8 KV heads
  const auto cpp = planned("llama-3.1-70b", "q4_k_m", Engine::llamacpp);
  CHECK(fewest_gpus(cpp->plan, 8192, 1, gpu("rtx-3090"), Bytes{0}).count ==
        2);  // ~40 GB of Q4_K_M over two 24 GB cards
}

TEST_CASE("fit: mixed cards split by memory for llama.cpp, by the smallest for vLLM", "[fit]") {
  const auto p = planned("qwen2.5-14b", "q8_0", Engine::llamacpp);  // about 15.7 GB of weights
  const GpuGroup mixed{{&gpu("rtx-4090"), &gpu("rtx-3060-12gb")}, Bytes{0}};
  const GpuGroup two_small{{&gpu("rtx-3060-12gb"), &gpu("rtx-3060-12gb")}, Bytes{0}};
  CHECK(max_context(p->plan, 1, mixed) > max_context(p->plan, 1, two_small));
  const Components c{Bytes{40 * kGB}, Bytes{0}, Bytes{0}, Bytes{0}, Bytes{0}, Bytes{kGB}, Bytes{0}};
  CHECK(place(c, {}, SplitPolicy::layer_split, GpuGroup{{&gpu("h100-sxm"), &gpu("rtx-3060-12gb")}, Bytes{0}})
            .fits);
  CHECK_FALSE(place(Components{Bytes{60 * kGB}, {}, {}, {}, {}, Bytes{kGB}, {}}, {},
                    SplitPolicy::tensor_parallel,
                    GpuGroup{{&gpu("h100-sxm"), &gpu("rtx-3060-12gb")}, Bytes{0}})
                  .fits);
}

TEST_CASE("fit: a reserve for a display lowers what fits", "[fit]") {
  const auto p = planned("llama-3.1-8b", "q4_k_m", Engine::llamacpp);
  GpuGroup reserved = one("rtx-4070-ti");
  reserved.reserve = Bytes{2 * kGiB};
  CHECK(max_context(p->plan, 1, reserved) < max_context(p->plan, 1, one("rtx-4070-ti")));
}

TEST_CASE("fit: llama.cpp layer offload is tight", "[fit][property]") {
  const auto p = planned("llama-3.1-70b", "q4_k_m", Engine::llamacpp);
  const LayerOffload o = llamacpp_offload(p->plan, 8192, 1, one("rtx-4090"));
  CHECK(o.total_layers == 80);
  CHECK(o.gpu_layers > 0);
  CHECK(o.gpu_layers < 80);
  CHECK(o.gpu_bytes <= gpu("rtx-4090").memory);
  CHECK(o.host_bytes.count > 20 * kGB);  // most of the 40 GB stays in RAM
  // Qwen3-30B-A3B: keeping the routed experts of some layers in RAM lets the rest fit a 16 GB card.
  const auto moe = planned("qwen3-30b-a3b", "q4_k_m", Engine::llamacpp);
  const LayerOffload m = llamacpp_offload(moe->plan, 8192, 1, one("rtx-4080"));
  REQUIRE(m.cpu_moe_layers.has_value());
  CHECK(*m.cpu_moe_layers > 0);
  CHECK(*m.cpu_moe_layers < 48);
}

// formulas.md section 9: decode reads the weights (the embedding is a gather) and the KV cache.
// Llama-3.1-8B bf16 on an H100 SXM (3350 GB/s): (16.06 GB - 1.05 GB embedding) + KV.
TEST_CASE("speed: decode bound from bandwidth, prefill bound from compute", "[speed]") {
  const auto p = planned("llama-3.1-8b", "bf16", Engine::vllm);
  const SpeedBounds s = speed_bounds(p->plan, 1, 1, 8192, gpu("h100-sxm"), 1);
  const double weights = 16'060'522'496.0 - 128'256.0 * 4096 * 2;
  CHECK(s.decode_tokens_per_s == Approx(3350e9 / (weights + 131'072.0 * 16)).epsilon(1e-6));
  // Prefill of 8192 tokens: 2 x (8.03e9 - 0.525e9 embedding) x 8192 + 2 x 32 x 4096 x 8192^2 FLOPs
  // at 989 TFLOPS (formulas.md's worked example: ~1.5e14 FLOPs, ~0.15 s).
  CHECK(s.prefill_flops ==
        Approx(2.0 * (8'030'261'248.0 - 128'256.0 * 4096) * 8192 + 2.0 * 32 * 4096 * 8192.0 * 8192));
  CHECK(s.prefill_seconds == Approx(0.14).epsilon(0.05));
  // A MoE step at batch 1 reads only the selected experts.
  const auto moe = planned("qwen3-30b-a3b", "bf16", Engine::vllm);
  const SpeedBounds m1 = speed_bounds(moe->plan, 1024, 1, 1024, gpu("h100-sxm"), 1);
  const SpeedBounds m64 = speed_bounds(moe->plan, 1024, 64, 1024, gpu("h100-sxm"), 1);
  CHECK(m1.bytes_per_step < 0.2 * static_cast<double>(moe->plan.weights.total.count));
  CHECK(m64.bytes_per_step > m1.bytes_per_step);
  CHECK(m64.decode_aggregate_tokens_per_s > m1.decode_aggregate_tokens_per_s);
}

TEST_CASE("fit: a search probe past 2^64 bytes does not fit rather than failing the plan",
          "[fit][regression]") {
  // 100M tokens x 600,000 sequences of KV overflows 64 bits; the search must still find its answer.
  const auto p = planned("llama-3.1-70b", "bf16", Engine::vllm);
  CHECK_FALSE(plan_fits(p->plan, kMaxSearchContext, 600'000, one("h100-sxm", 64)));
  CHECK(max_context(p->plan, 600'000, one("h100-sxm", 64)) > 0);  // TP 8 x PP 8: the KV cache splits 64 ways
}

TEST_CASE("speed: a GPU without a bandwidth has no bound rather than a division by zero", "[speed]") {
  const auto p = planned("llama-3.1-8b", "bf16", Engine::vllm);
  GpuSpec custom = gpu("h100-sxm");
  custom.bandwidth_gb_s = 0;
  const SpeedBounds s = speed_bounds(p->plan, 1, 1, 8192, custom, 1);
  CHECK(s.decode_tokens_per_s == 0);
  CHECK_FALSE(s.compute_known);
  CHECK(s.ttft_seconds == 0);
}
