// Tests of parse/gguf.hpp: good files round-trip, real model shapes are read from their header
// alone, and every broken file in the table is refused with bad_file at the offset of the
// offending field.
#include "vramest/parse/gguf.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/error_of.hpp"
#include "support/model_files.hpp"

using namespace vramest;
using namespace vramest::test;

namespace {

// ggml type ids (formats.hpp kGgmlTypes).
constexpr std::uint32_t kF32 = 0;
constexpr std::uint32_t kF16 = 1;
constexpr std::uint32_t kQ8_0 = 8;
constexpr std::uint32_t kQ4_K = 12;
constexpr std::uint32_t kQ6_K = 14;

// The small valid file the broken cases start from:
//   @0 magic, @4 version, @8 tensor count, @16 kv count,
//   @24 "general.architecture" = "llama" (type @52, value @56), @69 "llama.block_count" = 2
//   (type @94, value @98), @102 tensor a f32 [8, 2] (n_dims @111, ne @115, type @131,
//   offset @135), @143 tensor b f16 [32] (type @164, offset @168), data @192, 320 bytes.
GgufBuilt base() {
  return build_gguf({kv_str("general.architecture", "llama"), kv_u32("llama.block_count", 2)},
                    {{"a", {8, 2}, kF32}, {"b", {32}, kF16}});
}

struct GgufCase {
  const char* what;
  std::string bytes;
  std::uint64_t at;          // expected offset in where()
  std::string message;       // a fragment of the message
  std::uint64_t file_bytes;  // 0: bytes.size(); larger to test limits without a large buffer
};

template <typename Patch>
std::string patched(Patch&& patch) {
  GgufBuilt g = base();
  patch(g.bytes);
  return g.bytes;
}

}  // namespace

TEST_CASE("gguf: the base file of the broken-file table is valid and laid out as documented", "[parse]") {
  const GgufBuilt g = base();
  CHECK(g.kv_at == std::vector<std::uint64_t>{24, 69});
  CHECK(g.value_at == std::vector<std::uint64_t>{56, 98});
  CHECK(g.tensor_at == std::vector<std::uint64_t>{102, 143});
  CHECK(g.tensor_type_at == std::vector<std::uint64_t>{131, 164});
  CHECK(g.tensor_offset_at == std::vector<std::uint64_t>{135, 168});
  CHECK(g.data_offset == 192);
  CHECK(g.bytes.size() == 320);
  const GgufFile f = parse_gguf(g.bytes, g.bytes.size(), "g");
  CHECK(f.tensors.size() == 2);
}

