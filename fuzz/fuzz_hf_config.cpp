// fuzz_hf_config.cpp — libFuzzer target: arbitrary bytes as a config.json, through
// parse_json_document, arch_from_hf_config and the parameter count the estimate starts from.
//
// Refusal must be a vramest::Error; anything else (another exception, a crash, a sanitizer
// report, a hang) is a bug.
//
//   fuzz/run.sh 30      # builds with clang and runs this target for 30 s (see fuzz/CMakeLists.txt)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vramest/io/json.hpp"
#include "vramest/model.hpp"
#include "vramest/parse/hf_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const vramest::ModelArch arch =
        vramest::arch_from_hf_config(vramest::parse_json_document(text, "fuzz"), "config.json");
    const vramest::ParamCounts counts = vramest::count_params(arch);
    if (counts.active > counts.total) __builtin_trap();
  } catch (const vramest::Error&) {
  }
  return 0;
}
