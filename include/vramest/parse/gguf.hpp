// parse/gguf.hpp — the header of a GGUF file (llama.cpp's format): metadata and tensor infos.
//
// Owns reading what a GGUF v2/v3 little-endian file says about the model, without reading the
// tensor data, with every check of ggml's reference reader (src/gguf.cpp; formulas.md section
// 8.2): bytes counted before every read, counts and lengths capped, sizes multiplied with
// overflow checks, tensors tiling the data section exactly. Errors are bad_file at
// "file@offset" of the offending field:
//
//   GgufFile f = read_gguf_file("model-q4_k_m.gguf");          // reads the header only
//   std::optional<std::uint64_t> layers = f.get_uint("llama.block_count");
//   for (const GgufTensor& t : f.tensors) weights += t.bytes;
//   // a broken file: "model.gguf@8: tensor count 4294967296 exceeds what the file can hold"
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/formats.hpp"
#include "vramest/parse/byte_reader.hpp"

namespace vramest {

// GGUF value types (gguf.h, enum gguf_type).
enum class GgufType : std::uint32_t {
  u8 = 0,
  i8 = 1,
  u16 = 2,
  i16 = 3,
  u32 = 4,
  i32 = 5,
  f32 = 6,
  boolean = 7,
  string = 8,
  array = 9,
  u64 = 10,
  i64 = 11,
  f64 = 12,
};

// Limits, from ggml's reader (src/gguf.cpp) where it has one.
inline constexpr std::uint64_t kGgufMaxKeyBytes = 65'535;           // docs/gguf.md
inline constexpr std::uint64_t kGgufMaxStringBytes = 1ULL << 30;    // GGUF_MAX_STRING_LENGTH
inline constexpr std::uint64_t kGgufMaxArrayElements = 1ULL << 30;  // GGUF_MAX_ARRAY_ELEMENTS
inline constexpr std::uint64_t kGgufMaxTensorNameBytes = 63;        // GGML_MAX_NAME - 1 (its NUL)
inline constexpr std::uint64_t kGgufMaxDims = 4;                    // GGML_MAX_DIMS
inline constexpr std::uint64_t kGgufMaxTensors = 1'000'000;         // far above any real model
inline constexpr std::uint64_t kGgufMaxKvs = 1'000'000;
inline constexpr std::uint64_t kGgufDefaultAlignment = 32;          // GGUF_DEFAULT_ALIGNMENT
inline constexpr std::uint64_t kGgufKeptArrayElements = 65'536;     // integer arrays kept in memory
inline constexpr std::uint64_t kGgufFirstReadBytes = 1ULL << 20;    // read_gguf_file's first chunk
inline constexpr std::uint64_t kGgufMaxHeaderBytes = 256ULL << 20;  // ... and its largest

// One metadata value. Scalars fill the field of their kind: u (u8..u64), i (i8..i64), f (f32,
// f64), b, s. Arrays give elem_type and count; integer arrays of at most 65,536 elements also
// keep their values in `ints` (empty otherwise, or when a u64 value exceeds INT64_MAX).
// String and float arrays are skipped, not stored (a vocabulary is 150k strings).
struct GgufValue {
  GgufType type = GgufType::u8;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  GgufType elem_type = GgufType::u8;
  std::uint64_t count = 0;
  std::vector<std::int64_t> ints;
};

struct GgufTensor {
  std::string name;
  std::vector<std::uint64_t> ne;  // n_dims entries; ne[0] is the contiguous (row) dimension
  std::uint32_t type = 0;         // ggml_type id (formats.hpp kGgmlTypes)
  std::uint64_t offset = 0;       // relative to the data section
  std::uint64_t bytes = 0;
};

struct GgufFile {
  std::uint32_t version = 0;
  std::uint64_t alignment = kGgufDefaultAlignment;
  std::uint64_t data_offset = 0;  // absolute offset of the data section
  std::uint64_t file_bytes = 0;
  std::map<std::string, GgufValue> metadata;
  std::vector<GgufTensor> tensors;  // in file order, which is data order

  const GgufValue* find(std::string_view key) const {
    const auto it = metadata.find(std::string(key));
    return it == metadata.end() ? nullptr : &it->second;
  }

