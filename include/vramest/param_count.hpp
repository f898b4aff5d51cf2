// param_count.hpp — parameter counts as users type them ("14B", "7.5b", "350M", "8030261248").
//
// Parsing is exact decimal arithmetic (no floating point), so "7.5B" is 7'500'000'000 and a count
// that is not a whole number of parameters is rejected rather than rounded:
//
//   std::uint64_t p = parse_param_count("1.5T");   // 1'500'000'000'000
//   std::string s = format_param_count(p);         // "1.5T"
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "vramest/error.hpp"
#include "vramest/units.hpp"

namespace vramest {

// Above 100 trillion parameters an input is a typo, not a model (the largest published open
// models are around 1-2T).
inline constexpr std::uint64_t kMaxParams = 100'000'000'000'000ULL;

inline std::uint64_t parse_param_count(std::string_view text) {
  const std::string shown(text);
  const auto malformed = [&] {
    return Error(ErrorCode::invalid_value, "invalid model size '" + shown + "'",
                 "expected a parameter count such as 14B, 7.5B, 350M, 1.2T or 8030261248");
  };
  if (text.empty()) throw malformed();

  int exponent = 0;  // power of ten the suffix stands for
  switch (text.back()) {
    case 'k':
    case 'K': exponent = 3; break;
    case 'm':
    case 'M': exponent = 6; break;
    case 'b':
    case 'B': exponent = 9; break;
    case 't':
    case 'T': exponent = 12; break;
    default: break;
  }
  if (exponent != 0) text.remove_suffix(1);
  if (text.empty()) throw malformed();

  // Accumulate the digits as an integer mantissa; digits after the point lower the exponent.
  // Past 20 significant digits the value is over kMaxParams anyway.
  std::uint64_t mantissa = 0;
  int significant = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (const char c : text) {
    if (c == '.') {
      if (seen_point) throw malformed();
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') throw malformed();
    seen_digit = true;
    if (mantissa != 0 || c != '0') ++significant;
    if (significant > 19) {
      throw Error(ErrorCode::invalid_value, "model size '" + shown + "' is absurdly large",
                  "the limit is 100T parameters");
    }
    mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
    if (seen_point) --exponent;
  }
  if (!seen_digit) throw malformed();

  for (; exponent < 0; ++exponent) {
    if (mantissa % 10 != 0) {
      throw Error(ErrorCode::invalid_value, "model size '" + shown + "' is not a whole number of parameters");
    }
    mantissa /= 10;
  }
  for (; exponent > 0; --exponent) {
    if (mantissa > kMaxParams) break;
    mantissa *= 10;
  }
  if (mantissa == 0) {
    throw Error(ErrorCode::invalid_value, "model size '" + shown + "' is zero",
                "a model needs at least one parameter");
  }
  if (mantissa > kMaxParams || exponent > 0) {
    throw Error(ErrorCode::invalid_value, "model size '" + shown + "' is absurdly large",
                "the limit is 100T parameters");
  }
  return mantissa;
}

// A short human form: "14B", "7.5B", "8.03B", "350M", "124.4M", "1.5T": two decimals below ten
// units, one above, trailing zeros dropped.
inline std::string format_param_count(std::uint64_t params) {
  struct Scale {
    std::uint64_t unit;
    char suffix;
  };
  constexpr Scale kScales[] = {
      {1'000'000'000'000ULL, 'T'}, {1'000'000'000ULL, 'B'}, {1'000'000ULL, 'M'}, {1'000ULL, 'K'}};
  for (const Scale& s : kScales) {
    if (params < s.unit) continue;
    const double value = static_cast<double>(params) / static_cast<double>(s.unit);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.*f", value < 10 ? 2 : 1, value);
    std::string out(buffer);
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
    return out + s.suffix;
  }
  return std::to_string(params);
}

}  // namespace vramest
