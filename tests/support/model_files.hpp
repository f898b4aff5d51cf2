// model_files.hpp — test helpers: writers of valid safetensors and GGUF files, in memory or on
// disk, and the tensor lists of Llama-shaped models.
//
// Files on disk get their header written and are then extended with a sparse resize, so a
// "16 GB" checkpoint costs a few kilobytes of disk and no time. The GGUF builder also reports
// where each field landed, so tests can break a valid file at a known offset:
//
//   write_safetensors(dir / "model.safetensors", llama_like_safetensors(16, 2048, 32, 8, 64, 8192, 128256,
//   true, "BF16")); GgufBuilt g = build_gguf({kv_str("general.architecture", "llama")}, {{"w", {32, 2}, 0}});
//   put_u64(g.bytes, g.tensor_offset_at[0], 7);   // now misaligned
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "vramest/formats.hpp"
#include "vramest/parse/gguf.hpp"
#include "vramest/parse/safetensors.hpp"

namespace vramest::test {

// ---- bytes ------------------------------------------------------------------------------------

// Appends little-endian fields, as both formats store them.
struct ByteWriter {
  std::string out;

  ByteWriter& uint(std::uint64_t v, int bytes) {
    for (int k = 0; k < bytes; ++k) out += static_cast<char>((v >> (8 * k)) & 0xFF);
    return *this;
  }
  ByteWriter& u8(std::uint8_t v) { return uint(v, 1); }
  ByteWriter& u16(std::uint16_t v) { return uint(v, 2); }
  ByteWriter& u32(std::uint32_t v) { return uint(v, 4); }
  ByteWriter& u64(std::uint64_t v) { return uint(v, 8); }
  ByteWriter& i32(std::int32_t v) { return uint(static_cast<std::uint32_t>(v), 4); }
  ByteWriter& i64(std::int64_t v) { return uint(static_cast<std::uint64_t>(v), 8); }
  ByteWriter& f32(float v) { return u32(std::bit_cast<std::uint32_t>(v)); }
  ByteWriter& f64(double v) { return u64(std::bit_cast<std::uint64_t>(v)); }
  ByteWriter& raw(std::string_view bytes) {
    out += bytes;
    return *this;
  }
  ByteWriter& zeros(std::uint64_t n) {
    out.append(static_cast<std::size_t>(n), '\0');
    return *this;
  }
  // A GGUF string: u64 length, then the bytes.
  ByteWriter& str(std::string_view s) { return u64(s.size()).raw(s); }
};

// Overwrites a field of an existing byte string in place.
inline void put_uint(std::string& bytes, std::uint64_t at, std::uint64_t v, int width) {
  for (int k = 0; k < width; ++k)
    bytes.at(static_cast<std::size_t>(at) + k) = static_cast<char>((v >> (8 * k)) & 0xFF);
}
inline void put_u32(std::string& bytes, std::uint64_t at, std::uint32_t v) { put_uint(bytes, at, v, 4); }
inline void put_u64(std::string& bytes, std::uint64_t at, std::uint64_t v) { put_uint(bytes, at, v, 8); }

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Writes `prefix`, then grows the file to `total_bytes` without writing the rest: the tail is a
// hole that reads as zeros and occupies no disk.
inline void write_sparse(const std::filesystem::path& path, std::string_view prefix,
                         std::uint64_t total_bytes) {
  write_file(path, prefix);
  std::filesystem::resize_file(path, total_bytes);
}

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
struct TempDir {
  std::filesystem::path path;

