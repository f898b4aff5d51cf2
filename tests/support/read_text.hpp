// read_text.hpp — the whole content of a file the tests wrote or ship (goldens, README, schema).
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace vramest::test {

// Empty when the file cannot be opened; the comparison that follows then fails and names it.
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace vramest::test
