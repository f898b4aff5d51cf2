// gpu.hpp — GPUs as the driver sizes them, and whether an estimate fits on N of a kind.
//
// Capacity is what the driver reports as total memory (nvidia-smi memory.total), not the marketed
// number: an RTX 4090 "24 GB" holds 24564 MiB. How a need splits over several GPUs is
// placement.hpp's.
//
//   const GpuSpec& card = catalog.find("rtx-4090");   // card.memory == Bytes{24564 * kMiB}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/units.hpp"

namespace vramest {

struct GpuSpec {
  std::string id;  // lower-kebab, stable
  std::vector<std::string> aliases;
  std::string name;
  std::string vendor;
  std::string segment;  // consumer, workstation, datacenter, apple, embedded
  std::string memory_marketed;
  Bytes memory;  // total as the driver reports it
  std::string memory_note;
  double bandwidth_gb_s = 0;  // 10^9 bytes per second, vendor peak
  std::optional<double> bf16_tflops_dense;
  bool fp8 = false;
  int year = 0;
  bool featured = false;  // shown in summary tables when the user names no GPU
  std::string source;
};

// The most GPUs a request may name (--gpus N) or a placement may span.
inline constexpr std::uint64_t kMaxGpus = 65536;

}  // namespace vramest
