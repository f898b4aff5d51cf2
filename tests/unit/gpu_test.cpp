#include <catch2/catch.hpp>
#include <set>

#include "catalog_data.hpp"
#include "cli/values.hpp"
#include "vramest/placement.hpp"
#include "vramest/rule.hpp"

using namespace vramest;

namespace {

const GpuCatalog& catalog() {
  static const GpuCatalog built_in = shell::load_gpu_catalog("");
  return built_in;
}

Bytes high_end(std::uint64_t params, const char* precision) {
  return rule_estimate(ModelRef{"14B", params, params, "parameter count"}, Mode::inference,
                       find_precision(precision), {})
      .high;
}

constexpr std::uint64_t k14B = 14'000'000'000ULL;

}  // namespace

// The rules' need as one amount, split evenly (placement.hpp's even policy).
Components need_of(Bytes b) { return Components{{}, {}, {}, {}, {}, {}, b}; }

std::uint64_t fewest(const char* id, Bytes need) {
  return fewest_of_kind(need_of(need), {}, SplitPolicy::even, catalog().find(id), Bytes{0}).count;
}

bool fits_on(const GpuSpec& gpu, Bytes need, std::uint64_t n) {
  return place(need_of(need), {}, SplitPolicy::even, GpuGroup{std::vector<const GpuSpec*>(n, &gpu), Bytes{0}})
      .fits;
}

TEST_CASE("gpu: N of a kind hold a need when need/N fits each", "[gpu]") {
  GpuSpec card;
  card.memory = Bytes{24 * kGB};
  CHECK(fewest_of_kind(need_of(Bytes{24 * kGB}), {}, SplitPolicy::even, card, Bytes{0}).count == 1);
  CHECK(fewest_of_kind(need_of(Bytes{24 * kGB + 1}), {}, SplitPolicy::even, card, Bytes{0}).count == 2);
  CHECK(fewest_of_kind(need_of(Bytes{0}), {}, SplitPolicy::even, card, Bytes{0}).count == 1);
  CHECK(fits_on(card, Bytes{48 * kGB}, 2));
  CHECK_FALSE(fits_on(card, Bytes{48 * kGB + 1}, 2));
  CHECK(vramest::shell::gpu_count("8") == 8);
  for (const char* bad : {"0", "", "-1", "1.5", "65537", "99999999999999999999", "two"}) {
    INFO(bad);
    CHECK_THROWS_AS(vramest::shell::gpu_count(bad), Error);
  }
}

// The rules of thumb's GPUs as drivers report them (nvidia-smi memory.total; data/gpus.json sources).
TEST_CASE("gpu: the catalog holds the seed's GPUs at their driver-reported sizes", "[gpu][catalog]") {
  CHECK(catalog().all().size() >= 40);
  CHECK(catalog().find("a100-40gb").memory == Bytes::from_mib(40960));
  CHECK(catalog().find("rtx-3090").memory == Bytes::from_mib(24576));
  CHECK(catalog().find("rtx-4090").memory == Bytes::from_mib(24564));
  CHECK(catalog().find("rtx-4070-ti").memory == Bytes::from_mib(12282));
  CHECK(catalog().find("h100-sxm").memory == Bytes::from_mib(81559));
  CHECK(catalog().find("RTX-4090").id == "rtx-4090");  // case-insensitive
  CHECK(catalog().find("h100").id == "h100-sxm");      // alias
}

TEST_CASE("gpu: catalog ids and aliases are unique lower-kebab names", "[gpu][catalog]") {
  std::set<std::string> seen;
  std::set<std::string> segments;
  for (const GpuSpec& gpu : catalog().all()) {
    INFO(gpu.id);
    CHECK(seen.insert(gpu.id).second);
    for (const std::string& alias : gpu.aliases) CHECK(seen.insert(alias).second);
    CHECK(gpu.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos);
    CHECK(gpu.memory.count > 0);
    CHECK(gpu.bandwidth_gb_s > 0);
    CHECK_FALSE(gpu.source.empty());
    segments.insert(gpu.segment);
  }
  CHECK(segments == std::set<std::string>{"apple", "consumer", "datacenter", "embedded", "workstation"});
}

// The seed's picks must come out of the matching: FP16 14B fits one A100-40GB or two RTX 3090;
// INT8 one RTX 4090 or one RTX 3090; INT4 one RTX 4070 Ti 12GB.
TEST_CASE("gpu: the seed's GPU picks come out of the fit matching", "[gpu][seed]") {
  const Bytes fp16 = high_end(k14B, "fp16");
  CHECK(fewest("a100-40gb", fp16) == 1);
  CHECK(fewest("rtx-3090", fp16) == 2);
  CHECK(fits_on(catalog().find("rtx-3090"), fp16, 2));
  const Bytes int8 = high_end(k14B, "int8");
  CHECK(fewest("rtx-4090", int8) == 1);
  CHECK(fewest("rtx-3090", int8) == 1);
  const Bytes int4 = high_end(k14B, "int4");
  CHECK(fewest("rtx-4070-ti", int4) == 1);
  // And what the rules rule out: FP16 does not fit one 24 GB card.
  CHECK_FALSE(fits_on(catalog().find("rtx-4090"), fp16, 1));
}

TEST_CASE("gpu: an unknown id suggests the closest one", "[gpu][catalog]") {
  try {
    (void)catalog().find("rtx-4090x");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_value);
    CHECK(e.hint() == "did you mean 'rtx-4090'?");
  }
  CHECK_THROWS_WITH(catalog().find("zzzzzzzzzzzz"), Catch::Contains("unknown GPU"));
}

TEST_CASE("gpu: a user's catalog entry replaces the built-in one with the same id", "[gpu][catalog]") {
  GpuCatalog copy = catalog();
  GpuSpec mine;
  mine.id = "rtx-4090";
  mine.name = "my 4090";
  mine.memory = Bytes{1};
  GpuSpec extra;
  extra.id = "my-card";
  extra.name = "my card";
  extra.memory = Bytes{2};
  copy.merge({mine, extra});
  CHECK(copy.find("rtx-4090").name == "my 4090");
  CHECK(copy.find("my-card").memory.count == 2);
  CHECK(copy.all().size() == catalog().all().size() + 1);
}
