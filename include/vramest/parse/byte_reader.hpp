// parse/byte_reader.hpp — a bounded little-endian cursor over bytes someone else handed us.
//
// Owns one discipline, llama.cpp's GGUF reader's: count the bytes left before every read. A
// read past the end throws bad_file naming what was being read and where, never touches memory
// outside the span, and never allocates (bytes() returns a view into the span):
//
//   ByteReader r(file_prefix, "model.gguf");
//   std::uint32_t version = r.u32("version");        // little-endian on any host
//   std::string_view name = r.bytes(len, "tensor name");
//   // throws "truncated: expected 8 bytes for tensor count, 3 left" at "model.gguf@8"
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "vramest/error.hpp"

namespace vramest {

class ByteReader {
 public:
  // `base_offset` is the absolute file offset of bytes[0], so errors and offset() speak in file
  // offsets even when the span is a window into the file.
  ByteReader(std::string_view bytes, std::string origin, std::uint64_t base_offset = 0)
      : bytes_(bytes), origin_(std::move(origin)), base_(base_offset) {}

  // Absolute offset of the next byte to read.
  std::uint64_t offset() const { return base_ + pos_; }
  std::uint64_t remaining() const { return bytes_.size() - pos_; }
  const std::string& origin() const { return origin_; }
  // True once a read has failed for want of bytes: a caller holding only a prefix of the file
  // can then read more and try again (parse/gguf.hpp's read_gguf_file does).
  bool hit_end() const { return hit_end_; }

  std::uint8_t u8(const char* what) { return load<std::uint8_t>(what); }
  std::uint16_t u16(const char* what) { return load<std::uint16_t>(what); }
  std::uint32_t u32(const char* what) { return load<std::uint32_t>(what); }
  std::uint64_t u64(const char* what) { return load<std::uint64_t>(what); }
  // Signed values are two's complement on disk; the conversion from unsigned is exact in C++20.
  std::int8_t i8(const char* what) { return static_cast<std::int8_t>(u8(what)); }
  std::int16_t i16(const char* what) { return static_cast<std::int16_t>(u16(what)); }
  std::int32_t i32(const char* what) { return static_cast<std::int32_t>(u32(what)); }
  std::int64_t i64(const char* what) { return static_cast<std::int64_t>(u64(what)); }
  float f32(const char* what) { return std::bit_cast<float>(u32(what)); }
  double f64(const char* what) { return std::bit_cast<double>(u64(what)); }

  // A view of the next n bytes (no copy, so an absurd n costs nothing before it is refused).
  std::string_view bytes(std::uint64_t n, const char* what) {
    require(n, what);
    const std::string_view view = bytes_.substr(static_cast<std::size_t>(pos_), static_cast<std::size_t>(n));
    pos_ += n;
    return view;
  }

  void skip(std::uint64_t n, const char* what) {
    require(n, what);
    pos_ += n;
  }

  // A bad_file error located at the current offset.
  Error error(const std::string& message) const { return error_at(offset(), message); }

  // A bad_file error located at an earlier offset: the start of the field being judged, which
  // is where a reader of a hex dump wants to look, rather than the cursor after it.
  Error error_at(std::uint64_t at, const std::string& message) const {
    return Error(ErrorCode::bad_file, message, {}, origin_ + "@" + std::to_string(at));
  }

 private:
  void require(std::uint64_t n, const char* what) {
    if (n > remaining()) {
      hit_end_ = true;
      throw error("truncated: expected " + std::to_string(n) + (n == 1 ? " byte" : " bytes") + " for " +
                  what + ", " + std::to_string(remaining()) + " left");
    }
  }

  // Assembles the value byte by byte, least significant first: correct on big-endian hosts
  // and free of alignment requirements.
  template <typename T>
  T load(const char* what) {
    require(sizeof(T), what);
    T value = 0;
    for (std::size_t k = 0; k < sizeof(T); ++k) {
      const auto byte = static_cast<unsigned char>(bytes_[static_cast<std::size_t>(pos_) + k]);
      value = static_cast<T>(value | static_cast<T>(static_cast<T>(byte) << (8 * k)));
    }
    pos_ += sizeof(T);
    return value;
  }

  std::string_view bytes_;
  std::string origin_;
  std::uint64_t base_ = 0;
  std::uint64_t pos_ = 0;
  bool hit_end_ = false;
};

// A name read from a file, made safe to quote in a one-line message: control bytes become '?'
// and anything past `max` bytes is cut to "...", so a hostile 64 KiB key cannot flood a terminal.
inline std::string printable(std::string_view text, std::size_t max = 96) {
  std::string out;
  for (std::size_t k = 0; k < text.size() && k < max; ++k) {
    const auto c = static_cast<unsigned char>(text[k]);
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace vramest