  // A count stored as any integer type (writers use u32 where the spec says u64); nullopt when
  // absent, not an integer, or negative.
  std::optional<std::uint64_t> get_uint(std::string_view key) const {
    const GgufValue* v = find(key);
    if (v == nullptr) return std::nullopt;
    switch (v->type) {
      case GgufType::u8:
      case GgufType::u16:
      case GgufType::u32:
      case GgufType::u64: return v->u;
      case GgufType::i8:
      case GgufType::i16:
      case GgufType::i32:
      case GgufType::i64:
        if (v->i < 0) return std::nullopt;
        return static_cast<std::uint64_t>(v->i);
      default: return std::nullopt;
    }
  }

  std::optional<std::string> get_string(std::string_view key) const {
    const GgufValue* v = find(key);
    if (v == nullptr || v->type != GgufType::string) return std::nullopt;
    return v->s;
  }
};

inline std::string_view gguf_type_name(GgufType t) {
  switch (t) {
    case GgufType::u8: return "u8";
    case GgufType::i8: return "i8";
    case GgufType::u16: return "u16";
    case GgufType::i16: return "i16";
    case GgufType::u32: return "u32";
    case GgufType::i32: return "i32";
    case GgufType::f32: return "f32";
    case GgufType::boolean: return "bool";
    case GgufType::string: return "string";
    case GgufType::array: return "array";
    case GgufType::u64: return "u64";
    case GgufType::i64: return "i64";
    case GgufType::f64: return "f64";
  }
  return "?";
}

namespace gguf_detail {

// Bytes of one element of a fixed-size type; 0 for string and array.
inline std::uint64_t scalar_bytes(GgufType t) {
  switch (t) {
    case GgufType::u8:
    case GgufType::i8:
    case GgufType::boolean: return 1;
    case GgufType::u16:
    case GgufType::i16: return 2;
    case GgufType::u32:
    case GgufType::i32:
    case GgufType::f32: return 4;
    case GgufType::u64:
    case GgufType::i64:
    case GgufType::f64: return 8;
    default: return 0;
  }
}

inline bool is_integer(GgufType t) {
  return t != GgufType::f32 && t != GgufType::f64 && t != GgufType::boolean && scalar_bytes(t) != 0;
}

// The smallest encodings, for bounding counts by the bytes left: a key-value is a length (8), a
// one-byte key, a type (4) and a one-byte value; a tensor info is a length (8), a one-byte
// name, n_dims (4), one dimension (8), a type (4) and an offset (8).
inline constexpr std::uint64_t kMinKvBytes = 8 + 1 + 4 + 1;
inline constexpr std::uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;

inline std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (std::size_t k = digits.size(); k > 3; k -= 3) digits.insert(k - 3, ",");
  return digits;
}

// Reads one GGUF header from a reader over the file's first bytes. `file_bytes` is the real
// size: lengths and counts are judged against what the file holds, while reads fail (with
// reader.hit_end()) when the prefix in memory is too short, so the caller can read more.
class Parser {
 public:
  Parser(ByteReader& reader, std::uint64_t file_bytes) : r_(reader), file_bytes_(file_bytes) {}

  GgufFile parse() {
    GgufFile f;
    f.file_bytes = file_bytes_;
    read_preamble(f);
    const std::uint64_t n_tensors = read_count("tensor count", kMinTensorInfoBytes, kGgufMaxTensors, 16);
    const std::uint64_t n_kv = read_count("metadata count", kMinKvBytes, kGgufMaxKvs, 8);
    for (std::uint64_t k = 0; k < n_kv; ++k) read_kv(f);
    read_alignment(f);
    // No reserve(): the count is judged against the file's size, not the bytes in memory, so
    // the vectors grow only as real entries are read.
    std::set<std::string> names;
    std::vector<std::uint64_t> offset_at;
    for (std::uint64_t k = 0; k < n_tensors; ++k) {
      f.tensors.push_back(read_tensor_info(names));
      offset_at.push_back(last_offset_at_);
      names.insert(f.tensors.back().name);
    }
    check_data_layout(f, offset_at);
    return f;
  }

 private:
  std::uint64_t file_left() const { return file_bytes_ - r_.offset(); }

