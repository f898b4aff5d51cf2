// Placement: one answer to "does it fit on these GPUs, and how", for every command.
#include "vramest/placement.hpp"

#include <catch2/catch.hpp>

#include "catalog_data.hpp"

using namespace vramest;

namespace {

const GpuCatalog& catalog() {
  static const GpuCatalog c = shell::load_gpu_catalog("");
  return c;
}

GpuGroup of(const char* id, std::uint64_t n, Bytes reserve = {}) {
  return {std::vector<const GpuSpec*>(n, &catalog().find(id)), reserve};
}

// Llama-3.1-70B's attention: 64 query heads, 8 KV heads, 80 layers.
constexpr ParallelShape kLlama70b{64, 8, 80, false};
// DeepSeek-V3: 128 heads with MLA (one latent "head"), 61 layers.
constexpr ParallelShape kDeepSeekV3{128, 128, 61, true};

Components need(std::uint64_t weights_gb, std::uint64_t kv_gb, std::uint64_t act_gb,
                std::uint64_t runtime_mb) {
  return {
      Bytes{weights_gb * kGB}, Bytes{kv_gb * kGB}, Bytes{act_gb * kGB}, {}, {}, Bytes{runtime_mb * kMB}, {}};
}

}  // namespace

TEST_CASE("placement: vLLM tensor parallelism divides weights, KV and activations, and the runtime repeats",
          "[placement]") {
  const Components c = need(140, 16, 4, 300);
  const Placement p = place(c, kLlama70b, SplitPolicy::tensor_parallel, of("h100-sxm", 4));
  CHECK(p.layout.tp == 4);
  CHECK(p.layout.pp == 1);
  CHECK(layout_text(p.layout) == "TP 4");
  // Hand-computed: 140/4 + 16/4 + 4/4 GB + 300 MB = 40.3 GB on each GPU.
  CHECK(p.per_gpu_max == Bytes{40'300'000'000ULL});
  CHECK(p.all.runtime == Bytes{1'200'000'000ULL});
  CHECK(p.fits);
}

TEST_CASE("placement: a count that no TP degree divides falls back to TP x PP", "[placement]") {
  // 6 GPUs: TP 6 does not divide 64 heads; TP 2 x PP 3 does.
  const Placement p =
      place(need(140, 16, 4, 300), kLlama70b, SplitPolicy::tensor_parallel, of("h100-sxm", 6));
  CHECK(p.layout.tp == 2);
  CHECK(p.layout.pp == 3);
  CHECK(layout_text(p.layout) == "TP 2 x PP 3");
  CHECK(valid_tensor_parallel(kLlama70b, 16));  // 16 is a multiple of the 8 KV heads: they replicate
  CHECK_FALSE(valid_tensor_parallel(kLlama70b, 3));
  CHECK_FALSE(valid_tensor_parallel(kLlama70b, 128));  // more ranks than query heads
}

TEST_CASE("placement: past the KV heads each TP rank holds one replicated KV head", "[placement]") {
  // TP 16 over 8 KV heads: each rank holds KV / 8, not KV / 16 (vLLM QKVParallelLinear).
  const Placement p =
      placement_detail::tensor_parallel(need(160, 64, 0, 0), kLlama70b, of("h200", 16), 16, 1);
  CHECK(p.per_gpu.front().kv_cache == Bytes{8 * kGB});
  CHECK(p.per_gpu.front().weights == Bytes{10 * kGB});
}

TEST_CASE("placement: MLA's latent KV cache is replicated on every TP rank", "[placement]") {
  const Placement p =
      placement_detail::tensor_parallel(need(640, 40, 0, 0), kDeepSeekV3, of("h200", 8), 8, 1);
  CHECK(p.per_gpu.front().kv_cache == Bytes{40 * kGB});
  CHECK(p.per_gpu.front().weights == Bytes{80 * kGB});
  const Placement pp =
      placement_detail::tensor_parallel(need(640, 40, 0, 0), kDeepSeekV3, of("h200", 16), 8, 2);
  CHECK(pp.per_gpu.front().kv_cache == Bytes{20 * kGB});  // pipeline stages do split it
}

TEST_CASE("placement: a layer split keeps each GPU's buffers and runtime on it", "[placement]") {
  // Two RTX 3090 (24576 MiB each): weights and KV share the room left after 2 GB + 300 MB each.
  const Components c = need(30, 10, 2, 300);
  const Placement p = place(c, {}, SplitPolicy::layer_split, of("rtx-3090", 2));
  CHECK(layout_text(p.layout) == "layer split over 2 GPUs");
  CHECK(p.all.activations == Bytes{4 * kGB});
  CHECK(p.fits);
  CHECK_FALSE(place(need(48, 0, 2, 300), {}, SplitPolicy::layer_split, of("rtx-3090", 2)).fits);
  // Mixed cards take layers in proportion to their room: the larger card holds more.
  const GpuGroup mixed{{&catalog().find("rtx-4090"), &catalog().find("rtx-3060-12gb")}, Bytes{0}};
  const Placement m = place(need(20, 0, 1, 300), {}, SplitPolicy::layer_split, mixed);
  CHECK(m.per_gpu[0].weights > m.per_gpu[1].weights);
  CHECK(m.fits);
}

TEST_CASE("placement: the fewest of a kind is tight for every policy", "[placement][property]") {
  const Components c = need(140, 30, 6, 300);
  for (const SplitPolicy policy :
       {SplitPolicy::even, SplitPolicy::layer_split, SplitPolicy::tensor_parallel}) {
    for (const char* id : {"rtx-3090", "l40s", "h100-sxm", "rtx-4070-ti"}) {
      INFO(split_policy_name(policy) << " on " << id);
      const GpuFit f = fewest_of_kind(c, kLlama70b, policy, catalog().find(id), Bytes{kGiB});
      REQUIRE(f.count > 0);
      CHECK(place(c, kLlama70b, policy, of(id, f.count, Bytes{kGiB})).fits);
      if (f.count > 1) CHECK_FALSE(place(c, kLlama70b, policy, of(id, f.count - 1, Bytes{kGiB})).fits);
    }
  }
}

TEST_CASE("placement: a reserve per GPU comes off each card", "[placement]") {
  const GpuSpec& card = catalog().find("rtx-4090");  // 24564 MiB
  const Components c{Bytes{card.memory.count - kGiB}, {}, {}, {}, {}, {}, {}};
  CHECK(place(c, {}, SplitPolicy::layer_split, of("rtx-4090", 1)).fits);
  CHECK(place(c, {}, SplitPolicy::layer_split, of("rtx-4090", 1, Bytes{kGiB})).fits);
  CHECK_FALSE(place(c, {}, SplitPolicy::layer_split, of("rtx-4090", 1, Bytes{kGiB + 1})).fits);
}

TEST_CASE("placement: no realizable layout is a verdict, not a crash", "[placement]") {
  // 1000 GPUs: no TP degree dividing the heads with PP at most 80 layers multiplies to 1000.
  const Placement p =
      place(need(140, 16, 4, 300), kLlama70b, SplitPolicy::tensor_parallel, of("h100-sxm", 1000));
  CHECK_FALSE(p.layout.realizable());
  CHECK_FALSE(p.fits);
  CHECK(layout_text(p.layout) == "no TP x PP layout over 1000 GPUs");
}
