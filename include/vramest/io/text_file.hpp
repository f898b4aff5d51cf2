// text_file.hpp — reads a whole JSON text file (config.json, a safetensors index, a catalog).
// Bounded: a path that names a checkpoint or a device (/dev/zero) gets an error, not an
// unbounded read. DeepSeek-V3's index, among the largest, is about 9 MB.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "vramest/error.hpp"
#include "vramest/units.hpp"

namespace vramest {

inline constexpr std::uint64_t kMaxTextFileBytes = 64 * kMiB;

inline std::string read_text_file(const std::string& path) {
  std::error_code ec;
  // A FIFO would block the read forever; a directory reads as nothing.
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::bad_file, "not a regular file", {}, path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::bad_file, "cannot open file", {}, path);
  std::string text;
  char chunk[64 * 1024];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    const auto got = static_cast<std::uint64_t>(in.gcount());
    if (text.size() + got > kMaxTextFileBytes) {
      throw Error(
          ErrorCode::bad_file,
          "larger than " + std::to_string(kMaxTextFileBytes / kMiB) + " MiB, too large for a JSON text file",
          {}, path);
    }
    text.append(chunk, got);
  }
  if (in.bad()) throw Error(ErrorCode::bad_file, "cannot read file", {}, path);
  return text;
}

}  // namespace vramest
