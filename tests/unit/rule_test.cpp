#include "vramest/rule.hpp"

#include <catch2/catch.hpp>

#include "cli/values.hpp"
#include "vramest/param_count.hpp"

using namespace vramest;

namespace {

ModelRef model_of(std::uint64_t params) { return ModelRef{"test", params, params, "parameter count"}; }

Estimate infer(std::uint64_t params, const char* precision, OverheadRange overhead = {}) {
  return rule_estimate(model_of(params), Mode::inference, find_precision(precision), overhead);
}

constexpr std::uint64_t k14B = 14'000'000'000ULL;

}  // namespace

// The article "大模型显存占用量换算": "FP16/BF16推理: ≈ 28 GB × 1.2 = 33.6 GB", INT8 16.8 GB, INT4 8.4 GB.
TEST_CASE("rule: the seed's 14B memory to run comes out exactly", "[rule][seed]") {
  CHECK(infer(k14B, "fp16").total.count == 33'600'000'000ULL);
  CHECK(infer(k14B, "bf16").total.count == 33'600'000'000ULL);
  CHECK(infer(k14B, "int8").total.count == 16'800'000'000ULL);
  CHECK(infer(k14B, "int4").total.count == 8'400'000'000ULL);
  CHECK(infer(k14B, "fp32").total.count == 67'200'000'000ULL);
}

TEST_CASE("rule: the range spans x1.2 to x1.3 and total is its low end", "[rule][seed]") {
  const Estimate e = infer(k14B, "fp16");
  CHECK(e.low.count == 33'600'000'000ULL);
  CHECK(e.high.count == 36'400'000'000ULL);  // 28 GB x 1.3
  CHECK(e.total == e.low);
  CHECK(e.components.weights.count == 28'000'000'000ULL);
  CHECK(e.components.other.count == 5'600'000'000ULL);
  CHECK(e.components.sum() == e.total);
  CHECK(infer(k14B, "int4").high.count == 9'100'000'000ULL);
}

// Seed: "训练显存占用 (GB) ≈ 12 × 模型参数量 (B)" -> 12 x 14 = 168 GB.
TEST_CASE("rule: full fine-tuning is 12 bytes per parameter", "[rule][seed]") {
  const Estimate e = rule_estimate(model_of(k14B), Mode::train, find_precision("bf16"), {});
  CHECK(e.total.count == 168'000'000'000ULL);
  CHECK(e.low == e.high);
  CHECK(e.components.weights.count == 28'000'000'000ULL);
  CHECK(e.components.sum() == e.total);
  const Estimate fp32 = rule_estimate(model_of(k14B), Mode::train, find_precision("fp32"), {});
  CHECK(fp32.total.count == 168'000'000'000ULL);
  CHECK(fp32.components.weights.count == 56'000'000'000ULL);
}

// Seed: "使用LoRA后，14B模型训练所需的显存可能降至 50-60 GB 左右", scaled linearly.
TEST_CASE("rule: LoRA is 50-60 GB at 14B and scales linearly", "[rule][seed]") {
  const Estimate e = rule_estimate(model_of(k14B), Mode::lora, find_precision("bf16"), {});
  CHECK(e.low.count == 50'000'000'000ULL);
  CHECK(e.high.count == 60'000'000'000ULL);
  const Estimate seven = rule_estimate(model_of(7'000'000'000ULL), Mode::lora, find_precision("fp16"), {});
  CHECK(seven.low.count == 25'000'000'000ULL);
  CHECK(seven.high.count == 30'000'000'000ULL);
  // 8030261248 x 50 / 14 = 28679504457.14... rounds to nearest
  const Estimate odd = rule_estimate(model_of(8'030'261'248ULL), Mode::lora, find_precision("bf16"), {});
  CHECK(odd.low.count == 28'679'504'457ULL);
}

TEST_CASE("rule: modes the seed has no rule for are invalid values", "[rule]") {
  CHECK_THROWS_WITH(rule_estimate(model_of(k14B), Mode::qlora, find_precision("int4"), {}),
                    Catch::Contains("no QLoRA rule"));
  CHECK_THROWS_WITH(rule_estimate(model_of(k14B), Mode::train, find_precision("int4"), {}),
                    Catch::Contains("fp32, fp16 or bf16"));
  CHECK_THROWS_WITH(rule_estimate(model_of(k14B), Mode::lora, find_precision("fp32"), {}),
                    Catch::Contains("16-bit base"));
}

TEST_CASE("rule: memory grows with parameters and bits, and LoRA stays below full fine-tuning",
          "[rule][property]") {
  for (std::uint64_t params :
       std::vector<std::uint64_t>{1, 1'000, 350'000'000, k14B, 70'000'000'000, kMaxParams}) {
    CHECK(infer(params, "int4").high <= infer(params, "int8").high);
    CHECK(infer(params, "int8").high <= infer(params, "fp16").high);
    CHECK(infer(params, "fp16").high <= infer(params, "fp32").high);
    const Estimate lora = rule_estimate(model_of(params), Mode::lora, find_precision("bf16"), {});
    const Estimate full = rule_estimate(model_of(params), Mode::train, find_precision("bf16"), {});
    CHECK(lora.high <= full.high);
    CHECK(lora.components.sum() == lora.total);
  }
  CHECK(infer(k14B, "fp16").high < infer(2 * k14B, "fp16").high);
}

TEST_CASE("rule: --overhead accepts a range or one value with up to three decimals", "[rule]") {
  const OverheadRange range = vramest::shell::overhead_range("1.2-1.3");
  CHECK(range.low_permille == 1200);
  CHECK(range.high_permille == 1300);
  const OverheadRange single = vramest::shell::overhead_range("1.25");
  CHECK(single.low_permille == 1250);
  CHECK(single.high_permille == 1250);
  CHECK(vramest::shell::overhead_range("2").low_permille == 2000);
  CHECK(infer(k14B, "fp16", vramest::shell::overhead_range("1.5")).total.count == 42'000'000'000ULL);
  for (const char* bad : {"", "0.9", "11", "1.3-1.2", "abc", "1.2345", "1..2", "-", "1.2-"}) {
    INFO(bad);
    CHECK_THROWS_AS(vramest::shell::overhead_range(bad), Error);
  }
  CHECK(permille_text(1200) == "1.2");
  CHECK(permille_text(1250) == "1.25");
  CHECK(permille_text(1000) == "1");
}

TEST_CASE("rule: the seed's savings are computed for the model", "[rule][seed]") {
  const std::vector<Saving> savings = rule_savings(model_of(k14B), {});
  REQUIRE(savings.size() == 6);
  CHECK(savings[0].saves_low->count == 16'800'000'000ULL);    // 33.6 - 16.8 GB
  CHECK(savings[0].saves_high->count == 18'200'000'000ULL);   // 36.4 - 18.2 GB
  CHECK(savings[1].saves_low->count == 25'200'000'000ULL);    // 33.6 - 8.4 GB
  CHECK(savings[2].saves_low->count == 84'000'000'000ULL);    // 6 bytes/param (Transformer Math 101)
  CHECK_FALSE(savings[3].saves_low.has_value());              // checkpointing: needs the architecture
  CHECK(savings[4].saves_high->count == 18'200'000'000ULL);   // 36.4 GB over 2 GPUs
  CHECK(savings[5].saves_high->count == 147'000'000'000ULL);  // 168 GB over 8 GPUs: 21 GB each
}
