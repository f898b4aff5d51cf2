// Flag values, read exactly by one decimal reader.
#include "cli/values.hpp"

#include <catch2/catch.hpp>

using namespace vramest;
using namespace vramest::shell;

TEST_CASE("values: token counts take k = 1024 and M = 1024^2, and fractions that come out whole",
          "[values]") {
  CHECK(token_count("4096", "context", 100'000'000) == 4096);
  CHECK(token_count("32k", "context", 100'000'000) == 32768);
  CHECK(token_count("128K", "context", 100'000'000) == 131072);
  CHECK(token_count("1M", "context", 100'000'000) == 1'048'576);
  CHECK(token_count("0.5k", "context", 100'000'000) == 512);
  CHECK(token_count("1.5M", "context", 100'000'000) == 1'572'864);
  for (const char* bad :
       {"0", "", "1.3k", "-1", "4096 ", "32 k", "2g", "1e6", "k", ".", "0.0001k", "100000001"}) {
    INFO(bad);
    CHECK_THROWS_AS(token_count(bad, "context", 100'000'000), Error);
  }
  CHECK_THROWS_WITH(token_count("1.3k", "context", 100),
                    Catch::Contains("invalid context '1.3k': not a whole number"));
}

TEST_CASE("values: memory sizes say decimal or binary, a bare G is GiB, and no unit is an error",
          "[values]") {
  CHECK(memory_size("24GB") == Bytes{24 * kGB});
  CHECK(memory_size("24 GB") == Bytes{24 * kGB});
  CHECK(memory_size("24GiB") == Bytes{24 * kGiB});
  CHECK(memory_size("24G") == Bytes{24 * kGiB});
  CHECK(memory_size("24576MiB") == Bytes{24576 * kMiB});
  CHECK(memory_size("23.5GiB") == Bytes{23 * kGiB + kGiB / 2});
  CHECK(memory_size("80000000000B") == Bytes{80'000'000'000ULL});
  CHECK(memory_size("1T") == Bytes{1024 * kGiB});
  CHECK_THROWS_WITH(memory_size("24"), Catch::Contains("has no unit"));
  for (const char* bad : {"", "GB", "24 bananas", "-1GB", "0GB", "24GBs", "1e3GB"}) {
    INFO(bad);
    CHECK_THROWS_AS(memory_size(bad), Error);
  }
}

TEST_CASE("values: GPU counts, utilization and the overhead range are exact", "[values]") {
  CHECK(gpu_count("8") == 8);
  CHECK(gpu_count("65536") == 65536);
  CHECK_THROWS_AS(gpu_count("65537"), Error);
  CHECK(utilization_permille("0.9") == 900);
  CHECK(utilization_permille("0.95") == 950);
  CHECK(utilization_permille(".5") == 500);
  CHECK_THROWS_AS(utilization_permille("0.9995"), Error);  // not whole thousandths
  CHECK_THROWS_AS(utilization_permille("1.01"), Error);
  const OverheadRange r = overhead_range("1.2-1.3");
  CHECK(r.low_permille == 1200);
  CHECK(r.high_permille == 1300);
  CHECK_THROWS_AS(overhead_range("1.3-1.2"), Error);
}