TEST_CASE("gguf: a small file round-trips metadata of every type and its tensors", "[parse]") {
  GgufKv u8{"t.u8", GgufType::u8};
  u8.u = 200;
  GgufKv i8{"t.i8", GgufType::i8};
  i8.i = -100;
  GgufKv u16{"t.u16", GgufType::u16};
  u16.u = 65535;
  GgufKv i16{"t.i16", GgufType::i16};
  i16.i = -30000;
  GgufKv i64{"t.i64", GgufType::i64};
  i64.i = -(1LL << 40);
  GgufKv f64{"t.f64", GgufType::f64};
  f64.f = 0.25;
  GgufKv u64s{"t.u64s", GgufType::array, GgufType::u64};
  u64s.ints = {1, 2};
  const std::vector<GgufKv> metadata = {
      kv_str("general.architecture", "llama"),
      kv_u32("llama.block_count", 2),
      kv_u64("llama.context_length", 8192),
      kv_i32("t.neg", -5),
      kv_f32("t.eps", 1e-5f),
      kv_bool("t.yes", true),
      kv_bool("t.no", false),
      kv_strs("tokenizer.ggml.tokens", {"<s>", "</s>", "hello"}),
      kv_i32s("llama.feed_forward_length", {512, 768}),
      kv_u32s("t.u32s", {7, 8, 9}),
      u8,
      i8,
      u16,
      i16,
      i64,
      f64,
      u64s,
  };
  const std::vector<GgufTensorSpec> tensors = {
      {"token_embd.weight", {256, 10}, kQ4_K},
      {"blk.0.attn_norm.weight", {256}, kF32},
      {"blk.0.attn_q.weight", {256, 256}, kQ8_0},
      {"output.weight", {256, 10}, kQ6_K},
      {"empty", {0, 4}, kF16},
  };
  for (const std::uint32_t version : {2u, 3u}) {
    for (const std::uint64_t alignment : {32ULL, 64ULL, 1ULL}) {
      INFO("version " << version << ", alignment " << alignment);
      const GgufBuilt g = build_gguf(metadata, tensors, version, alignment);
      const GgufFile f = parse_gguf(g.bytes, g.bytes.size(), "small.gguf");
      CHECK(f.version == version);
      CHECK(f.alignment == alignment);
      CHECK(f.data_offset == g.data_offset);
      CHECK(f.file_bytes == g.bytes.size());

      CHECK(f.get_string("general.architecture") == std::optional<std::string>("llama"));
      CHECK(f.get_uint("llama.block_count") == std::optional<std::uint64_t>(2));
      CHECK(f.get_uint("llama.context_length") == std::optional<std::uint64_t>(8192));
      CHECK(f.get_uint("t.u8") == std::optional<std::uint64_t>(200));
      CHECK(f.get_uint("t.u16") == std::optional<std::uint64_t>(65535));
      CHECK_FALSE(f.get_uint("t.neg").has_value());  // negative
      CHECK_FALSE(f.get_uint("t.eps").has_value());  // not an integer
      CHECK_FALSE(f.get_uint("missing").has_value());
      CHECK_FALSE(f.get_string("llama.block_count").has_value());
      CHECK(f.find("t.neg")->i == -5);
      CHECK(f.find("t.i8")->i == -100);
      CHECK(f.find("t.i16")->i == -30000);
      CHECK(f.find("t.i64")->i == -(1LL << 40));
      CHECK(f.find("t.eps")->f == Approx(1e-5));
      CHECK(f.find("t.f64")->f == 0.25);
      CHECK(f.find("t.yes")->b);
      CHECK_FALSE(f.find("t.no")->b);
      const GgufValue* tokens = f.find("tokenizer.ggml.tokens");
      REQUIRE(tokens != nullptr);
      CHECK(tokens->type == GgufType::array);
      CHECK(tokens->elem_type == GgufType::string);
      CHECK(tokens->count == 3);
      CHECK(tokens->ints.empty());
      CHECK(f.find("llama.feed_forward_length")->ints == std::vector<std::int64_t>{512, 768});
      CHECK(f.find("t.u32s")->ints == std::vector<std::int64_t>{7, 8, 9});
      CHECK(f.find("t.u64s")->ints == std::vector<std::int64_t>{1, 2});

      REQUIRE(f.tensors.size() == tensors.size());
      std::uint64_t expected_offset = 0;
      for (std::size_t k = 0; k < tensors.size(); ++k) {
        INFO(tensors[k].name);
        CHECK(f.tensors[k].name == tensors[k].name);
        CHECK(f.tensors[k].ne == tensors[k].ne);
        CHECK(f.tensors[k].type == tensors[k].type);
        CHECK(f.tensors[k].offset == expected_offset);
        CHECK(f.tensors[k].bytes == gguf_tensor_bytes(tensors[k]));
        expected_offset += gguf_pad(f.tensors[k].bytes, alignment);
      }
      CHECK(f.tensors[0].bytes == 10 * 144);      // one Q4_K block of 256 per row
      CHECK(f.tensors[2].bytes == 256 * 8 * 34);  // eight Q8_0 blocks of 32 per row
      CHECK(f.tensors[3].bytes == 10 * 210);      // one Q6_K block per row
      CHECK(f.tensors[4].bytes == 0);             // a zero dimension is legal (ggml)
    }
  }
}

