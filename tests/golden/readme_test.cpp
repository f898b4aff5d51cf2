// The README's examples, run: every `vramest ...` command in a ```sh block must run without a
// usage or value error (exit 0, or 1 for "does not fit"), and every example output block
// (```` ``` ```` starting with `$ vramest ...`) must match the real output line by line up to
// its "..." so the README never goes stale.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "support/read_text.hpp"

namespace {

struct Run {
  int exit_code;
  std::string out;
};

// Runs `vramest ARGS` (ARGS as the README writes them, through the shell) from the repository root.
Run run_vramest(const std::string& args) {
  char scratch[] = "/tmp/vramest-readme-XXXXXX";
  const int fd = mkstemp(scratch);
  REQUIRE(fd >= 0);
  close(fd);
  const std::string command =
      "cd " + std::string(VRAMEST_GOLDEN_DIR) +
      "/../.. && NO_COLOR=1 COLUMNS= VRAMEST_DATA_DIR= " + std::string(VRAMEST_BINARY) + " " + args + " >" +
      scratch + " 2>/dev/null";
  const int status = std::system(command.c_str());
  Run r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, vramest::test::read_text(scratch)};
  std::remove(scratch);
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Blocks {
  std::vector<std::string> commands;              // from ```sh blocks
  std::vector<std::vector<std::string>> outputs;  // ``` blocks starting with "$ vramest"
};

Blocks readme_blocks() {
  Blocks blocks;
  const std::vector<std::string> lines =
      lines_of(vramest::test::read_text(std::string(VRAMEST_GOLDEN_DIR) + "/../../README.md"));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("```", 0) != 0) continue;
    const bool shell = lines[i] == "```sh";
    std::vector<std::string> block;
    for (++i; i < lines.size() && lines[i].rfind("```", 0) != 0; ++i) block.push_back(lines[i]);
    if (shell) {
      for (std::string line : block) {
        if (line.rfind("vramest ", 0) != 0) continue;
        const std::size_t comment = line.find("  #");
        if (comment != std::string::npos) line.resize(comment);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        blocks.commands.push_back(line.substr(8));
      }
    } else if (!block.empty() && block.front().rfind("$ vramest ", 0) == 0) {
      blocks.outputs.push_back(block);
    }
  }
  return blocks;
}

}  // namespace

// golden_test.cpp: the model files the README's examples name.
void write_model_files();

TEST_CASE("readme: every example command runs", "[readme]") {
  write_model_files();
  const Blocks blocks = readme_blocks();
  REQUIRE(blocks.commands.size() >= 10);
  for (const std::string& args : blocks.commands) {
    INFO("vramest " << args);
    const Run r = run_vramest(args);
    CHECK((r.exit_code == 0 || r.exit_code == 1));
    CHECK_FALSE(r.out.empty());
  }
}

TEST_CASE("readme: example outputs match the real output up to their ellipsis", "[readme]") {
  const Blocks blocks = readme_blocks();
  REQUIRE(blocks.outputs.size() >= 3);
  for (const std::vector<std::string>& block : blocks.outputs) {
    std::string args = block.front().substr(10);
    const std::size_t pipe = args.find(" &&");
    if (pipe != std::string::npos) args.resize(pipe);
    INFO("vramest " << args);
    const std::vector<std::string> real = lines_of(run_vramest(args).out);
    std::size_t r = 0;
    for (std::size_t b = 1; b < block.size(); ++b) {
      if (block[b] == "...") {
        // skip real lines until the next shown line (or the end)
        if (b + 1 == block.size()) break;
        while (r < real.size() && real[r] != block[b + 1]) ++r;
        continue;
      }
      REQUIRE(r < real.size());
      CHECK(real[r] == block[b]);
      ++r;
    }
  }
}
