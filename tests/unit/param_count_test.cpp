#include "vramest/param_count.hpp"

#include <catch2/catch.hpp>

using namespace vramest;

TEST_CASE("param_count: parses the sizes users type, exactly", "[param_count]") {
  CHECK(parse_param_count("14B") == 14'000'000'000ULL);
  CHECK(parse_param_count("14b") == 14'000'000'000ULL);
  CHECK(parse_param_count("7.5B") == 7'500'000'000ULL);
  CHECK(parse_param_count("350M") == 350'000'000ULL);
  CHECK(parse_param_count("1.2T") == 1'200'000'000'000ULL);
  CHECK(parse_param_count("1.5t") == 1'500'000'000'000ULL);
  CHECK(parse_param_count("70b") == 70'000'000'000ULL);
  CHECK(parse_param_count("8030261248") == 8'030'261'248ULL);  // Llama-3.1-8B, exact
  CHECK(parse_param_count("125k") == 125'000ULL);
  CHECK(parse_param_count("0.5B") == 500'000'000ULL);
  CHECK(parse_param_count("100T") == kMaxParams);
  CHECK(parse_param_count("007B") == 7'000'000'000ULL);
}

TEST_CASE("param_count: malformed, zero, fractional and absurd sizes are invalid values", "[param_count]") {
  for (const char* bad : {"", "14X", "-3B", "14BB", "1e400", "B", ".", "1.2.3B", "14 B", "+14B", "0x10"}) {
    INFO(bad);
    try {
      (void)parse_param_count(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::invalid_value);
      CHECK(std::string(e.what()).find("invalid model size") != std::string::npos);
    }
  }
  CHECK_THROWS_WITH(parse_param_count("0"), Catch::Contains("is zero"));
  CHECK_THROWS_WITH(parse_param_count("0.0B"), Catch::Contains("is zero"));
  CHECK_THROWS_WITH(parse_param_count("1.5"), Catch::Contains("whole number"));
  CHECK_THROWS_WITH(parse_param_count("0.0000000001B"), Catch::Contains("whole number"));
  CHECK_THROWS_WITH(parse_param_count("101T"), Catch::Contains("absurdly large"));
  CHECK_THROWS_WITH(parse_param_count("99999999999999999999999999T"), Catch::Contains("absurdly large"));
  CHECK_THROWS_WITH(parse_param_count("18446744073709551616"), Catch::Contains("absurdly large"));
}

TEST_CASE("param_count: short forms keep two decimals below ten, one above", "[param_count]") {
  CHECK(format_param_count(14'000'000'000ULL) == "14B");
  CHECK(format_param_count(7'500'000'000ULL) == "7.5B");
  CHECK(format_param_count(8'030'261'248ULL) == "8.03B");
  CHECK(format_param_count(70'553'706'496ULL) == "70.6B");
  CHECK(format_param_count(1'500'000'000'000ULL) == "1.5T");
  CHECK(format_param_count(350'000'000ULL) == "350M");
  CHECK(format_param_count(124'439'808ULL) == "124.4M");
  CHECK(format_param_count(999ULL) == "999");
}
