// Output that cannot be written is an error with its own exit code (74), as coreutils treat it;
// sweep -o FILE never leaves an existing file truncated.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/read_text.hpp"

namespace {

int shell(const std::string& command) {
  const int status = std::system(("NO_COLOR=1 VRAMEST_DATA_DIR= " + command).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string kBinary = VRAMEST_BINARY;

}  // namespace

TEST_CASE("output: a full device, a closed stdout and a broken pipe exit 74 with a message",
          "[cli][output]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vramest-output-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string err = (dir / "err").string();
  if (fs::exists("/dev/full")) {
    CHECK(shell(kBinary + " 14B >/dev/full 2>" + err) == 74);
    CHECK_THAT(vramest::test::read_text(err), Catch::Contains("could not write the output"));
  }
  CHECK(shell(kBinary + " 14B >&- 2>" + err) == 74);
  // SIGPIPE ignored, as a service manager or Python's subprocess may leave it: a large output into
  // a pipe whose reader is gone fails with EPIPE.
  CHECK(shell("bash -c \"trap '' PIPE; " + kBinary +
              " sweep --models llama-3.1-8b,qwen3-8b --contexts 1k,2k,4k,8k,16k,32k,64k,128k --batches "
              "1,2,4,8,16,32 "
              "--output jsonl 2>" +
              err + " | true; exit \\${PIPESTATUS[0]}\"") == 74);
  fs::remove_all(dir);
}

TEST_CASE("output: sweep -o writes the whole file or leaves the old one", "[cli][output]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vramest-sweep-out-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "grid.csv";
  std::ofstream(file) << "previous contents\n";
  CHECK(shell(kBinary + " sweep --models llama-3.1-8b --contexts 4k,8k -o " + file.string()) == 0);
  const std::string written = vramest::test::read_text(file.string());
  CHECK(written.rfind("model,engine,precision,", 0) == 0);
  CHECK(std::count(written.begin(), written.end(), '\n') ==
        1 + 2 * 13);  // header + 2 contexts x 13 featured GPUs
  // A directory that cannot take the temporary file: exit 74, and nothing else written.
  CHECK(shell(kBinary + " sweep --models llama-3.1-8b -o " + (dir / "missing" / "grid.csv").string() +
              " 2>/dev/null") == 74);
  // A failed run (an unknown model) leaves the existing file as it was.
  CHECK(shell(kBinary + " sweep --models no-such-model -o " + file.string() + " 2>/dev/null") == 3);
  CHECK(vramest::test::read_text(file.string()) == written);
  for (const auto& entry : fs::directory_iterator(dir)) CHECK(entry.path().filename() == "grid.csv");
  fs::remove_all(dir);
}
