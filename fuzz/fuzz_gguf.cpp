// fuzz_gguf.cpp — libFuzzer target: arbitrary bytes through parse_gguf.
//
// The parser may refuse an input only with vramest::Error; any other exception, crash,
// sanitizer report or hang is a bug. An accepted input must also keep the promises a GgufFile
// makes (tensors inside the file, strictly sequential and aligned), checked here with traps.
//
//   fuzz/run.sh 30      # builds with clang and runs this target for 30 s (see fuzz/CMakeLists.txt)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vramest/parse/gguf.hpp"

namespace {

void check_invariants(const vramest::GgufFile& f, std::uint64_t file_bytes) {
  if (f.alignment == 0 || (f.alignment & (f.alignment - 1)) != 0) __builtin_trap();
  if (f.data_offset % f.alignment != 0) __builtin_trap();
  std::uint64_t expected = 0;
  for (const vramest::GgufTensor& t : f.tensors) {
    if (t.name.size() > vramest::kGgufMaxTensorNameBytes) __builtin_trap();
    if (t.ne.empty() || t.ne.size() > vramest::kGgufMaxDims) __builtin_trap();
    if (t.offset != expected) __builtin_trap();
    __extension__ using u128 = unsigned __int128;
    if (static_cast<u128>(f.data_offset) + t.offset + t.bytes > file_bytes) __builtin_trap();
    expected = (t.offset + t.bytes + f.alignment - 1) / f.alignment * f.alignment;
  }
  // The accessors must be total on whatever metadata was accepted.
  for (const auto& [key, value] : f.metadata) {
    if (key.empty()) __builtin_trap();
    (void)f.get_uint(key);
    (void)f.get_string(key);
    if (value.type == vramest::GgufType::array && value.ints.size() > value.count) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    check_invariants(vramest::parse_gguf(bytes, size, "fuzz"), size);
  } catch (const vramest::Error&) {
  }
  // The same bytes as the prefix of a larger file, as read_gguf_file hands them over: counts
  // and lengths are then judged against the file while reads stop at the prefix.
  try {
    const std::uint64_t file_bytes = size + (std::uint64_t{1} << 32);
    check_invariants(vramest::parse_gguf(bytes, file_bytes, "fuzz"), file_bytes);
  } catch (const vramest::Error&) {
  }
  return 0;
}
