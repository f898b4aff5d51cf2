// parse/safetensors.hpp — the header of a .safetensors file, and a sharded checkpoint's index.
//
// Owns reading what a safetensors file says about its tensors (name, dtype, shape, where the
// bytes lie) without reading the tensors. Validation replicates huggingface/safetensors'
// reference reader (safetensors/src/tensor.rs):
// an 8-byte little-endian header length N <= 100,000,000, N bytes of JSON, then a data buffer
// the tensors tile exactly, from byte 0 to its end, with no gaps, overlaps or trailing bytes.
// Errors are bad_file, located by JSON pointer for header problems and by offset for framing:
//
//   SafetensorsHeader h = read_safetensors_file("model.safetensors");   // reads 8 + N bytes only
//   for (const StTensor& t : h.tensors) total += t.bytes();
//   // a bad entry: where() == "model.safetensors:/model.embed_tokens.weight/shape/1"
//   SafetensorsIndex idx = parse_safetensors_index(text, "model.safetensors.index.json");
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/parse/byte_reader.hpp"

namespace vramest {

// The reference implementation's MAX_HEADER_SIZE (tensor.rs): a larger N is refused before
// any header byte is read or allocated.
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;
// More tensors than any real checkpoint holds (DeepSeek-V3: ~92,000 across all shards); bounds
// the work a hostile header can ask for.
inline constexpr std::uint64_t kMaxSafetensorsTensors = 1'000'000;
// A safetensors header is an object of objects holding arrays: three levels. The cap stops a
// header of 10^8 '[' from building a deep tree that recursive code would walk.
inline constexpr int kMaxSafetensorsJsonDepth = 8;
inline constexpr std::size_t kMaxSafetensorsDims = 8;
inline constexpr std::size_t kMaxSafetensorsShards = 100'000;

struct StTensor {
  std::string name;
  std::string dtype;                 // as written: "BF16", "F8_E4M3", ...
  std::vector<std::uint64_t> shape;  // row-major, outermost first; empty for a scalar
  std::uint64_t elements = 0;        // product of shape (1 for a scalar)
  std::uint64_t begin = 0;           // data_offsets, relative to the data section (8 + N)
  std::uint64_t end = 0;
  std::uint64_t bytes() const { return end - begin; }
};

struct SafetensorsHeader {
  std::vector<StTensor> tensors;                // sorted by begin (their order in the data)
  std::map<std::string, std::string> metadata;  // "__metadata__", string to string
  std::uint64_t header_bytes = 0;               // N, the JSON's length (padding included)
  std::uint64_t file_bytes = 0;
};

namespace st_detail {

// Bits per element of each dtype the reference implementation knows (tensor.rs Dtype::bitsize);
// 0 for an unknown name.
inline std::uint64_t dtype_bits_or_zero(std::string_view dtype) {
  struct Entry {
    std::string_view name;
    std::uint64_t bits;
  };
  static constexpr Entry kDtypes[] = {
      {"BOOL", 8},    {"F4", 4},      {"F6_E2M3", 6}, {"F6_E3M2", 6},     {"U8", 8},          {"I8", 8},
      {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"F8_E4M3FNUZ", 8}, {"F8_E5M2FNUZ", 8}, {"I16", 16},
      {"U16", 16},    {"F16", 16},    {"BF16", 16},   {"I32", 32},        {"U32", 32},        {"F32", 32},
      {"F64", 64},    {"I64", 64},    {"U64", 64},    {"C64", 64},
  };
  for (const Entry& e : kDtypes) {
    if (e.name == dtype) return e.bits;
  }
  return 0;
}

// RFC 6901: '~' and '/' inside a key are written "~0" and "~1". Control characters (legal in
// a JSON key as escapes) become '?' so that an error stays on one line.
inline std::string pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (const char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      out += '?';
    else
      out += c;
  }
  return out;
}

inline Error at_pointer(const std::string& origin, const std::string& pointer, const std::string& message) {
  return Error(ErrorCode::bad_file, message, {}, origin + ":" + pointer);
}

// Tracks where the parser is, so that a duplicate key (which nlohmann would silently resolve to
// the last value, and which the reference implementation rejects) is reported with its JSON
// pointer; also enforces the nesting and tensor-count caps while parsing, before the document
// is built in full.
class DuplicateKeyGuard {
 public:
  DuplicateKeyGuard(const std::string& origin, int max_depth, std::uint64_t max_top_level_keys)
      : origin_(origin), max_depth_(max_depth), max_top_level_keys_(max_top_level_keys) {}

  bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (depth >= max_depth_) {
          throw at_pointer(origin_, pointer(),
                           "nested deeper than " + std::to_string(max_depth_) + " levels");
        }
        frames_.push_back(Frame{event == Event::array_start, {}, {}, 0});
        break;
      case Event::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) throw at_pointer(origin_, pointer(), "duplicate key");
        if (frames_.size() == 1 && top.keys.size() > max_top_level_keys_) {
          throw at_pointer(origin_, "", "more than " + std::to_string(max_top_level_keys_) + " entries");
        }
        break;
      }
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        element_done();
        break;
      case Event::value: element_done(); break;
    }
    return true;
  }

 private:
  struct Frame {
    bool array;
    std::set<std::string> keys;  // objects: keys seen so far
    std::string key;             // objects: the current key
    std::uint64_t index;         // arrays: the current element
  };

  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  std::string pointer() const {
    std::string p;
    for (const Frame& f : frames_) {
      p += "/";
      p += f.array ? std::to_string(f.index) : pointer_token(f.key);
    }
    return p;
  }

  const std::string& origin_;
  int max_depth_;
  std::uint64_t max_top_level_keys_;
  std::vector<Frame> frames_;
};

// Parses JSON text with duplicate keys rejected; nlohmann's own errors become one-line
// bad_file errors at the byte they occurred (`base` is the text's offset in the file).
inline nlohmann::json parse_strict_json(std::string_view text, const std::string& origin, std::uint64_t base,
                                        int max_depth, std::uint64_t max_top_level_keys) {
  DuplicateKeyGuard guard(origin, max_depth, max_top_level_keys);
  try {
    return nlohmann::json::parse(text, std::ref(guard));
  } catch (const nlohmann::json::parse_error& e) {
    const std::uint64_t at = e.byte == 0 ? 0 : e.byte - 1;
    throw Error(ErrorCode::bad_file,
                "not valid JSON (syntax error at byte " + std::to_string(at) + " of the text)", {},
                origin + "@" + std::to_string(base + at));
  } catch (const nlohmann::json::exception&) {
    // out_of_range 406 (a number such as 1e999 that overflows a double) and kin.
    throw Error(ErrorCode::bad_file, "not valid JSON (a number is out of range)", {}, origin);
  }
}

inline std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string s = "[";
  for (std::size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
  return s + "]";
}

inline bool mul_overflows(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  return __builtin_mul_overflow(a, b, &out);
}

