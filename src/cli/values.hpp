// values.hpp — the values flags take, read once at the edge with one decimal reader: token
// counts (4096, 32k, 1M, 0.5k), GPU counts, memory sizes (24GB, 24GiB, 24G), vLLM's memory
// utilization (0.9) and the rules' overhead (1.2-1.3). Every reader is exact (integers, no
// floating point) and names the flag and the exact input when it refuses one.
//
//   token_count("32k", "context", kMaxSearchContext) == 32768
//   memory_size("24G") == Bytes{24 * kGiB}
#pragma once

#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "vramest/gpu.hpp"
#include "vramest/rule.hpp"
#include "vramest/units.hpp"

namespace vramest::shell {

// A decimal as typed: digits, an optional point and fraction, then an optional unit of letters
// (spaces between allowed). Exact: the value is whole + fraction / fraction_scale.
struct Decimal {
  std::uint64_t whole = 0;
  std::uint64_t fraction = 0;
  std::uint64_t fraction_scale = 1;  // 10^(digits after the point)
  std::string unit;                  // lower case, "" when none
};

// Up to 15 digits before and 9 after the point; anything else is no decimal.
inline std::optional<Decimal> read_decimal(std::string_view text) {
  Decimal d;
  std::size_t i = 0;
  std::size_t whole_digits = 0;
  std::size_t fraction_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++whole_digits) {
    if (whole_digits == 15) return std::nullopt;
    d.whole = d.whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++fraction_digits) {
      if (fraction_digits == 9) return std::nullopt;
      d.fraction = d.fraction * 10 + static_cast<std::uint64_t>(text[i] - '0');
      d.fraction_scale *= 10;
    }
  }
  if (whole_digits + fraction_digits == 0) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  for (; i < text.size(); ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    if (c < 'a' || c > 'z') return std::nullopt;
    d.unit += c;
  }
  return d;
}

// value x multiplier, when it comes out whole (nullopt otherwise or past 64 bits).
inline std::optional<std::uint64_t> scaled(const Decimal& d, std::uint64_t multiplier) {
  __extension__ using u128 = unsigned __int128;
  const u128 fraction = static_cast<u128>(d.fraction) * multiplier;
  if (fraction % d.fraction_scale != 0) return std::nullopt;
  const u128 value = static_cast<u128>(d.whole) * multiplier + fraction / d.fraction_scale;
  if (value > static_cast<u128>(std::numeric_limits<std::uint64_t>::max())) return std::nullopt;
  return static_cast<std::uint64_t>(value);
}

// A token or sequence count: "4096", "32k" (k = 1024, as context lengths are quoted), "1M"
// (1024^2), "0.5k" (512). `what` names the flag; values above `max` are absurd.
inline std::uint64_t token_count(std::string_view text, std::string_view what, std::uint64_t max) {
  const std::string shown(text);
  const auto bad = [&](const std::string& why) {
    return Error(ErrorCode::invalid_value, "invalid " + std::string(what) + " '" + shown + "'" + why,
                 "expected a whole number such as 4096, 32k or 1M, from 1 to " + std::to_string(max));
  };
  const std::optional<Decimal> d = read_decimal(text);
  if (!d || text.find(' ') != std::string_view::npos) throw bad("");
  const std::uint64_t multiplier = d->unit.empty()  ? 1
                                   : d->unit == "k" ? 1024
                                   : d->unit == "m" ? 1024 * 1024
                                                    : 0;
  if (multiplier == 0) throw bad("");
  const std::optional<std::uint64_t> value = scaled(*d, multiplier);
  if (!value) throw bad(": not a whole number");
  if (*value == 0 || *value > max) throw bad("");
  return *value;
}

// A GPU count (--gpus N, --tp N): a whole number from 1 to kMaxGpus.
inline std::uint64_t gpu_count(std::string_view text) {
  const std::optional<Decimal> d = read_decimal(text);
  if (!d || !d->unit.empty() || d->fraction_scale != 1 || d->whole == 0 || d->whole > kMaxGpus) {
    throw Error(ErrorCode::invalid_value, "invalid GPU count '" + std::string(text) + "'",
                "expected a whole number from 1 to " + std::to_string(kMaxGpus));
  }
  return d->whole;
}