TEST_CASE("gguf: integer arrays keep their values only while small and representable", "[parse]") {
  GgufKv big_u64{"t.big", GgufType::array, GgufType::u64};
  big_u64.ints = {1, static_cast<std::int64_t>(1ULL << 63)};  // written as u64 2^63
  std::vector<std::int64_t> many(70'000, 3);
  const std::string bytes = gguf_bytes({big_u64, kv_i32s("t.many", many)}, {});
  const GgufFile f = parse_gguf(bytes, bytes.size(), "g");
  CHECK(f.find("t.big")->count == 2);
  CHECK(f.find("t.big")->ints.empty());
  CHECK(f.find("t.many")->count == 70'000);
  CHECK(f.find("t.many")->ints.empty());
}

TEST_CASE("gguf: a Llama-3.2-1B-shaped F16 file written sparse is read from its header", "[parse]") {
  // 1,235,814,400 parameters (its model card); llama.cpp's F16 keeps the 33 norm vectors of
  // 2048 in F32: 2 x 1,235,814,400 + 2 x 33 x 2048 = 2,471,763,968 bytes of tensor data.
  const TempDir dir("gguf-1b");
  const std::string path = dir.file("llama-3.2-1b-f16.gguf");
  const GgufModel m = llama_like_gguf(16, 2048, 32, 8, 64, 8192, 128256, true);
  write_gguf(path, m.metadata, m.tensors);
  const GgufFile f = read_gguf_file(path);
  CHECK(f.file_bytes == std::filesystem::file_size(path));
  CHECK(f.tensors.size() == 1 + 16 * 9 + 1);
  std::uint64_t bytes = 0;
  for (const GgufTensor& t : f.tensors) bytes += t.bytes;
  CHECK(bytes == 2'471'763'968);
  CHECK(f.get_string("general.architecture") == std::optional<std::string>("llama"));
  CHECK(f.get_uint("llama.block_count") == std::optional<std::uint64_t>(16));
  CHECK(f.get_uint("llama.attention.head_count_kv") == std::optional<std::uint64_t>(8));
  CHECK(f.get_uint("llama.attention.key_length") == std::optional<std::uint64_t>(64));
  CHECK(f.get_uint("llama.vocab_size") == std::optional<std::uint64_t>(128256));
  CHECK(f.tensors[2].name == "blk.0.attn_q.weight");
  CHECK(f.tensors[2].ne == std::vector<std::uint64_t>{2048, 2048});
}

TEST_CASE("gguf: an 8.5 GB Llama-3.1-8B Q8_0 file whose data is a hole parses from its header", "[parse]") {
  // 8,030,261,248 parameters, of which 65 norm vectors of 4096 (266,240) stay F32 and the rest
  // (8,029,995,008, a multiple of 32) are Q8_0 at 34 bytes per 32 weights:
  // 8,029,995,008 / 32 x 34 + 266,240 x 4 = 8,532,934,656 bytes.
  LlamaGgufTypes q8;
  q8.token_embd = q8.attn_q = q8.attn_k = q8.attn_v = q8.attn_output = kQ8_0;
  q8.ffn_gate = q8.ffn_up = q8.ffn_down = q8.output = kQ8_0;
  const TempDir dir("gguf-8b");
  const std::string path = dir.file("llama-3.1-8b-q8_0.gguf");
  const GgufModel m = llama_like_gguf(32, 4096, 32, 8, 128, 14336, 128256, false, q8, 131072, 7);
  write_gguf(path, m.metadata, m.tensors);
  const GgufFile f = read_gguf_file(path);
  std::uint64_t bytes = 0;
  for (const GgufTensor& t : f.tensors) bytes += t.bytes;
  CHECK(bytes == 8'532'934'656);
  CHECK(f.tensors.back().name == "output.weight");
  CHECK(f.data_offset + f.tensors.back().offset + f.tensors.back().bytes <= f.file_bytes);
  CHECK(f.get_uint("general.file_type") == std::optional<std::uint64_t>(7));
}

TEST_CASE("gguf: a header larger than the first read is read in growing chunks", "[parse]") {
  // A 150,000-token vocabulary is about 2.6 MB of header, more than the first 1 MiB read.
  std::vector<std::string> tokens;
  for (int k = 0; k < 150'000; ++k) tokens.push_back("token_" + std::to_string(k));
  const TempDir dir("gguf-vocab");
  const std::string path = dir.file("vocab.gguf");
  write_gguf(path, {kv_str("general.architecture", "llama"), kv_strs("tokenizer.ggml.tokens", tokens)},
             {{"token_embd.weight", {4096, 150'000}, kQ8_0}});
  const GgufFile f = read_gguf_file(path);
  CHECK(f.data_offset > (2U << 20));
  CHECK(f.find("tokenizer.ggml.tokens")->count == 150'000);
  CHECK(f.tensors.at(0).bytes == 4096 / 32 * 34 * 150'000ULL);
}

TEST_CASE("gguf: a header needing more than 256 MiB is refused", "[parse]") {
  // One 300 MiB string value, its bytes a hole in a sparse file.
  ByteWriter w;
  w.raw("GGUF").u32(3).u64(0).u64(1).str("general.name").u32(8).u64(300ULL << 20);
  const TempDir dir("gguf-huge-header");
  const std::string path = dir.file("huge.gguf");
  write_sparse(path, w.out, w.out.size() + (300ULL << 20));
  const Error e = error_of([&] { (void)read_gguf_file(path); });
  CHECK(e.code() == ErrorCode::bad_file);
  CHECK(e.where() == path + "@268435456");
  CHECK_THAT(e.what(), Catch::Contains("exceed 256 MiB"));
}

TEST_CASE("gguf: a file cut inside its header is refused as truncated, on disk too", "[parse]") {
  const GgufBuilt g = base();
  const TempDir dir("gguf-cut");
  const std::string path = dir.file("cut.gguf");
  write_file(path, g.bytes.substr(0, 150));
  const Error e = error_of([&] { (void)read_gguf_file(path); });
  CHECK(e.code() == ErrorCode::bad_file);
  CHECK_THAT(e.what(), Catch::Contains("truncated"));
  const Error missing = error_of([&] { (void)read_gguf_file(dir.file("absent.gguf")); });
  CHECK(missing.where() == dir.file("absent.gguf"));
}

TEST_CASE("gguf: every truncation of a valid file is refused", "[parse]") {
  const GgufBuilt g = base();
  // As a whole (short) file: cut in the header, the tensor infos or the data.
  for (std::size_t n = 0; n < g.bytes.size(); ++n) {
    INFO("file of " << n << " bytes");
    const std::string cut = g.bytes.substr(0, n);
    const Error e = error_of([&] { (void)parse_gguf(cut, cut.size(), "g"); });
    CHECK(e.code() == ErrorCode::bad_file);
  }
  // As a prefix of the full file: shorter than the tensor infos is "truncated", and the
  // reader reports that it ran out of bytes; from the end of the infos on, it parses.
  for (std::size_t n = 0; n < g.bytes.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    const std::string prefix = g.bytes.substr(0, n);
    if (n >= 176) {
      CHECK(parse_gguf(prefix, g.bytes.size(), "g").tensors.size() == 2);
    } else {
      const Error e = error_of([&] { (void)parse_gguf(prefix, g.bytes.size(), "g"); });
      CHECK(e.code() == ErrorCode::bad_file);
      CHECK_THAT(e.what(), Catch::StartsWith("truncated: expected"));
    }
  }
}

TEST_CASE("gguf: broken files are refused at the offset of the offending field", "[parse]") {
  const std::uint64_t kHugeFile = 1ULL << 40;  // a file size large enough to reach the fixed caps
  const auto u64_at = [](std::uint64_t at, std::uint64_t v) {
    return patched([=](std::string& b) { put_u64(b, at, v); });
  };
  const auto u32_at = [](std::uint64_t at, std::uint32_t v) {
    return patched([=](std::string& b) { put_u32(b, at, v); });
  };
  const auto one_kv = [](const GgufKv& kv) { return build_gguf({kv}, {{"a", {8}, kF32}}); };
  const GgufBuilt ints = one_kv(kv_u32s("t.arr", {1, 2, 3}));
  const GgufBuilt strs = one_kv(kv_strs("t.tok", {"a", "b"}));
  // Both arrays: element type @41, count @45, first element @53.
  REQUIRE(ints.value_at[0] == 41);
  REQUIRE(strs.value_at[0] == 41);
  const GgufBuilt flag = one_kv(kv_bool("t.flag", true));
  const auto patch = [](GgufBuilt g, auto&& fn) {
    fn(g.bytes);
    return g.bytes;
  };

  std::vector<GgufCase> cases = {
      {"bad magic", patched([](std::string& b) { b.replace(0, 4, "GGUX"); }), 0, "not a GGUF file", 0},
      {"byte-swapped magic", patched([](std::string& b) { b.replace(0, 4, "FUGG"); }), 0, "big-endian", 0},
      {"version 0", u32_at(4, 0), 4, "invalid GGUF version 0", 0},
      {"version 1", u32_at(4, 1), 4, "version 1 is not supported", 0},
      {"version 4", u32_at(4, 4), 4, "newer than this build", 0},
      {"big-endian version 3", u32_at(4, 0x03000000), 4, "byte-swapped", 0},
      {"absurd tensor count 2^40", u64_at(8, 1ULL << 40), 8,
       "tensor count 1099511627776 exceeds what the file can hold", 0},
      {"tensor count 2^64 - 1", u64_at(8, ~0ULL), 8, "exceeds what the file can hold", 0},
      {"tensor count above the cap", u64_at(8, 1'000'001), 8, "exceeds the limit of 1,000,000", kHugeFile},
      {"absurd kv count 2^40", u64_at(16, 1ULL << 40), 16,
       "metadata count 1099511627776 exceeds what the file can hold", 0},
      {"kv count above the cap", u64_at(16, 1'000'001), 16, "exceeds the limit of 1,000,000", kHugeFile},
      {"key length beyond the file", u64_at(24, 10'000), 24, "runs past the end of the file", 0},
      {"key length 2^64 - 1", u64_at(24, ~0ULL), 24, "exceeds the limit of 65,535", 0},
      {"key length 65,536", u64_at(24, 65'536), 24, "exceeds the limit of 65,535", kHugeFile},
      {"empty key", build_gguf({kv_u32("", 1)}, {}).bytes, 24, "empty metadata key", 0},
      {"duplicate key", build_gguf({kv_u32("k", 1), kv_u32("k", 2)}, {}).bytes, 24 + 8 + 1 + 4 + 4,
       "duplicate metadata key 'k'", 0},
      {"unknown value type 13", u32_at(94, 13), 94, "unknown value type 13", 0},
      {"value type 2^32 - 1", u32_at(94, ~0U), 94, "unknown value type 4294967295", 0},
      {"string length beyond the file", u64_at(56, 1000), 56, "runs past the end of the file", 0},
      {"string length above 1 GiB", u64_at(56, (1ULL << 30) + 1), 56, "exceeds the limit of 1,073,741,824",
       kHugeFile},
      {"array count whose size overflows 64 bits",
       patch(ints,
             [](std::string& b) {
               put_u32(b, 41, 10);
               put_u64(b, 45, 1ULL << 61);
             }),
       45, "exceeds the limit", 0},
      {"array count beyond the file", patch(ints, [](std::string& b) { put_u64(b, 45, 1ULL << 29); }), 45,
       "runs past the end of the file", 0},
      {"string array count beyond the file", patch(strs, [](std::string& b) { put_u64(b, 45, 1000); }), 45,
       "runs past the end of the file", 0},
      {"string array element beyond the file", patch(strs, [](std::string& b) { put_u64(b, 53, 1'000'000); }),
       53, "runs past the end of the file", 0},
      {"nested array", patch(ints, [](std::string& b) { put_u32(b, 41, 9); }), 41, "nested arrays", 0},
      {"array of unknown type 13", patch(ints, [](std::string& b) { put_u32(b, 41, 13); }), 41,
       "unknown value type 13", 0},
      {"bool value 2", patch(flag, [&](std::string& b) { b[flag.value_at[0]] = 2; }), flag.value_at[0],
       "bool value 2", 0},
      {"alignment 0", build_gguf({kv_u32("general.alignment", 0)}, {}).bytes, 24 + 8 + 17 + 4,
       "not a power of two", 0},
      {"alignment 3", build_gguf({kv_u32("general.alignment", 3)}, {}).bytes, 24 + 8 + 17 + 4,
       "not a power of two", 0},
      {"alignment given as u64", build_gguf({kv_u64("general.alignment", 32)}, {}).bytes, 24 + 8 + 17 + 4,
       "must be a u32, not u64", 0},
      {"alignment given as a string", build_gguf({kv_str("general.alignment", "32")}, {}).bytes,
       24 + 8 + 17 + 4, "must be a u32, not string", 0},
      {"duplicate tensor name", build_gguf({}, {{"w", {32}, kF32}, {"w", {32}, kF32}}).bytes,
       24 + 8 + 1 + 4 + 8 + 4 + 8, "duplicate tensor name 'w'", 0},
      {"tensor name of 64 bytes", build_gguf({}, {{std::string(64, 'x'), {32}, kF32}}).bytes, 24,
       "tensor name of 64 bytes exceeds the limit of 63", 0},
      {"tensor name length beyond the file", u64_at(102, 40).substr(0, 120), 102,
       "runs past the end of the file", 0},
      {"tensor of 0 dimensions", u32_at(111, 0), 111, "0 dimensions", 0},
      {"tensor of 5 dimensions", u32_at(111, 5), 111, "5 dimensions", 0},
      {"ne product overflowing int64", build_gguf({}, {{"w", {1ULL << 40, 1ULL << 40}, kF32}}).bytes,
       24 + 8 + 1 + 4 + 8, "element count overflows int64", 0},
      {"negative ne", u64_at(115, 1ULL << 63), 115, "dimension 0 is negative", 0},
      {"unknown ggml type 4 (removed Q4_2)", u32_at(131, 4), 131, "unknown ggml type 4", 0},
      {"unknown ggml type 99", u32_at(131, 99), 131, "unknown ggml type 99", 0},
      {"ne[0] not a multiple of the block", build_gguf({}, {{"w", {100, 2}, kQ4_K}}).bytes,
       24 + 8 + 1 + 4 + 16, "not a multiple of q4_k's block of 256", 0},
      {"tensor size overflowing 64 bits", build_gguf({}, {{"w", {1ULL << 31, 1ULL << 31}, kF32}}).bytes,
       24 + 8 + 1 + 4 + 16, "overflows 64 bits", 0},
      {"offset not aligned", u64_at(168, 72), 168, "not a multiple of the alignment 32", 0},
      {"gap between tensors", u64_at(168, 96), 168, "a gap after the previous tensor", 0},
      {"overlapping tensors", u64_at(168, 32), 168, "overlaps the previous tensor", 0},
      {"first tensor not at the data start", u64_at(135, 64), 135, "a gap", 0},
      {"tensor offset 2^64 - 32", u64_at(168, ~0ULL - 31), 168, "a gap", 0},
      {"tensor beyond the end of the file", base().bytes.substr(0, 300), 168, "runs past the end of the file",
       0},
      {"alignment 2^31 pushing the data past the end",
       build_gguf({kv_u32("general.alignment", 1U << 31)}, {{"w", {8}, kF32}}, 3, 32).bytes,
       24 + 8 + 17 + 4 + 4 + 8 + 1 + 4 + 8 + 4, "runs past the end of the file", 0},
  };
  for (const GgufCase& c : cases) {
    INFO(c.what);
    const std::uint64_t file_bytes = c.file_bytes == 0 ? c.bytes.size() : c.file_bytes;
    const Error e = error_of([&] { (void)parse_gguf(c.bytes, file_bytes, "model.gguf"); });
    CHECK(e.code() == ErrorCode::bad_file);
    CHECK(e.where() == "model.gguf@" + std::to_string(c.at));
    CHECK_THAT(e.what(), Catch::Contains(c.message));
    CHECK(e.one_line().find('\n') == std::string::npos);
  }
  CHECK(cases.size() >= 45);
}

TEST_CASE("gguf: split files name all their siblings, which must exist", "[parse]") {
  const TempDir dir("gguf-split");
  for (int k = 1; k <= 3; ++k) write_file(dir.file("m-0000" + std::to_string(k) + "-of-00003.gguf"), "x");
  const std::vector<std::string> expected = {dir.file("m-00001-of-00003.gguf"),
                                             dir.file("m-00002-of-00003.gguf"),
                                             dir.file("m-00003-of-00003.gguf")};
  CHECK(gguf_split_paths(dir.file("m-00002-of-00003.gguf")) == expected);
  CHECK(gguf_split_paths(dir.file("m-00001-of-00003.gguf")) == expected);
  CHECK(gguf_split_paths(dir.file("model.gguf")) == std::vector<std::string>{dir.file("model.gguf")});
  CHECK(gguf_split_paths(dir.file("m-1-of-3.gguf")) == std::vector<std::string>{dir.file("m-1-of-3.gguf")});

  std::filesystem::remove(dir.file("m-00003-of-00003.gguf"));
  const Error missing = error_of([&] { (void)gguf_split_paths(dir.file("m-00001-of-00003.gguf")); });
  CHECK(missing.code() == ErrorCode::bad_file);
  CHECK_THAT(missing.what(), Catch::Contains("split file 3 of 3 is missing"));
  CHECK(error_of([&] { (void)gguf_split_paths(dir.file("m-00000-of-00003.gguf")); }).code() ==
        ErrorCode::bad_file);
  CHECK(error_of([&] { (void)gguf_split_paths(dir.file("m-00004-of-00003.gguf")); }).code() ==
        ErrorCode::bad_file);
  CHECK(error_of([&] { (void)gguf_split_paths(dir.file("m-00001-of-00000.gguf")); }).code() ==
        ErrorCode::bad_file);
}
