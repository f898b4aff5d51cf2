// units.hpp — memory amounts as exact integers, and the two ways to show them.
//
// Internally every amount is a Bytes (an unsigned 64-bit count). Arithmetic that could overflow
// is checked and throws. Decimal GB (10^9, what model cards use) and binary GiB
// (2^30, what drivers and allocators use) are separate functions, never mixed silently:
//
//   Bytes w = Bytes::from_mib(24564);   // RTX 4090 as nvidia-smi reports it
//   double gb = to_gb(w);               // 25.757...
//   double gib = to_gib(w);             // 23.988...
#pragma once

#include <cctype>
#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "vramest/error.hpp"

namespace vramest {

inline constexpr std::uint64_t kKB = 1000;
inline constexpr std::uint64_t kMB = 1000 * kKB;
inline constexpr std::uint64_t kGB = 1000 * kMB;
inline constexpr std::uint64_t kKiB = 1024;
inline constexpr std::uint64_t kMiB = 1024 * kKiB;
inline constexpr std::uint64_t kGiB = 1024 * kMiB;

// Overflow-checked helpers on raw counts; they throw rather than wrap.
inline std::uint64_t checked_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    throw Error(ErrorCode::invalid_value, "size overflows 64 bits");
  }
  return sum;
}

inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) {
    throw Error(ErrorCode::invalid_value, "size overflows 64 bits");
  }
  return product;
}

// a * num / den rounded to the nearest integer, exact for any a * num below 2^128.
inline std::uint64_t mul_div_round(std::uint64_t a, std::uint64_t num, std::uint64_t den) {
  if (den == 0) throw Error(ErrorCode::internal, "division by zero in mul_div_round");
  __extension__ using u128 = unsigned __int128;
  const u128 q = (static_cast<u128>(a) * num + den / 2) / den;
  if (q > std::numeric_limits<std::uint64_t>::max()) {
    throw Error(ErrorCode::invalid_value, "size overflows 64 bits");
  }
  return static_cast<std::uint64_t>(q);
}

// a * num / den rounded up (for "how many bytes does this need").
inline std::uint64_t mul_div_ceil(std::uint64_t a, std::uint64_t num, std::uint64_t den) {
  if (den == 0) throw Error(ErrorCode::internal, "division by zero in mul_div_ceil");
  __extension__ using u128 = unsigned __int128;
  const u128 q = (static_cast<u128>(a) * num + den - 1) / den;
  if (q > std::numeric_limits<std::uint64_t>::max()) {
    throw Error(ErrorCode::invalid_value, "size overflows 64 bits");
  }
  return static_cast<std::uint64_t>(q);
}

inline constexpr std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

struct Bytes {
  std::uint64_t count = 0;

  static constexpr Bytes from_mib(std::uint64_t mib) { return Bytes{mib * kMiB}; }

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the synthesized comparison
  friend constexpr auto operator<=>(Bytes, Bytes) = default;
  friend Bytes operator+(Bytes a, Bytes b) { return Bytes{checked_add(a.count, b.count)}; }
  friend Bytes operator-(Bytes a, Bytes b) {
    if (b.count > a.count) throw Error(ErrorCode::internal, "negative memory amount");
    return Bytes{a.count - b.count};
  }
  Bytes& operator+=(Bytes other) { return *this = *this + other; }
};

inline constexpr double to_gb(Bytes b) { return static_cast<double>(b.count) / 1e9; }
inline constexpr double to_gib(Bytes b) { return static_cast<double>(b.count) / static_cast<double>(kGiB); }

// How text output shows amounts: decimal GB (model cards' unit) or binary GiB.
enum class DisplayUnit { gb, gib };

}  // namespace vramest
