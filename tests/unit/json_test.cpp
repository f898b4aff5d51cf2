#include "vramest/io/json.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "vramest/io/text_file.hpp"
#include "vramest/rule.hpp"

using namespace vramest;

namespace {

std::string where_of(std::string_view text) {
  try {
    (void)gpus_from_json(text, "gpus.json");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::bad_file);
    return e.where();
  }
  FAIL("accepted");
  return {};
}

}  // namespace

TEST_CASE("json: malformed GPU catalogs name the JSON pointer of the problem", "[json]") {
  CHECK(where_of("{") == "gpus.json");
  CHECK(where_of("[]") == "gpus.json:");
  CHECK(where_of(R"({"gpus": []})") == "gpus.json:/schema_version");
  // 2^32 + 1 once narrowed to int silently and read as schema_version 1.
  CHECK(where_of(R"({"schema_version": 4294967297, "gpus": []})") == "gpus.json:/schema_version");
  CHECK(where_of(R"({"schema_version": 2, "gpus": []})") == "gpus.json:/schema_version");
  CHECK(where_of(R"({"schema_version": 1})") == "gpus.json:/gpus");
  CHECK(where_of(R"({"schema_version": 1, "gpus": [{"id": "x", "name": "X"}]})") ==
        "gpus.json:/gpus/0/memory_bytes");
  CHECK(where_of(R"({"schema_version": 1, "gpus": [{"id": "x", "name": "X", "memory_bytes": -5}]})") ==
        "gpus.json:/gpus/0/memory_bytes");
  CHECK(where_of(R"({"schema_version": 1, "gpus": [{"id": "x", "name": "X", "memory_bytes": 0}]})") ==
        "gpus.json:/gpus/0/memory_bytes");
  CHECK(where_of(R"({"schema_version": 1, "gpus": [{"id": 7, "name": "X", "memory_bytes": 1}]})") ==
        "gpus.json:/gpus/0/id");
  CHECK(
      where_of(
          R"({"schema_version": 1, "gpus": [{"id": "x", "name": "X", "memory_bytes": 1, "aliases": [1]}]})") ==
      "gpus.json:/gpus/0/aliases/0");
}

TEST_CASE("json: a minimal user GPU needs only id, name and memory_bytes", "[json]") {
  const auto gpus = gpus_from_json(
      R"({"schema_version": 1, "gpus": [{"id": "lab-card", "name": "Lab card", "memory_bytes": 1000}]})",
      "mine");
  REQUIRE(gpus.size() == 1);
  CHECK(gpus[0].memory.count == 1000);
  CHECK_FALSE(gpus[0].bf16_tflops_dense.has_value());
}

TEST_CASE("json: an estimate has every field of the contract, sizes in integer bytes", "[json]") {
  const Estimate e = rule_estimate(ModelRef{"14B", 14'000'000'000ULL, 14'000'000'000ULL, "parameter count"},
                                   Mode::inference, find_precision("fp16"), {});
  const nlohmann::ordered_json j = estimate_to_json(e);
  for (const char* key : {"model", "mode", "method", "precision", "context", "batch", "components",
                          "total_bytes", "range", "basis"}) {
    INFO(key);
    CHECK(j.contains(key));
  }
  CHECK(j["components"].size() == 7);
  CHECK(j["total_bytes"].get<std::uint64_t>() == 33'600'000'000ULL);
  CHECK(j["range"]["high_bytes"].get<std::uint64_t>() == 36'400'000'000ULL);
  CHECK(j["context"].is_null());
}

TEST_CASE("json: an error object carries code, message and exit code", "[json]") {
  const auto j = error_to_json(Error(ErrorCode::invalid_value, "unknown GPU 'x'", "did you mean 'y'?"));
  CHECK(j["schema_version"] == kJsonSchemaVersion);
  CHECK(j["error"]["code"] == "invalid_value");
  CHECK(j["error"]["exit_code"] == 3);
  CHECK(j["error"]["message"] == "unknown GPU 'x' (did you mean 'y'?)");
}

TEST_CASE("json: text files are read whole up to 64 MiB and refused beyond, never read unbounded", "[json]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vramest-text-file-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path small = dir / "config.json";
  std::ofstream(small) << "{\"a\": 1}";
  CHECK(vramest::read_text_file(small.string()) == "{\"a\": 1}");
  const fs::path big = dir / "big.json";
  std::ofstream(big).close();
  fs::resize_file(big, vramest::kMaxTextFileBytes + 1);  // sparse: no disk cost
  try {
    (void)vramest::read_text_file(big.string());
    FAIL("read a file over the limit");
  } catch (const vramest::Error& e) {
    CHECK(e.code() == vramest::ErrorCode::bad_file);
    CHECK_THAT(e.one_line(), Catch::Contains("larger than 64 MiB"));
  }
  fs::remove_all(dir);
}