// One tensor entry of the header, checked against its dtype and shape.
inline StTensor read_tensor_entry(const std::string& name, const nlohmann::json& entry,
                                  const std::string& origin) {
  const std::string at = "/" + pointer_token(name);
  if (!entry.is_object())
    throw at_pointer(origin, at, "expected an object with dtype, shape and data_offsets");
  StTensor t;
  t.name = name;

  const auto dtype = entry.find("dtype");
  if (dtype == entry.end()) throw at_pointer(origin, at + "/dtype", "missing field");
  if (!dtype->is_string()) throw at_pointer(origin, at + "/dtype", "expected a string");
  t.dtype = dtype->get<std::string>();
  const std::uint64_t bits = dtype_bits_or_zero(t.dtype);
  if (bits == 0) throw at_pointer(origin, at + "/dtype", "unknown dtype '" + printable(t.dtype) + "'");

  const auto shape = entry.find("shape");
  if (shape == entry.end()) throw at_pointer(origin, at + "/shape", "missing field");
  if (!shape->is_array())
    throw at_pointer(origin, at + "/shape", "expected an array of non-negative integers");
  if (shape->size() > kMaxSafetensorsDims) {
    throw at_pointer(
        origin, at + "/shape",
        std::to_string(shape->size()) + " dimensions; at most " + std::to_string(kMaxSafetensorsDims));
  }
  t.elements = 1;  // a rank-0 tensor is one scalar
  for (std::size_t k = 0; k < shape->size(); ++k) {
    const nlohmann::json& dim = (*shape)[k];
    if (!dim.is_number_unsigned()) {
      throw at_pointer(origin, at + "/shape/" + std::to_string(k), "expected a non-negative integer");
    }
    t.shape.push_back(dim.get<std::uint64_t>());
    if (mul_overflows(t.elements, t.shape.back(), t.elements)) {
      throw at_pointer(origin, at + "/shape",
                       "element count of shape " + shape_text(t.shape) + " overflows 64 bits");
    }
  }

  const auto offsets = entry.find("data_offsets");
  if (offsets == entry.end()) throw at_pointer(origin, at + "/data_offsets", "missing field");
  if (!offsets->is_array() || offsets->size() != 2) {
    throw at_pointer(origin, at + "/data_offsets", "expected [begin, end]");
  }
  for (std::size_t k = 0; k < 2; ++k) {
    if (!(*offsets)[k].is_number_unsigned()) {
      throw at_pointer(origin, at + "/data_offsets/" + std::to_string(k), "expected a non-negative integer");
    }
  }
  t.begin = (*offsets)[0].get<std::uint64_t>();
  t.end = (*offsets)[1].get<std::uint64_t>();
  if (t.begin > t.end) {
    throw at_pointer(origin, at + "/data_offsets",
                     "begin " + std::to_string(t.begin) + " is after end " + std::to_string(t.end));
  }

  std::uint64_t total_bits = 0;
  if (mul_overflows(t.elements, bits, total_bits)) {
    throw at_pointer(origin, at + "/shape",
                     "size of " + shape_text(t.shape) + " " + t.dtype + " overflows 64 bits");
  }
  // Sub-byte dtypes (F4, F6) must still fill whole bytes (tensor.rs: MisalignedSlice).
  if (total_bits % 8 != 0) {
    throw at_pointer(
        origin, at + "/shape",
        std::to_string(t.elements) + " elements of " + t.dtype + " are not a whole number of bytes");
  }
  if (t.bytes() != total_bits / 8) {
    throw at_pointer(origin, at + "/data_offsets",
                     "holds " + std::to_string(t.bytes()) + " bytes, but " + printable(t.dtype) + " " +
                         shape_text(t.shape) + " needs " + std::to_string(total_bits / 8));
  }
  return t;
}

}  // namespace st_detail

// Bits per element of a safetensors dtype ("BF16" -> 16, "F4" -> 4); unknown -> bad_file.
inline std::uint64_t safetensors_dtype_bits(std::string_view dtype) {
  const std::uint64_t bits = st_detail::dtype_bits_or_zero(dtype);
  if (bits == 0) throw Error(ErrorCode::bad_file, "unknown safetensors dtype '" + printable(dtype) + "'");
  return bits;
}