  explicit TempDir(std::string_view tag) {
    std::random_device rd;
    const auto base = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      path = base / ("vramest-" + std::string(tag) + "-" + std::to_string(rd()));
      if (std::filesystem::create_directory(path)) return;
    }
    throw std::runtime_error("cannot create a temporary directory");
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(std::string_view name) const { return (path / name).string(); }
};

// ---- safetensors ------------------------------------------------------------------------------

// name, dtype ("BF16"), shape (outermost first)
using StSpec = std::tuple<std::string, std::string, std::vector<std::uint64_t>>;

inline std::uint64_t st_tensor_bytes(const StSpec& t) {
  std::uint64_t elements = 1;
  for (const std::uint64_t d : std::get<2>(t)) elements *= d;
  return elements * safetensors_dtype_bits(std::get<1>(t)) / 8;
}

// The JSON header as the Rust writer makes it: tensors in the given order, contiguous data
// offsets, padded with spaces to a multiple of 8 bytes.
inline std::string safetensors_header_json(const std::vector<StSpec>& tensors,
                                           const std::map<std::string, std::string>& metadata = {}) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const StSpec& t : tensors) {
    const std::uint64_t bytes = st_tensor_bytes(t);
    header[std::get<0>(t)] = {
        {"dtype", std::get<1>(t)}, {"shape", std::get<2>(t)}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

// A file from a hand-written header (valid or not): the 8-byte length, the text, `data_bytes`
// zero bytes.
inline std::string safetensors_from_header(std::string_view json, std::uint64_t data_bytes = 0) {
  ByteWriter w;
  w.u64(json.size()).raw(json).zeros(data_bytes);
  return std::move(w.out);
}

inline std::uint64_t safetensors_data_bytes(const std::vector<StSpec>& tensors) {
  std::uint64_t total = 0;
  for (const StSpec& t : tensors) total += st_tensor_bytes(t);
  return total;
}

// A valid file, data zero-filled; with_data = false gives only the 8 + N prefix.
inline std::string safetensors_bytes(const std::vector<StSpec>& tensors, bool with_data = true,
                                     const std::map<std::string, std::string>& metadata = {}) {
  return safetensors_from_header(safetensors_header_json(tensors, metadata),
                                 with_data ? safetensors_data_bytes(tensors) : 0);
}

inline void write_safetensors(const std::string& path, const std::vector<StSpec>& tensors,
                              const std::map<std::string, std::string>& metadata = {}) {
  const std::string prefix = safetensors_bytes(tensors, false, metadata);
  write_sparse(path, prefix, prefix.size() + safetensors_data_bytes(tensors));
}

// A Llama-family checkpoint's tensors as Hugging Face names them (LlamaForCausalLM), shapes
// [out_features, in_features].
inline std::vector<StSpec> llama_like_safetensors(std::uint64_t layers, std::uint64_t hidden,
                                                  std::uint64_t heads, std::uint64_t kv_heads,
                                                  std::uint64_t head_dim, std::uint64_t intermediate,
                                                  std::uint64_t vocab, bool tied,
                                                  const std::string& dtype = "BF16") {
  std::vector<StSpec> t;
  t.emplace_back("model.embed_tokens.weight", dtype, std::vector<std::uint64_t>{vocab, hidden});
  for (std::uint64_t i = 0; i < layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    t.emplace_back(p + "input_layernorm.weight", dtype, std::vector<std::uint64_t>{hidden});
    t.emplace_back(p + "self_attn.q_proj.weight", dtype,
                   std::vector<std::uint64_t>{heads * head_dim, hidden});
    t.emplace_back(p + "self_attn.k_proj.weight", dtype,
                   std::vector<std::uint64_t>{kv_heads * head_dim, hidden});
    t.emplace_back(p + "self_attn.v_proj.weight", dtype,
                   std::vector<std::uint64_t>{kv_heads * head_dim, hidden});
    t.emplace_back(p + "self_attn.o_proj.weight", dtype,
                   std::vector<std::uint64_t>{hidden, heads * head_dim});
    t.emplace_back(p + "post_attention_layernorm.weight", dtype, std::vector<std::uint64_t>{hidden});
    t.emplace_back(p + "mlp.gate_proj.weight", dtype, std::vector<std::uint64_t>{intermediate, hidden});
    t.emplace_back(p + "mlp.up_proj.weight", dtype, std::vector<std::uint64_t>{intermediate, hidden});
    t.emplace_back(p + "mlp.down_proj.weight", dtype, std::vector<std::uint64_t>{hidden, intermediate});
  }
  t.emplace_back("model.norm.weight", dtype, std::vector<std::uint64_t>{hidden});
  if (!tied) t.emplace_back("lm_head.weight", dtype, std::vector<std::uint64_t>{vocab, hidden});
  return t;
}

// ---- GGUF -------------------------------------------------------------------------------------

// One metadata key-value to write. Build with the kv_* helpers.
struct GgufKv {
  std::string key;
  GgufType type = GgufType::u32;
  GgufType elem = GgufType::u8;  // arrays
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s{};
  std::vector<std::string> strs{};   // string arrays
  std::vector<std::int64_t> ints{};  // integer arrays
};

inline GgufKv kv_u32(std::string key, std::uint32_t v) {
  GgufKv kv{std::move(key), GgufType::u32};
  kv.u = v;
  return kv;
}
inline GgufKv kv_u64(std::string key, std::uint64_t v) {
  GgufKv kv{std::move(key), GgufType::u64};
  kv.u = v;
  return kv;
}
inline GgufKv kv_i32(std::string key, std::int32_t v) {
  GgufKv kv{std::move(key), GgufType::i32};
  kv.i = v;
  return kv;
}
inline GgufKv kv_f32(std::string key, float v) {
  GgufKv kv{std::move(key), GgufType::f32};
  kv.f = v;
  return kv;
}
inline GgufKv kv_bool(std::string key, bool v) {
  GgufKv kv{std::move(key), GgufType::boolean};
  kv.b = v;
  return kv;
}
inline GgufKv kv_str(std::string key, std::string v) {
  GgufKv kv{std::move(key), GgufType::string};
  kv.s = std::move(v);
  return kv;
}
inline GgufKv kv_strs(std::string key, std::vector<std::string> v) {
  GgufKv kv{std::move(key), GgufType::array, GgufType::string};
  kv.strs = std::move(v);
  return kv;
}
inline GgufKv kv_i32s(std::string key, std::vector<std::int64_t> v) {
  GgufKv kv{std::move(key), GgufType::array, GgufType::i32};
  kv.ints = std::move(v);
  return kv;
}
inline GgufKv kv_u32s(std::string key, std::vector<std::int64_t> v) {
  GgufKv kv{std::move(key), GgufType::array, GgufType::u32};
  kv.ints = std::move(v);
  return kv;
}

struct GgufTensorSpec {
  std::string name;
  std::vector<std::uint64_t> ne;                       // ne[0] contiguous
  std::uint32_t type = 0;                              // ggml type id
  std::optional<std::uint64_t> offset = std::nullopt;  // override the computed data offset
};

inline std::uint64_t gguf_tensor_bytes(const GgufTensorSpec& t) {
  const GgmlType* type = find_ggml_type(t.type);
  if (type == nullptr) throw std::runtime_error("test writer: unknown ggml type");
  std::uint64_t rows = 1;
  for (std::size_t d = 1; d < t.ne.size(); ++d) rows *= t.ne[d];
  return t.ne.at(0) / type->block_weights * type->block_bytes * rows;
}

inline std::uint64_t gguf_pad(std::uint64_t x, std::uint64_t alignment) {
  return (x + alignment - 1) / alignment * alignment;
}

// A written GGUF header, with the offsets of its fields for tests that break it.
struct GgufBuilt {
  std::string bytes;                            // header + tensor infos + padding (+ data)
  std::vector<std::uint64_t> kv_at;             // each key-value's key length field
  std::vector<std::uint64_t> value_at;          // each key-value's value (after its type)
  std::vector<std::uint64_t> tensor_at;         // each tensor info's name length field
  std::vector<std::uint64_t> tensor_type_at;    // each tensor info's ggml type field
  std::vector<std::uint64_t> tensor_offset_at;  // each tensor info's offset field
  std::uint64_t data_offset = 0;
  std::uint64_t file_bytes = 0;  // the whole file, data included
};

inline void put_gguf_value(ByteWriter& w, GgufType type, const GgufKv& kv) {
  switch (type) {
    case GgufType::u8: w.u8(static_cast<std::uint8_t>(kv.u)); break;
    case GgufType::i8: w.u8(static_cast<std::uint8_t>(kv.i)); break;
    case GgufType::u16: w.u16(static_cast<std::uint16_t>(kv.u)); break;
    case GgufType::i16: w.u16(static_cast<std::uint16_t>(kv.i)); break;
    case GgufType::u32: w.u32(static_cast<std::uint32_t>(kv.u)); break;
    case GgufType::i32: w.i32(static_cast<std::int32_t>(kv.i)); break;
    case GgufType::u64: w.u64(kv.u); break;
    case GgufType::i64: w.i64(kv.i); break;
    case GgufType::f32: w.f32(static_cast<float>(kv.f)); break;
    case GgufType::f64: w.f64(kv.f); break;
    case GgufType::boolean: w.u8(kv.b ? 1 : 0); break;
    case GgufType::string: w.str(kv.s); break;
    case GgufType::array:
      w.u32(static_cast<std::uint32_t>(kv.elem));
      if (kv.elem == GgufType::string) {
        w.u64(kv.strs.size());
        for (const std::string& s : kv.strs) w.str(s);
      } else {
        w.u64(kv.ints.size());
        for (const std::int64_t v : kv.ints) {
          GgufKv element;
          element.u = static_cast<std::uint64_t>(v);
          element.i = v;
          put_gguf_value(w, kv.elem, element);
        }
      }
      break;
  }
}

// A valid GGUF (unless a tensor's offset is overridden). An alignment other than 32 is written
// as general.alignment (u32) unless the metadata already has that key.
inline GgufBuilt build_gguf(const std::vector<GgufKv>& metadata, const std::vector<GgufTensorSpec>& tensors,
                            std::uint32_t version = 3, std::uint64_t alignment = 32, bool with_data = true) {
  std::vector<GgufKv> kvs = metadata;
  const bool has_alignment =
      std::any_of(kvs.begin(), kvs.end(), [](const GgufKv& kv) { return kv.key == "general.alignment"; });
  if (alignment != 32 && !has_alignment)
    kvs.insert(kvs.begin(), kv_u32("general.alignment", static_cast<std::uint32_t>(alignment)));

  GgufBuilt built;
  ByteWriter w;
  w.raw("GGUF").u32(version).u64(tensors.size()).u64(kvs.size());
  for (const GgufKv& kv : kvs) {
    built.kv_at.push_back(w.out.size());
    w.str(kv.key).u32(static_cast<std::uint32_t>(kv.type));
    built.value_at.push_back(w.out.size());
    put_gguf_value(w, kv.type, kv);
  }
  std::uint64_t offset = 0;
  for (const GgufTensorSpec& t : tensors) {
    built.tensor_at.push_back(w.out.size());
    w.str(t.name).u32(static_cast<std::uint32_t>(t.ne.size()));
    for (const std::uint64_t ne : t.ne) w.u64(ne);
    built.tensor_type_at.push_back(w.out.size());
    w.u32(t.type);
    built.tensor_offset_at.push_back(w.out.size());
    w.u64(t.offset.value_or(offset));
    offset += gguf_pad(gguf_tensor_bytes(t), alignment);
  }
  built.data_offset = gguf_pad(w.out.size(), alignment);
  w.zeros(built.data_offset - w.out.size());
  built.file_bytes = built.data_offset + offset;
  if (with_data) w.zeros(offset);
  built.bytes = std::move(w.out);
  return built;
}

inline std::string gguf_bytes(const std::vector<GgufKv>& metadata, const std::vector<GgufTensorSpec>& tensors,
                              std::uint32_t version = 3, std::uint64_t alignment = 32,
                              bool with_data = true) {
  return build_gguf(metadata, tensors, version, alignment, with_data).bytes;
}

inline void write_gguf(const std::string& path, const std::vector<GgufKv>& metadata,
                       const std::vector<GgufTensorSpec>& tensors, std::uint32_t version = 3,
                       std::uint64_t alignment = 32) {
  const GgufBuilt built = build_gguf(metadata, tensors, version, alignment, false);
  write_sparse(path, built.bytes, built.file_bytes);
}

// The ggml type of each tensor role of a Llama-family GGUF (ids: formats.hpp kGgmlTypes).
struct LlamaGgufTypes {
  std::uint32_t token_embd = 1;  // f16
  std::uint32_t attn_q = 1;
  std::uint32_t attn_k = 1;
  std::uint32_t attn_v = 1;
  std::uint32_t attn_output = 1;
  std::uint32_t ffn_gate = 1;
  std::uint32_t ffn_up = 1;
  std::uint32_t ffn_down = 1;
  std::uint32_t output = 1;
  std::uint32_t norm = 0;  // f32: llama.cpp keeps 1-D tensors in F32
};

struct GgufModel {
  std::vector<GgufKv> metadata;
  std::vector<GgufTensorSpec> tensors;
};

// A Llama-family GGUF as llama.cpp's convert_hf_to_gguf.py writes it: tensor names of
// src/llama-arch.cpp, shapes [in_features, out_features], the llama.* metadata keys.
inline GgufModel llama_like_gguf(std::uint64_t layers, std::uint64_t hidden, std::uint64_t heads,
                                 std::uint64_t kv_heads, std::uint64_t head_dim, std::uint64_t intermediate,
                                 std::uint64_t vocab, bool tied, const LlamaGgufTypes& types = {},
                                 std::uint64_t context = 131072, std::uint32_t file_type = 1) {
  const auto u32 = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
  GgufModel m;
  m.metadata = {
      kv_str("general.architecture", "llama"),
      kv_u32("general.file_type", file_type),
      kv_u32("llama.block_count", u32(layers)),
      kv_u32("llama.context_length", u32(context)),
      kv_u32("llama.embedding_length", u32(hidden)),
      kv_u32("llama.feed_forward_length", u32(intermediate)),
      kv_u32("llama.attention.head_count", u32(heads)),
      kv_u32("llama.attention.head_count_kv", u32(kv_heads)),
      kv_u32("llama.attention.key_length", u32(head_dim)),
      kv_u32("llama.attention.value_length", u32(head_dim)),
      kv_u32("llama.vocab_size", u32(vocab)),
  };
  auto& t = m.tensors;
  t.push_back({"token_embd.weight", {hidden, vocab}, types.token_embd});
  for (std::uint64_t i = 0; i < layers; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    t.push_back({p + "attn_norm.weight", {hidden}, types.norm});
    t.push_back({p + "attn_q.weight", {hidden, heads * head_dim}, types.attn_q});
    t.push_back({p + "attn_k.weight", {hidden, kv_heads * head_dim}, types.attn_k});
    t.push_back({p + "attn_v.weight", {hidden, kv_heads * head_dim}, types.attn_v});
    t.push_back({p + "attn_output.weight", {heads * head_dim, hidden}, types.attn_output});
    t.push_back({p + "ffn_norm.weight", {hidden}, types.norm});
    t.push_back({p + "ffn_gate.weight", {hidden, intermediate}, types.ffn_gate});
    t.push_back({p + "ffn_up.weight", {hidden, intermediate}, types.ffn_up});
    t.push_back({p + "ffn_down.weight", {intermediate, hidden}, types.ffn_down});
  }
  t.push_back({"output_norm.weight", {hidden}, types.norm});
  if (!tied) t.push_back({"output.weight", {hidden, vocab}, types.output});
  return m;
}

}  // namespace vramest::test
