#include "vramest/precision.hpp"

#include <catch2/catch.hpp>

using namespace vramest;

// The rules of thumb's table ("大模型显存占用量换算"): bytes per parameter FP32 4, FP16/BF16 2, INT8 1,
// INT4 0.5, and the 14B example's raw sizes 56, 28, 14, 7 GB.
TEST_CASE("precision: the seed's 14B raw sizes come out exactly", "[precision]") {
  const std::uint64_t params = 14'000'000'000ULL;
  CHECK(weight_bytes(params, find_precision("fp32")) == 56 * kGB);
  CHECK(weight_bytes(params, find_precision("fp16")) == 28 * kGB);
  CHECK(weight_bytes(params, find_precision("bf16")) == 28 * kGB);
  CHECK(weight_bytes(params, find_precision("int8")) == 14 * kGB);
  CHECK(weight_bytes(params, find_precision("fp8")) == 14 * kGB);
  CHECK(weight_bytes(params, find_precision("int4")) == 7 * kGB);
}

TEST_CASE("precision: sub-byte formats round up to whole bytes", "[precision]") {
  CHECK(weight_bytes(3, find_precision("int4")) == 2);
  CHECK(weight_bytes(1, find_precision("int4")) == 1);
}

TEST_CASE("precision: fewer bits never take more memory", "[precision][property]") {
  for (std::uint64_t params : {1ULL, 7ULL, 350'000'000ULL, 14'000'000'000ULL, 100'000'000'000'000ULL}) {
    const auto bytes = [&](const char* id) { return weight_bytes(params, find_precision(id)); };
    CHECK(bytes("int4") <= bytes("int8"));
    CHECK(bytes("int8") <= bytes("fp16"));
    CHECK(bytes("fp16") <= bytes("fp32"));
  }
}

TEST_CASE("precision: names are case-insensitive and unknown ones suggest a fix", "[precision]") {
  CHECK(find_precision("FP16").id == "fp16");
  try {
    (void)find_precision("fp166");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_value);
    CHECK(e.hint() == "did you mean 'fp16'?");
  }
  CHECK_THROWS_WITH(find_precision("quux"), Catch::Contains("unknown precision 'quux'"));
}