  void read_preamble(GgufFile& f) {
    const std::string_view magic = r_.bytes(4, "magic");
    if (magic == "FUGG") throw r_.error_at(0, "big-endian GGUF files are not supported");
    if (magic != "GGUF") throw r_.error_at(0, "not a GGUF file (the first 4 bytes are not \"GGUF\")");
    f.version = r_.u32("version");
    if (f.version == 0) throw r_.error_at(4, "invalid GGUF version 0");
    if (f.version == 1) {
      throw r_.error_at(4,
                        "GGUF version 1 is not supported (it used 32-bit counts); convert the file with a "
                        "current llama.cpp");
    }
    // A big-endian file's version 3 reads as 0x03000000 here (ggml's endianness heuristic).
    if ((f.version & 0xFFFFu) == 0) {
      throw r_.error_at(4, "GGUF version " + std::to_string(f.version) +
                               " looks byte-swapped: big-endian GGUF files are not supported");
    }
    if (f.version > 3) {
      throw r_.error_at(
          4, "GGUF version " + std::to_string(f.version) + " is newer than this build reads (2 and 3)");
    }
  }

  // A count of entries, refused when the rest of the file could not hold that many entries of
  // the smallest size even if nothing else followed, or above a fixed cap. `after` is how many
  // bytes of the fixed header follow the count field.
  std::uint64_t read_count(const char* what, std::uint64_t min_entry, std::uint64_t cap,
                           std::uint64_t after) {
    const std::uint64_t at = r_.offset();
    const std::uint64_t n = r_.u64(what);
    const std::uint64_t left = file_bytes_ - std::min(file_bytes_, at + after);
    if (n > left / min_entry) {
      throw r_.error_at(at, std::string(what) + " " + std::to_string(n) +
                                " exceeds what the file can hold (" + std::to_string(left) +
                                " bytes follow the header)");
    }
    if (n > cap)
      throw r_.error_at(
          at, std::string(what) + " " + std::to_string(n) + " exceeds the limit of " + with_commas(cap));
    return n;
  }

  std::string_view read_string(const char* length_what, const char* what, std::uint64_t max) {
    const std::uint64_t at = r_.offset();
    const std::uint64_t n = r_.u64(length_what);
    if (n > max) {
      throw r_.error_at(at, std::string(what) + " of " + std::to_string(n) + " bytes exceeds the limit of " +
                                with_commas(max));
    }
    if (n > file_left()) {
      throw r_.error_at(at, std::string(what) + " of " + std::to_string(n) +
                                " bytes runs past the end of the file (" + std::to_string(file_left()) +
                                " bytes left)");
    }
    return r_.bytes(n, what);
  }

  GgufType read_type(const char* what, const std::string& key) {
    const std::uint64_t at = r_.offset();
    const std::uint32_t t = r_.u32(what);
    if (t > static_cast<std::uint32_t>(GgufType::f64)) {
      throw r_.error_at(at, "unknown value type " + std::to_string(t) + " for key '" + printable(key) + "'");
    }
    return static_cast<GgufType>(t);
  }

  void read_scalar(GgufType t, GgufValue& v, const std::string& key) {
    switch (t) {
      case GgufType::u8: v.u = r_.u8("u8 value"); break;
      case GgufType::u16: v.u = r_.u16("u16 value"); break;
      case GgufType::u32: v.u = r_.u32("u32 value"); break;
      case GgufType::u64: v.u = r_.u64("u64 value"); break;
      // NOLINTNEXTLINE(bugprone-signed-char-misuse): GGUF's I8 is a signed integer; sign extension intended
      case GgufType::i8: v.i = r_.i8("i8 value"); break;
      case GgufType::i16: v.i = r_.i16("i16 value"); break;
      case GgufType::i32: v.i = r_.i32("i32 value"); break;
      case GgufType::i64: v.i = r_.i64("i64 value"); break;
      case GgufType::f32: v.f = r_.f32("f32 value"); break;
      case GgufType::f64: v.f = r_.f64("f64 value"); break;
      case GgufType::boolean: {
        const std::uint64_t at = r_.offset();
        const std::uint8_t b = r_.u8("bool value");
        if (b > 1)
          throw r_.error_at(
              at, "bool value " + std::to_string(b) + " for key '" + printable(key) + "' (expected 0 or 1)");
        v.b = b == 1;
        break;
      }
      case GgufType::string:
        v.s = std::string(read_string("string length", "string", kGgufMaxStringBytes));
        break;
      case GgufType::array: break;  // handled by read_array
    }
  }

