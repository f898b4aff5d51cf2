#include "vramest/units.hpp"

#include <catch2/catch.hpp>

using namespace vramest;

TEST_CASE("units: GB is 10^9 bytes and GiB is 2^30 bytes", "[units]") {
  CHECK(kGB == 1'000'000'000ULL);
  CHECK(kGiB == 1'073'741'824ULL);
  // nvidia-smi reports an RTX 4090 as 24564 MiB (memory.total; see data/gpus.json sources).
  const Bytes rtx4090 = Bytes::from_mib(24564);
  CHECK(rtx4090.count == 25'757'220'864ULL);
  CHECK(to_gb(rtx4090) == Approx(25.757220864));
  CHECK(to_gib(rtx4090) == Approx(23.98828125));
}

TEST_CASE("units: arithmetic that would overflow throws instead of wrapping", "[units]") {
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  CHECK_THROWS_AS(checked_mul(max, 2), Error);
  CHECK_THROWS_AS(checked_add(max, 1), Error);
  CHECK_THROWS_AS(Bytes{max} + Bytes{1}, Error);
  CHECK_THROWS_AS(mul_div_round(max, 3, 2), Error);
  CHECK(checked_mul(14'000'000'000ULL, 12) == 168'000'000'000ULL);
}

TEST_CASE("units: mul_div rounds to nearest or up, exactly beyond 64-bit intermediates", "[units]") {
  CHECK(mul_div_round(28'000'000'000ULL, 1200, 1000) == 33'600'000'000ULL);
  CHECK(mul_div_round(10, 1, 4) == 3);  // 2.5 rounds half up
  CHECK(mul_div_ceil(10, 1, 4) == 3);
  CHECK(mul_div_ceil(9, 1, 3) == 3);
  // 4e14 bytes x 1300 overflows 64 bits in the middle, not in the result.
  CHECK(mul_div_round(400'000'000'000'000ULL, 1'000'000, 1'000'000) == 400'000'000'000'000ULL);
  CHECK(ceil_div(7, 2) == 4);
}

TEST_CASE("units: subtracting a larger amount is a bug, not a wrap-around", "[units]") {
  CHECK_THROWS_AS(Bytes{1} - Bytes{2}, Error);
  CHECK((Bytes{5} - Bytes{2}).count == 3);
}
