// fuzz_safetensors.cpp — libFuzzer target: arbitrary bytes through parse_safetensors, and the
// same bytes as a model.safetensors.index.json through parse_safetensors_index.
//
// Refusal must be a vramest::Error; anything else (another exception, a crash, a sanitizer
// report, a hang) is a bug. An accepted header must tile the data section exactly, and an
// accepted index must name only plain file names; both are checked with traps.
//
//   fuzz/run.sh 30      # builds with clang and runs this target for 30 s (see fuzz/CMakeLists.txt)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vramest/parse/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const vramest::SafetensorsHeader h = vramest::parse_safetensors(bytes, size, "fuzz");
    std::uint64_t expected = 0;
    for (const vramest::StTensor& t : h.tensors) {
      if (t.begin != expected || t.end < t.begin) __builtin_trap();
      if (t.bytes() != t.elements * vramest::safetensors_dtype_bits(t.dtype) / 8) __builtin_trap();
      expected = t.end;
    }
    if (8 + h.header_bytes + expected != size) __builtin_trap();
  } catch (const vramest::Error&) {
  }
  try {
    const vramest::SafetensorsIndex index = vramest::parse_safetensors_index(bytes, "fuzz");
    for (const std::string& shard : index.shards) {
      if (shard.empty() || shard.find('/') != std::string::npos || shard.find("..") != std::string::npos) {
        __builtin_trap();
      }
    }
  } catch (const vramest::Error&) {
  }
  return 0;
}
