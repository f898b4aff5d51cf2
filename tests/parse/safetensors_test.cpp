// Tests of parse/safetensors.hpp: good files round-trip, real checkpoint shapes are read from
// their header alone, and every broken file in the table is refused with bad_file at the right
// JSON pointer or offset.
#include "vramest/parse/safetensors.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/error_of.hpp"
#include "support/model_files.hpp"

using namespace vramest;
using namespace vramest::test;

namespace {

Error st_error(const std::string& bytes) {
  return error_of([&] { (void)parse_safetensors(bytes, bytes.size(), "st"); });
}

// A file whose header is `json` and whose data is `data_bytes` zeros.
std::string with_header(const std::string& json, std::uint64_t data_bytes = 0) {
  return safetensors_from_header(json, data_bytes);
}

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  std::uint64_t begin, std::uint64_t end) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
         std::to_string(begin) + "," + std::to_string(end) + "]}";
}

struct BrokenCase {
  const char* what;
  std::string bytes;
  std::string where;    // exact expected Error::where()
  std::string message;  // a fragment of the message
};

}  // namespace

TEST_CASE("safetensors: a small file round-trips every tensor's dtype, shape and size", "[parse]") {
  const std::vector<StSpec> specs = {
      {"embed", "BF16", {4, 3}}, {"norm", "F32", {3}},      {"cube", "I8", {2, 2, 2}},
      {"packed", "F4", {8}},     {"six", "F6_E2M3", {4}},   {"flag", "BOOL", {}},
      {"empty", "U64", {0}},     {"scale", "F8_E4M3", {5}}, {"wide", "C64", {1, 2}},
  };
  const std::string bytes = safetensors_bytes(specs, true, {{"format", "pt"}});
  const SafetensorsHeader h = parse_safetensors(bytes, bytes.size(), "small.safetensors");

  CHECK(h.file_bytes == bytes.size());
  CHECK(h.header_bytes % 8 == 0);  // the writer pads as the Rust one does
  CHECK(h.metadata == std::map<std::string, std::string>{{"format", "pt"}});
  REQUIRE(h.tensors.size() == specs.size());
  // Written in spec order with contiguous offsets, so sorting by offset gives the same order
  // except the empty tensor, which sorts before the one that starts where it does.
  std::uint64_t total = 0;
  for (const StSpec& spec : specs) {
    const auto it = std::find_if(h.tensors.begin(), h.tensors.end(),
                                 [&](const StTensor& t) { return t.name == std::get<0>(spec); });
    REQUIRE(it != h.tensors.end());
    CHECK(it->dtype == std::get<1>(spec));
    CHECK(it->shape == std::get<2>(spec));
    CHECK(it->bytes() == st_tensor_bytes(spec));
    total += it->bytes();
  }
  CHECK(total == 24 + 12 + 8 + 4 + 3 + 1 + 0 + 5 + 16);
  CHECK(h.file_bytes == 8 + h.header_bytes + total);
  for (std::size_t k = 1; k < h.tensors.size(); ++k) CHECK(h.tensors[k].begin == h.tensors[k - 1].end);

  const auto find = [&](const char* name) {
    return *std::find_if(h.tensors.begin(), h.tensors.end(),
                         [&](const StTensor& t) { return t.name == name; });
  };
  CHECK(find("embed").elements == 12);
  CHECK(find("embed").bytes() == 24);
  CHECK(find("packed").bytes() == 4);  // 8 x 4 bits
  CHECK(find("six").bytes() == 3);     // 4 x 6 bits
  CHECK(find("flag").elements == 1);   // rank 0: one scalar
  CHECK(find("flag").shape.empty());
  CHECK(find("empty").elements == 0);
  CHECK(find("empty").bytes() == 0);
}

TEST_CASE("safetensors: a header with no tensors and right-padding is valid", "[parse]") {
  const std::string bytes = with_header("{}      ");
  const SafetensorsHeader h = parse_safetensors(bytes, bytes.size(), "st");
  CHECK(h.tensors.empty());
  CHECK(h.header_bytes == 8);
}