// `prefix` holds at least the first 8 + N bytes of the file (or the whole file when smaller);
// `file_bytes` is the real file size, against which every offset is checked.
inline SafetensorsHeader parse_safetensors(std::string_view prefix, std::uint64_t file_bytes,
                                           const std::string& origin) {
  if (prefix.size() > file_bytes) {
    throw Error(ErrorCode::internal, "safetensors prefix is longer than the file", {}, origin);
  }
  ByteReader r(prefix, origin);
  if (file_bytes < 8) {
    throw r.error("file of " + std::to_string(file_bytes) + " bytes is too small for a safetensors header");
  }
  const std::uint64_t n = r.u64("header length");
  if (n > kMaxSafetensorsHeaderBytes) {
    throw r.error_at(0, "header length " + std::to_string(n) + " exceeds the limit of 100,000,000 bytes");
  }
  // n <= 10^8, so 8 + n cannot wrap.
  if (8 + n > file_bytes) {
    throw r.error_at(0, "header length " + std::to_string(n) + " runs past the end of the file (" +
                            std::to_string(file_bytes) + " bytes)");
  }
  const std::string_view text = r.bytes(n, "JSON header");
  // The reference reader requires the header to open with '{' (InvalidHeaderStart).
  if (text.empty() || text.front() != '{') throw r.error_at(8, "header does not start with '{'");

  const nlohmann::json doc =
      st_detail::parse_strict_json(text, origin, 8, kMaxSafetensorsJsonDepth, kMaxSafetensorsTensors + 1);
  if (!doc.is_object()) throw st_detail::at_pointer(origin, "", "header is not a JSON object");

  SafetensorsHeader h;
  h.header_bytes = n;
  h.file_bytes = file_bytes;
  for (const auto& [name, entry] : doc.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object())
        throw st_detail::at_pointer(origin, "/__metadata__", "expected an object of strings");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) {
          throw st_detail::at_pointer(origin, "/__metadata__/" + st_detail::pointer_token(key),
                                      "expected a string");
        }
        h.metadata.emplace(key, value.get<std::string>());
      }
      continue;
    }
    h.tensors.push_back(st_detail::read_tensor_entry(name, entry, origin));
  }

  // The tensors must tile the data buffer exactly: sorted by offset, each starts where the
  // previous one ended, the first at 0 (tensor.rs: InvalidOffset). Ties (empty tensors) break
  // by end then name so the order is deterministic.
  std::sort(h.tensors.begin(), h.tensors.end(), [](const StTensor& a, const StTensor& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  std::uint64_t expected = 0;
  const StTensor* previous = nullptr;
  for (const StTensor& t : h.tensors) {
    if (t.begin != expected) {
      const std::string at = "/" + st_detail::pointer_token(t.name) + "/data_offsets";
      if (previous == nullptr) {
        throw st_detail::at_pointer(
            origin, at, "the first tensor starts at byte " + std::to_string(t.begin) + " of the data, not 0");
      }
      if (t.begin > expected) {
        throw st_detail::at_pointer(origin, at,
                                    "gap of " + std::to_string(t.begin - expected) + " bytes after tensor '" +
                                        printable(previous->name) + "'");
      }
      throw st_detail::at_pointer(origin, at,
                                  "overlaps tensor '" + printable(previous->name) + "' (which ends at " +
                                      std::to_string(expected) + ")");
    }
    expected = t.end;
    previous = &t;
  }
  // The data buffer must end exactly where the file does (MetadataIncompleteBuffer): trailing
  // bytes could hide a second payload, missing ones mean a truncated download.
  const std::uint64_t data_start = 8 + n;
  if (expected > file_bytes - data_start) {
    throw r.error_at(file_bytes, "file is truncated: the tensors need " + std::to_string(expected) +
                                     " bytes of data, the file holds " +
                                     std::to_string(file_bytes - data_start));
  }
  if (expected < file_bytes - data_start) {
    throw r.error_at(data_start + expected, std::to_string(file_bytes - data_start - expected) +
                                                " trailing bytes after the last tensor");
  }
  return h;
}

// Reads the 8-byte length and the N-byte header of a file, never its tensor data.
inline SafetensorsHeader read_safetensors_file(const std::string& path) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(ErrorCode::bad_file, "cannot read file: " + ec.message(), {}, path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::bad_file, "cannot open file", {}, path);

  const auto read_more = [&](std::string& buffer, std::uint64_t count) {
    const std::size_t old = buffer.size();
    buffer.resize(old + static_cast<std::size_t>(count));
    in.read(buffer.data() + old, static_cast<std::streamsize>(count));
    if (static_cast<std::uint64_t>(in.gcount()) != count) {
      throw Error(ErrorCode::bad_file, "short read (the file changed while being read?)", {}, path);
    }
  };
  std::string prefix;
  read_more(prefix, std::min<std::uint64_t>(8, size));
  if (size >= 8) {
    ByteReader r(prefix, path);
    const std::uint64_t n = r.u64("header length");
    // Only a length that passes the cap and fits the file is worth allocating for; otherwise
    // parse_safetensors reports the problem from the 8 bytes already read.
    if (n <= kMaxSafetensorsHeaderBytes && 8 + n <= size) read_more(prefix, n);
  }
  return parse_safetensors(prefix, size, path);
}

