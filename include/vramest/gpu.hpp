// gpu.hpp — GPUs as the driver sizes them, and whether an estimate fits on N of a kind.
//
// Capacity is what the driver reports as total memory (nvidia-smi memory.total), not the marketed
// number: an RTX 4090 "24 GB" holds 24564 MiB. A need fits N GPUs when need/N fits each, which
// for N > 1 means splitting the model with tensor or pipeline parallelism:
//
//   GpuFit f = fit_on(spec, Bytes{36'400'000'000}, 1);   // A100-40GB: count 1, fits
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

struct GpuFit {
  const GpuSpec* gpu = nullptr;
  std::uint64_t count = 0;      // fewest GPUs of this kind that hold the need
  std::uint64_t requested = 1;  // how many the user has (--gpus)
  bool fits = false;            // count <= requested
};

// Fewest GPUs of `capacity` each that hold `need` split evenly (at least one).
inline std::uint64_t gpus_needed(Bytes need, Bytes capacity) {
  if (capacity.count == 0) throw Error(ErrorCode::bad_file, "a GPU with zero memory");
  return need.count == 0 ? 1 : ceil_div(need.count, capacity.count);
}

inline GpuFit fit_on(const GpuSpec& gpu, Bytes need, std::uint64_t requested) {
  const std::uint64_t count = gpus_needed(need, gpu.memory);
  return GpuFit{&gpu, count, requested, count <= requested};
}

// Fit of a need split over GPUs where part of it is sharded (weights, KV cache, activations with
// tensor parallelism) and part repeats on every GPU (CUDA context, workspaces). count 0: no number
// of GPUs holds it (the per-GPU part alone exceeds the memory).
inline GpuFit fit_split(const GpuSpec& gpu, Bytes sharded, Bytes per_gpu, std::uint64_t requested) {
  GpuFit fit{&gpu, 0, requested, false};
  if (per_gpu >= gpu.memory) return fit;
  const std::uint64_t room = gpu.memory.count - per_gpu.count;
  fit.count = sharded.count == 0 ? 1 : ceil_div(sharded.count, room);
  fit.fits = fit.count <= requested;
  return fit;
}

// A GPU count as typed (--gpus N): a whole number from 1 to kMaxGpus.
inline constexpr std::uint64_t kMaxGpus = 65536;

inline std::uint64_t parse_gpu_count(std::string_view text) {
  std::uint64_t count = 0;
  for (const char c : text) {
    if (c < '0' || c > '9' || count > kMaxGpus) {
      throw Error(ErrorCode::invalid_value, "invalid GPU count '" + std::string(text) + "'",
                  "expected a whole number from 1 to 65536");
    }
    count = count * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (text.empty() || count == 0 || count > kMaxGpus) {
    throw Error(ErrorCode::invalid_value, "invalid GPU count '" + std::string(text) + "'",
                "expected a whole number from 1 to 65536");
  }
  return count;
}

}  // namespace vramest