TEST_CASE("safetensors: dtype sizes are those of the reference implementation", "[parse]") {
  CHECK(safetensors_dtype_bits("BOOL") == 8);
  CHECK(safetensors_dtype_bits("F4") == 4);
  CHECK(safetensors_dtype_bits("F6_E2M3") == 6);
  CHECK(safetensors_dtype_bits("F6_E3M2") == 6);
  CHECK(safetensors_dtype_bits("U8") == 8);
  CHECK(safetensors_dtype_bits("I8") == 8);
  for (const char* f8 : {"F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ"}) {
    CHECK(safetensors_dtype_bits(f8) == 8);
  }
  for (const char* d16 : {"I16", "U16", "F16", "BF16"}) CHECK(safetensors_dtype_bits(d16) == 16);
  for (const char* d32 : {"I32", "U32", "F32"}) CHECK(safetensors_dtype_bits(d32) == 32);
  for (const char* d64 : {"F64", "I64", "U64", "C64"}) CHECK(safetensors_dtype_bits(d64) == 64);
  const Error e = error_of([] { (void)safetensors_dtype_bits("bf16"); });  // names are case-sensitive
  CHECK(e.code() == ErrorCode::bad_file);
}

TEST_CASE("safetensors: a Llama-3.2-1B-shaped file written sparse is read from its header", "[parse]") {
  // Llama-3.2-1B: 16 layers, hidden 2048, 32 heads, 8 KV heads of 64, MLP 8192, vocabulary
  // 128256, tied embeddings: 1,235,814,400 parameters (its model card), 2 bytes each in BF16.
  const TempDir dir("st-1b");
  const std::string path = dir.file("model.safetensors");
  const auto specs = llama_like_safetensors(16, 2048, 32, 8, 64, 8192, 128256, true, "BF16");
  write_safetensors(path, specs);

  const SafetensorsHeader h = read_safetensors_file(path);
  CHECK(h.file_bytes == std::filesystem::file_size(path));
  CHECK(h.tensors.size() == 1 + 16 * 9 + 1);
  std::uint64_t bytes = 0;
  std::uint64_t params = 0;
  for (const StTensor& t : h.tensors) {
    bytes += t.bytes();
    params += t.elements;
  }
  CHECK(params == 1'235'814'400);
  CHECK(bytes == 2'471'628'800);
  CHECK(h.file_bytes == 8 + h.header_bytes + 2'471'628'800);
  const auto k_proj = std::find_if(h.tensors.begin(), h.tensors.end(), [](const StTensor& t) {
    return t.name == "model.layers.0.self_attn.k_proj.weight";
  });
  REQUIRE(k_proj != h.tensors.end());
  CHECK(k_proj->shape == std::vector<std::uint64_t>{512, 2048});
  CHECK(k_proj->dtype == "BF16");
}

TEST_CASE("safetensors: a 16 GB Llama-3.1-8B file whose data is a hole parses from 8 + N bytes", "[parse]") {
  // Llama-3.1-8B: 8,030,261,248 parameters (its model card) = 16,060,522,496 bytes of BF16.
  // The data region is never written: reading it would take seconds, and the parse must not.
  const TempDir dir("st-8b");
  const std::string path = dir.file("model.safetensors");
  write_safetensors(path, llama_like_safetensors(32, 4096, 32, 8, 128, 14336, 128256, false, "BF16"));
  const SafetensorsHeader h = read_safetensors_file(path);
  std::uint64_t bytes = 0;
  for (const StTensor& t : h.tensors) bytes += t.bytes();
  CHECK(bytes == 16'060'522'496);
  CHECK(h.tensors.size() == 1 + 32 * 9 + 2);
  CHECK(h.tensors.front().name == "model.embed_tokens.weight");
  CHECK(h.tensors.back().name == "lm_head.weight");
  CHECK(h.tensors.back().end == 16'060'522'496);
}

TEST_CASE("safetensors: unreadable paths are bad_file naming the path", "[parse]") {
  const TempDir dir("st-missing");
  const Error missing = error_of([&] { (void)read_safetensors_file(dir.file("nope.safetensors")); });
  CHECK(missing.code() == ErrorCode::bad_file);
  CHECK(missing.where() == dir.file("nope.safetensors"));
  const Error directory = error_of([&] { (void)read_safetensors_file(dir.path.string()); });
  CHECK(directory.code() == ErrorCode::bad_file);
}

TEST_CASE("safetensors: a file's own header length is checked before anything is allocated", "[parse]") {
  const TempDir dir("st-huge-n");
  const std::string path = dir.file("model.safetensors");
  ByteWriter w;
  w.u64(~0ULL).raw("{}");
  write_file(path, w.out);
  const Error e = error_of([&] { (void)read_safetensors_file(path); });
  CHECK(e.where() == path + "@0");
  CHECK_THAT(e.what(), Catch::Contains("exceeds the limit"));
}

TEST_CASE("safetensors: every truncation of a valid file is refused", "[parse]") {
  const std::string bytes = safetensors_bytes({{"a", "F16", {2, 3}}, {"b", "F32", {2}}, {"c", "U8", {3}}});
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    const std::string prefix = bytes.substr(0, n);
    CHECK(st_error(prefix).code() == ErrorCode::bad_file);
  }
  // The same prefixes handed over as prefixes of the full-size file: those that hold 8 + N
  // bytes parse, shorter ones are refused as truncated.
  const std::uint64_t header_end = 8 + parse_safetensors(bytes, bytes.size(), "st").header_bytes;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    const std::string prefix = bytes.substr(0, n);
    if (n >= header_end) {
      CHECK(parse_safetensors(prefix, bytes.size(), "st").tensors.size() == 3);
    } else {
      CHECK(error_of([&] { (void)parse_safetensors(prefix, bytes.size(), "st"); }).code() ==
            ErrorCode::bad_file);
    }
  }
}

TEST_CASE("safetensors: broken files are refused at the JSON pointer or offset of the problem", "[parse]") {
  const std::string good =
      "{" + entry("a", "F16", "[2,2]", 0, 8) + "," + entry("b", "F32", "[2]", 8, 16) + "}";
  const std::uint64_t good_n = good.size();
  ByteWriter huge;
  huge.u64(100'000'001).raw("{}");
  ByteWriter too_long;
  too_long.u64(1000).raw("{}");
  ByteWriter max_n;
  max_n.u64(~0ULL).raw("{}");

  const std::vector<BrokenCase> cases = {
      {"shorter than the 8-byte length", "abc", "st@0", "too small"},
      {"header length above 100,000,000", huge.out, "st@0", "exceeds the limit"},
      {"header length 2^64 - 1", max_n.out, "st@0", "exceeds the limit"},
      {"header length beyond the file", too_long.out, "st@0", "runs past the end"},
      {"header not JSON", with_header("{not json}"), "st@10", "not valid JSON"},  // nlohmann stops after "no"
      {"header a JSON array", with_header("[1, 2]"), "st@8", "start with '{'"},
      {"header with leading space", with_header(" {}"), "st@8", "start with '{'"},
      {"header empty", with_header(""), "st@8", "start with '{'"},
      {"header not closed", with_header("{\"a\": {"), "st@15", "not valid JSON"},
      {"invalid UTF-8 in a key", with_header("{\"\xff\": 1}"), "st@10", "not valid JSON"},
      {"number out of range", with_header("{\"a\": 1e999}"), "st", "out of range"},
      {"tensor entry not an object", with_header("{\"w\": 5}"), "st:/w", "expected an object"},
      {"unknown dtype", with_header("{" + entry("w", "BF17", "[2]", 0, 4) + "}", 4), "st:/w/dtype",
       "unknown dtype 'BF17'"},
      {"dtype not a string", with_header(R"({"w": {"dtype": 16, "shape": [2], "data_offsets": [0, 4]}})", 4),
       "st:/w/dtype", "expected a string"},
      {"missing dtype", with_header(R"({"w": {"shape": [2], "data_offsets": [0, 4]}})", 4), "st:/w/dtype",
       "missing"},
      {"missing shape", with_header(R"({"w": {"dtype": "F16", "data_offsets": [0, 4]}})", 4), "st:/w/shape",
       "missing"},
      {"shape not an array", with_header(R"({"w": {"dtype": "F16", "shape": 2, "data_offsets": [0, 4]}})", 4),
       "st:/w/shape", "expected an array"},
      {"negative shape entry", with_header("{" + entry("w", "F16", "[2,-1]", 0, 4) + "}", 4), "st:/w/shape/1",
       "non-negative integer"},
      {"float shape entry", with_header("{" + entry("w", "F16", "[2,1.5]", 0, 4) + "}", 4), "st:/w/shape/1",
       "non-negative integer"},
      {"string shape entry", with_header("{" + entry("w", "F16", "[\"2\"]", 0, 4) + "}", 4), "st:/w/shape/0",
       "non-negative integer"},
      {"nine dimensions", with_header("{" + entry("w", "U8", "[1,1,1,1,1,1,1,1,1]", 0, 1) + "}", 1),
       "st:/w/shape", "at most 8"},
      {"shape product overflowing 64 bits",
       with_header("{" + entry("w", "U8", "[4294967296,4294967296]", 0, 0) + "}"), "st:/w/shape",
       "overflows"},
      {"size in bits overflowing 64 bits",
       with_header("{" + entry("w", "F32", "[4611686018427387904]", 0, 0) + "}"), "st:/w/shape", "overflows"},
      {"F4 tensor of an odd element count", with_header("{" + entry("w", "F4", "[3]", 0, 1) + "}", 1),
       "st:/w/shape", "whole number of bytes"},
      {"missing data_offsets", with_header(R"({"w": {"dtype": "F16", "shape": [2]}})", 4),
       "st:/w/data_offsets", "missing"},
      {"data_offsets of one number",
       with_header(R"({"w": {"dtype": "F16", "shape": [2], "data_offsets": [4]}})", 4), "st:/w/data_offsets",
       "[begin, end]"},
      {"negative data offset",
       with_header(R"({"w": {"dtype": "F16", "shape": [2], "data_offsets": [0, -4]}})", 4),
       "st:/w/data_offsets/1", "non-negative"},
      {"data_offsets begin after end", with_header("{" + entry("w", "F16", "[0]", 8, 4) + "}", 8),
       "st:/w/data_offsets", "after end"},
      {"size not dtype x shape", with_header("{" + entry("w", "BF16", "[2,2]", 0, 6) + "}", 6),
       "st:/w/data_offsets", "needs 8"},
      {"gap between tensors",
       with_header("{" + entry("a", "F16", "[2,2]", 0, 8) + "," + entry("b", "F32", "[2]", 12, 20) + "}", 20),
       "st:/b/data_offsets", "gap of 4 bytes"},
      {"overlapping tensors",
       with_header("{" + entry("a", "F16", "[2,2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", 12),
       "st:/b/data_offsets", "overlaps tensor 'a'"},
      {"two tensors on the same bytes",
       with_header("{" + entry("a", "F16", "[2,2]", 0, 8) + "," + entry("b", "F16", "[4]", 0, 8) + "}", 8),
       "st:/b/data_offsets", "overlaps"},
      {"first tensor not at 0", with_header("{" + entry("a", "F16", "[2,2]", 4, 12) + "}", 12),
       "st:/a/data_offsets", "not 0"},
      {"trailing bytes after the last tensor", with_header(good, 16 + 3),
       "st@" + std::to_string(8 + good_n + 16), "3 trailing bytes"},
      {"data shorter than the tensors", with_header(good, 15), "st@" + std::to_string(8 + good_n + 15),
       "truncated"},
      {"duplicate tensor name",
       with_header("{" + entry("a", "F16", "[2,2]", 0, 8) + "," + entry("a", "F16", "[2,2]", 0, 8) + "}", 8),
       "st:/a", "duplicate key"},
      {"duplicate field inside an entry",
       with_header(R"({"w": {"dtype": "F16", "dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", 4),
       "st:/w/dtype", "duplicate key"},
      {"__metadata__ with a number", with_header(R"({"__metadata__": {"format": "pt", "step": 1}})"),
       "st:/__metadata__/step", "expected a string"},
      {"__metadata__ not an object", with_header(R"({"__metadata__": "pt"})"), "st:/__metadata__",
       "expected an object"},
      {"nesting deeper than a header can", with_header(R"({"w": {"x": [[[[[[[[1]]]]]]]]}})"),
       "st:/w/x/0/0/0/0/0/0", "nested deeper"},
      {"JSON pointer escaping of '/' and '~'",
       with_header("{" + entry("a/b~c", "BF17", "[2]", 0, 4) + "}", 4), "st:/a~1b~0c/dtype", "unknown dtype"},
  };
  for (const BrokenCase& c : cases) {
    INFO(c.what);
    const Error e = st_error(c.bytes);
    CHECK(e.code() == ErrorCode::bad_file);
    CHECK(e.where() == c.where);
    CHECK_THAT(e.what(), Catch::Contains(c.message));
    // One line, whatever the file held.
    CHECK(e.one_line().find('\n') == std::string::npos);
  }
}

TEST_CASE("safetensors: the index of a sharded checkpoint lists its shards", "[parse]") {
  const SafetensorsIndex idx = parse_safetensors_index(R"({
    "metadata": {"total_size": 16060522496, "total_parameters": 8030261248},
    "weight_map": {
      "lm_head.weight": "model-00004-of-00004.safetensors",
      "model.embed_tokens.weight": "model-00001-of-00004.safetensors",
      "model.layers.0.mlp.up_proj.weight": "model-00001-of-00004.safetensors",
      "model.layers.31.mlp.up_proj.weight": "model-00003-of-00004.safetensors",
      "model.norm.weight": "model-00004-of-00004.safetensors",
      "model.layers.20.self_attn.q_proj.weight": "model-00002-of-00004.safetensors"
    }})",
                                                       "model.safetensors.index.json");
  CHECK(idx.total_size == std::optional<std::uint64_t>(16'060'522'496));
  CHECK(idx.weight_map.size() == 6);
  CHECK(idx.shards ==
        std::vector<std::string>{"model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
                                 "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors"});

  const SafetensorsIndex no_meta = parse_safetensors_index(R"({"weight_map": {"w": "a.safetensors"}})", "i");
  CHECK_FALSE(no_meta.total_size.has_value());
  const SafetensorsIndex float_total = parse_safetensors_index(
      R"({"metadata": {"total_size": 1024.0}, "weight_map": {"w": "a.safetensors"}})", "i");
  CHECK(float_total.total_size == std::optional<std::uint64_t>(1024));
}

TEST_CASE("safetensors: index files naming shards outside their directory are refused", "[parse]") {
  const auto index_error = [](const std::string& json) {
    return error_of([&] { (void)parse_safetensors_index(json, "idx.json"); });
  };
  const std::vector<BrokenCase> cases = {
      {"parent directory", "", "idx.json:/weight_map/w", "not a plain file name"},
      {"absolute path", "", "idx.json:/weight_map/w", "not a plain file name"},
      {"backslash", "", "idx.json:/weight_map/w", "not a plain file name"},
      {"empty name", "", "idx.json:/weight_map/w", "not a plain file name"},
      {"drive letter", "", "idx.json:/weight_map/w", "not a plain file name"},
  };
  const std::vector<std::string> shards = {"../evil.safetensors", "/etc/model.safetensors",
                                           "sub\\\\x.safetensors", "", "C:x.safetensors"};
  for (std::size_t k = 0; k < cases.size(); ++k) {
    INFO(cases[k].what);
    const Error e = index_error(R"({"weight_map": {"ok": "a.safetensors", "w": ")" + shards[k] + R"("}})");
    CHECK(e.code() == ErrorCode::bad_file);
    CHECK(e.where() == cases[k].where);
    CHECK_THAT(e.what(), Catch::Contains(cases[k].message));
  }
  CHECK(index_error(R"({"metadata": {}})").where() == "idx.json:/weight_map");
  CHECK(index_error(R"({"weight_map": []})").where() == "idx.json:/weight_map");
  CHECK(index_error(R"({"weight_map": {}})").where() == "idx.json:/weight_map");
  CHECK(index_error(R"({"weight_map": {"w": 3}})").where() == "idx.json:/weight_map/w");
  CHECK(index_error(R"({"metadata": {"total_size": -1}, "weight_map": {"w": "a"}})").where() ==
        "idx.json:/metadata/total_size");
  CHECK(index_error(R"({"metadata": {"total_size": 1.5}, "weight_map": {"w": "a"}})").where() ==
        "idx.json:/metadata/total_size");
  CHECK(index_error(R"({"metadata": [], "weight_map": {"w": "a"}})").where() == "idx.json:/metadata");
  CHECK(index_error(R"([])").where() == "idx.json:");
  CHECK(index_error(R"({"weight_map": {"w": "a", "w": "b"}})").where() == "idx.json:/weight_map/w");
  CHECK(index_error("{").code() == ErrorCode::bad_file);
}