// model.safetensors.index.json: which shard holds each tensor.
struct SafetensorsIndex {
  std::optional<std::uint64_t> total_size;        // metadata.total_size: sum of tensor data bytes
  std::map<std::string, std::string> weight_map;  // tensor name -> shard file name
  std::vector<std::string> shards;                // unique, sorted
};

// Shard names come from a downloaded file and are later joined to a directory: only plain
// file names are accepted, so "../x" or "/etc/x" can never name a file outside it.
inline SafetensorsIndex parse_safetensors_index(std::string_view json_text, const std::string& origin) {
  using st_detail::at_pointer;
  // The index has a 10^5-shard cap, and real ones map at most ~10^5 tensors; the top level has
  // two keys, so the key cap here matters only for malformed files.
  const nlohmann::json doc = st_detail::parse_strict_json(json_text, origin, 0, 16, kMaxSafetensorsTensors);
  if (!doc.is_object()) throw at_pointer(origin, "", "expected a JSON object");
  SafetensorsIndex index;

  if (const auto meta = doc.find("metadata"); meta != doc.end() && !meta->is_null()) {
    if (!meta->is_object()) throw at_pointer(origin, "/metadata", "expected an object");
    if (const auto total = meta->find("total_size"); total != meta->end() && !total->is_null()) {
      if (total->is_number_unsigned()) {
        index.total_size = total->get<std::uint64_t>();
      } else if (total->is_number_float() && total->get<double>() >= 0 && total->get<double>() < 1.8e19 &&
                 static_cast<double>(static_cast<std::uint64_t>(total->get<double>())) ==
                     total->get<double>()) {
        // Some writers emit the total as a float ("total_size": 16060522496.0).
        index.total_size = static_cast<std::uint64_t>(total->get<double>());
      } else {
        throw at_pointer(origin, "/metadata/total_size", "expected a non-negative integer");
      }
    }
  }

  const auto map = doc.find("weight_map");
  if (map == doc.end()) throw at_pointer(origin, "/weight_map", "missing field");
  if (!map->is_object()) throw at_pointer(origin, "/weight_map", "expected an object");
  if (map->empty()) throw at_pointer(origin, "/weight_map", "maps no tensors");
  std::set<std::string> shards;
  for (const auto& [tensor, shard] : map->items()) {
    const std::string at = "/weight_map/" + st_detail::pointer_token(tensor);
    if (!shard.is_string()) throw at_pointer(origin, at, "expected a shard file name");
    const std::string file = shard.get<std::string>();
    const bool control =
        std::any_of(file.begin(), file.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (file.empty() || file == "." || file.find("..") != std::string::npos ||
        file.find_first_of("/\\:") != std::string::npos || control) {
      throw at_pointer(
          origin, at,
          "shard '" + printable(file) + "' is not a plain file name in the checkpoint's directory");
    }
    if (shards.insert(file).second && shards.size() > kMaxSafetensorsShards) {
      throw at_pointer(origin, "/weight_map",
                       "names more than " + std::to_string(kMaxSafetensorsShards) + " shards");
    }
    index.weight_map.emplace(tensor, file);
  }
  index.shards.assign(shards.begin(), shards.end());
  return index;
}

}  // namespace vramest