// A memory size: "24GiB", "24 GB", "24576MiB", "23.5GiB", "80000000000B". GB/MB/KB/TB are
// decimal, GiB/MiB/KiB/TiB binary; a bare G/M/K/T is binary, as nvidia-smi, ls -h and llama.cpp
// print sizes. A number without a unit is refused: never silently bytes.
inline Bytes memory_size(std::string_view text) {
  const std::string shown(text);
  const std::optional<Decimal> d = read_decimal(text);
  if (d && d->unit.empty()) {
    throw Error(ErrorCode::invalid_value, "memory size '" + shown + "' has no unit",
                "write 24GB (10^9 bytes) or 24GiB (2^30 bytes)");
  }
  struct Unit {
    std::string_view name;
    std::uint64_t bytes;
  };
  constexpr Unit kUnits[] = {
      {"b", 1},      {"kb", kKB},   {"mb", kMB},       {"gb", kGB},          {"tb", 1000 * kGB},
      {"kib", kKiB}, {"mib", kMiB}, {"gib", kGiB},     {"tib", 1024 * kGiB}, {"k", kKiB},
      {"m", kMiB},   {"g", kGiB},   {"t", 1024 * kGiB}};
  for (const Unit& u : kUnits) {
    if (!d || d->unit != u.name) continue;
    // Sub-byte remainders round to the nearest byte (23.5GiB is whole; 0.3KB is 300 B).
    const std::uint64_t bytes =
        checked_add(checked_mul(d->whole, u.bytes), mul_div_round(d->fraction, u.bytes, d->fraction_scale));
    if (bytes == 0) throw Error(ErrorCode::invalid_value, "memory size '" + shown + "' is zero");
    return Bytes{bytes};
  }
  throw Error(ErrorCode::invalid_value, "invalid memory size '" + shown + "'",
              "expected a number with a unit, such as 24GiB, 80GB or 24576MiB");
}

// vLLM's --gpu-memory-utilization ("0.9", "0.95"): thousandths, from 0.01 to 1.
inline std::uint32_t utilization_permille(std::string_view text) {
  const std::optional<Decimal> d = read_decimal(text);
  const std::optional<std::uint64_t> permille = d && d->unit.empty() ? scaled(*d, 1000) : std::nullopt;
  if (!permille || *permille < 10 || *permille > 1000) {
    throw Error(ErrorCode::invalid_value, "invalid GPU memory utilization '" + std::string(text) + "'",
                "expected a fraction from 0.01 to 1, such as 0.9");
  }
  return static_cast<std::uint32_t>(*permille);
}

// The rules' runtime multiplier: "1.2-1.3" or a single "1.25"; each bound in [1, 10] with at
// most three decimals.
inline OverheadRange overhead_range(std::string_view text) {
  const std::string shown(text);
  const auto bound = [&](std::string_view part) -> std::uint32_t {
    const std::optional<Decimal> d = read_decimal(part);
    const std::optional<std::uint64_t> permille = d && d->unit.empty() ? scaled(*d, 1000) : std::nullopt;
    if (!permille) {
      throw Error(ErrorCode::invalid_value, "invalid overhead '" + shown + "'",
                  "expected a multiplier such as 1.2-1.3 or 1.25 (at most three decimals)");
    }
    if (*permille < 1000 || *permille > 10000) {
      throw Error(ErrorCode::invalid_value, "overhead '" + shown + "' is out of range",
                  "a runtime multiplier lies between 1 and 10");
    }
    return static_cast<std::uint32_t>(*permille);
  };
  const std::size_t dash = text.find('-');
  OverheadRange range;
  range.low_permille = bound(text.substr(0, dash));
  range.high_permille = dash == std::string_view::npos ? range.low_permille : bound(text.substr(dash + 1));
  if (range.low_permille > range.high_permille) {
    throw Error(ErrorCode::invalid_value, "overhead '" + shown + "' has its low end above its high end");
  }
  return range;
}

}  // namespace vramest::shell