  void read_array(GgufValue& v, const std::string& key) {
    const std::uint64_t type_at = r_.offset();
    v.elem_type = read_type("array element type", key);
    // ggml rejects arrays of arrays although the spec allows them; no model uses them.
    if (v.elem_type == GgufType::array) {
      throw r_.error_at(type_at, "nested arrays are not supported (key '" + printable(key) + "')");
    }
    const std::uint64_t count_at = r_.offset();
    v.count = r_.u64("array count");
    if (v.count > kGgufMaxArrayElements) {
      throw r_.error_at(count_at, "array of " + std::to_string(v.count) + " elements exceeds the limit of " +
                                      with_commas(kGgufMaxArrayElements) + " (key '" + printable(key) + "')");
    }
    // Each string element takes at least its 8-byte length.
    const std::uint64_t elem = v.elem_type == GgufType::string ? 8 : scalar_bytes(v.elem_type);
    std::uint64_t need = 0;
    if (__builtin_mul_overflow(v.count, elem, &need) || need > file_left()) {
      throw r_.error_at(count_at, "array of " + std::to_string(v.count) + " " +
                                      std::string(gguf_type_name(v.elem_type)) +
                                      " runs past the end of the file (key '" + printable(key) + "')");
    }
    if (v.elem_type == GgufType::string) {
      for (std::uint64_t k = 0; k < v.count; ++k)
        (void)read_string("string length", "string", kGgufMaxStringBytes);
      return;
    }
    if (!is_integer(v.elem_type) || v.count > kGgufKeptArrayElements) {
      r_.skip(need, "array elements");
      return;
    }
    const bool is_unsigned = v.elem_type == GgufType::u8 || v.elem_type == GgufType::u16 ||
                             v.elem_type == GgufType::u32 || v.elem_type == GgufType::u64;
    bool representable = true;
    for (std::uint64_t k = 0; k < v.count; ++k) {
      GgufValue element;
      read_scalar(v.elem_type, element, key);
      if (v.elem_type == GgufType::u64 &&
          element.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        representable = false;
      }
      if (representable) v.ints.push_back(is_unsigned ? static_cast<std::int64_t>(element.u) : element.i);
    }
    if (!representable) v.ints.clear();
  }

  void read_kv(GgufFile& f) {
    const std::uint64_t key_at = r_.offset();
    const std::string key(read_string("key length", "key", kGgufMaxKeyBytes));
    if (key.empty()) throw r_.error_at(key_at, "empty metadata key");
    if (f.metadata.count(key) != 0)
      throw r_.error_at(key_at, "duplicate metadata key '" + printable(key) + "'");
    GgufValue v;
    v.type = read_type("value type", key);
    const std::uint64_t value_at = r_.offset();
    if (v.type == GgufType::array) {
      read_array(v, key);
    } else {
      read_scalar(v.type, v, key);
    }
    if (key == "general.alignment") alignment_at_ = value_at;
    f.metadata.emplace(key, std::move(v));
  }

  void read_alignment(GgufFile& f) {
    const GgufValue* a = f.find("general.alignment");
    if (a == nullptr) return;
    if (a->type != GgufType::u32) {
      throw r_.error_at(alignment_at_,
                        "general.alignment must be a u32, not " + std::string(gguf_type_name(a->type)));
    }
    if (a->u == 0 || (a->u & (a->u - 1)) != 0) {
      throw r_.error_at(alignment_at_,
                        "general.alignment " + std::to_string(a->u) + " is not a power of two");
    }
    f.alignment = a->u;
  }

  GgufTensor read_tensor_info(const std::set<std::string>& names) {
    GgufTensor t;
    const std::uint64_t name_at = r_.offset();
    t.name = std::string(read_string("tensor name length", "tensor name", kGgufMaxTensorNameBytes));
    if (names.count(t.name) != 0)
      throw r_.error_at(name_at, "duplicate tensor name '" + printable(t.name) + "'");
    const std::string quoted = "tensor '" + printable(t.name) + "'";

    const std::uint64_t dims_at = r_.offset();
    const std::uint32_t n_dims = r_.u32("tensor dimension count");
    if (n_dims == 0 || n_dims > kGgufMaxDims) {
      throw r_.error_at(dims_at, quoted + " has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
    }
    // ggml keeps dimensions as int64: each must be non-negative and their product must fit.
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t elements = 1;
    for (std::uint32_t d = 0; d < n_dims; ++d) {
      const std::uint64_t ne_at = r_.offset();
      const std::uint64_t ne = r_.u64("tensor dimension");
      if (ne > kMax) throw r_.error_at(ne_at, quoted + ": dimension " + std::to_string(d) + " is negative");
      if (ne != 0 && elements > kMax / ne) {
        throw r_.error_at(ne_at, quoted + ": element count overflows int64");
      }
      elements *= ne;
      t.ne.push_back(ne);
    }

    const std::uint64_t type_at = r_.offset();
    t.type = r_.u32("tensor type");
    const GgmlType* type = find_ggml_type(t.type);
    if (type == nullptr)
      throw r_.error_at(type_at, "unknown ggml type " + std::to_string(t.type) + " for " + quoted);
    if (t.ne[0] % type->block_weights != 0) {
      throw r_.error_at(type_at, quoted + " has ne[0] = " + std::to_string(t.ne[0]) + ", not a multiple of " +
                                     std::string(type->name) + "'s block of " +
                                     std::to_string(type->block_weights));
    }
    // ggml_nbytes: whole blocks of the row times the other dimensions.
    std::uint64_t bytes = 0;
    bool overflow = __builtin_mul_overflow(t.ne[0] / type->block_weights, type->block_bytes, &bytes);
    for (std::size_t d = 1; d < t.ne.size(); ++d)
      overflow = overflow || __builtin_mul_overflow(bytes, t.ne[d], &bytes);
    if (overflow) throw r_.error_at(type_at, "size of " + quoted + " overflows 64 bits");
    t.bytes = bytes;

    last_offset_at_ = r_.offset();
    t.offset = r_.u64("tensor offset");
    return t;
  }

  // The data section starts at the next multiple of the alignment, and the tensors follow each
  // other in file order, each padded to the alignment (ggml: "tensor has offset X, expected Y").
  void check_data_layout(GgufFile& f, const std::vector<std::uint64_t>& offset_at) {
    const std::uint64_t a = f.alignment;
    const auto pad = [&](std::uint64_t x, std::uint64_t at, const std::string& what) {
      std::uint64_t padded = 0;
      if (__builtin_add_overflow(x, a - 1, &padded)) throw r_.error_at(at, what + " overflows 64 bits");
      return padded / a * a;
    };
    f.data_offset = pad(r_.offset(), r_.offset(), "data section offset");
    std::uint64_t expected = 0;
    for (std::size_t k = 0; k < f.tensors.size(); ++k) {
      const GgufTensor& t = f.tensors[k];
      const std::string quoted = "tensor '" + printable(t.name) + "'";
      if (t.offset % a != 0) {
        throw r_.error_at(offset_at[k], quoted + " has offset " + std::to_string(t.offset) +
                                            ", not a multiple of the alignment " + std::to_string(a));
      }
      if (t.offset != expected) {
        throw r_.error_at(offset_at[k], quoted + " has offset " + std::to_string(t.offset) + ", expected " +
                                            std::to_string(expected) +
                                            (t.offset > expected ? " (a gap after the previous tensor)"
                                                                 : " (it overlaps the previous tensor)"));
      }
      std::uint64_t end = 0;
      if (__builtin_add_overflow(f.data_offset, t.offset, &end) ||
          __builtin_add_overflow(end, t.bytes, &end) || end > file_bytes_) {
        throw r_.error_at(offset_at[k], quoted + " (" + std::to_string(t.bytes) + " bytes at data offset " +
                                            std::to_string(t.offset) + ") runs past the end of the file (" +
                                            std::to_string(file_bytes_) + " bytes)");
      }
      expected = pad(t.offset + t.bytes, offset_at[k], "size of " + quoted);
    }
  }

  ByteReader& r_;
  std::uint64_t file_bytes_;
  std::uint64_t alignment_at_ = 0;
  std::uint64_t last_offset_at_ = 0;
};

}  // namespace gguf_detail

// `bytes` holds at least the header and tensor infos (or the whole file); `file_bytes` is the
// full file size, against which every count, length and tensor is checked.
inline GgufFile parse_gguf(std::string_view bytes, std::uint64_t file_bytes, const std::string& origin) {
  if (bytes.size() > file_bytes)
    throw Error(ErrorCode::internal, "GGUF prefix is longer than the file", {}, origin);
  ByteReader reader(bytes, origin);
  return gguf_detail::Parser(reader, file_bytes).parse();
}

// Reads the header in growing chunks (1 MiB, doubling, at most 256 MiB), parsing each time,
// until the header and tensor infos fit: a model's tensor data is never read, and a header
// that needs more than 256 MiB (real ones need under 20) is refused.
inline GgufFile read_gguf_file(const std::string& path) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(ErrorCode::bad_file, "cannot read file: " + ec.message(), {}, path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::bad_file, "cannot open file", {}, path);

  std::string buffer;
  std::uint64_t want = std::min(size, kGgufFirstReadBytes);
  for (;;) {
    const std::size_t old = buffer.size();
    buffer.resize(static_cast<std::size_t>(want));
    in.read(buffer.data() + old, static_cast<std::streamsize>(want - old));
    if (static_cast<std::uint64_t>(in.gcount()) != want - old) {
      throw Error(ErrorCode::bad_file, "short read (the file changed while being read?)", {}, path);
    }
    ByteReader reader(buffer, path);
    try {
      return gguf_detail::Parser(reader, size).parse();
    } catch (const Error&) {
      // Only running out of the bytes read so far is worth another try, and only while the
      // file has more.
      if (!reader.hit_end() || want >= size) throw;
      if (want >= kGgufMaxHeaderBytes) {
        throw Error(ErrorCode::bad_file, "header and tensor infos exceed 256 MiB", {},
                    path + "@" + std::to_string(want));
      }
    }
    want = std::min({want * 2, size, kGgufMaxHeaderBytes});
  }
}

// llama.cpp's split files are "<prefix>-00001-of-00003.gguf" (llama_split_path: "%s-%05d-of-%05d.gguf").
// Given any one of them, the paths of all, first to last, each checked to exist; a name that is
// not a split name gives {path}.
inline std::vector<std::string> gguf_split_paths(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const std::string name = p.filename().string();
  // "-NNNNN-of-MMMMM.gguf" is 20 characters.
  constexpr std::string_view kSuffix = ".gguf";
  const auto digits = [](std::string_view s) {
    return s.size() == 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (name.size() <= 20 || name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return {path};
  const std::string_view tail = std::string_view(name).substr(name.size() - 20);
  if (tail[0] != '-' || tail.substr(6, 4) != "-of-" || !digits(tail.substr(1, 5)) ||
      !digits(tail.substr(10, 5))) {
    return {path};
  }
  const std::uint64_t number = std::stoull(std::string(tail.substr(1, 5)));
  const std::uint64_t count = std::stoull(std::string(tail.substr(10, 5)));
  if (number == 0 || count == 0 || number > count) {
    throw Error(ErrorCode::bad_file,
                "split file number " + std::to_string(number) + " of " + std::to_string(count) +
                    " is impossible (numbers run from 1 to the count)",
                {}, path);
  }
  const std::string prefix = name.substr(0, name.size() - 20);
  const auto five_digits = [](std::uint64_t n) {
    const std::string text = std::to_string(n);
    return std::string(5 - std::min<std::size_t>(5, text.size()), '0') + text;
  };
  std::vector<std::string> paths;
  paths.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t k = 1; k <= count; ++k) {
    const fs::path sibling =
        p.parent_path() / (prefix + "-" + five_digits(k) + "-of-" + five_digits(count) + ".gguf");
    std::error_code ec;
    if (!fs::is_regular_file(sibling, ec)) {
      throw Error(ErrorCode::bad_file,
                  "split file " + std::to_string(k) + " of " + std::to_string(count) +
                      " is missing: " + sibling.string(),
                  {}, path);
    }
    paths.push_back(sibling.string());
  }
  return paths;
}

}  // namespace vramest
