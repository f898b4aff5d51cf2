// gpu_selection.hpp — the GPUs a command is asked about, read once from the flags every command
// shares (--gpu, --gpus, --gpu-memory, --reserve), and the placement of a need on them.
//
// Repeated --gpu means one thing everywhere: a group of cards sharing the model (llama.cpp's
// tensor split, accelerate's device map; vLLM's tensor parallelism, bounded by the smallest).
// --gpus N gives N of the one kind named, or with no --gpu, N unnamed GPUs (per-GPU shares only).
// A --gpu value may be a catalog id or alias, a driver's name ("NVIDIA GeForce RTX 4090"), a
// memory size ("24GB", "24GiB": a card of that size), or `local` / `auto` (the installed GPUs,
// read from nvidia-smi, sized by their free memory).
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "report/report.hpp"
#include "vramest/catalog.hpp"
#include "vramest/placement.hpp"

namespace CLI {
class App;
}

namespace vramest::shell {

struct GpuFlags {
  std::vector<std::string> ids;  // --gpu, repeatable
  std::string count;             // --gpus N
  std::string memory;            // --gpu-memory SIZE: one more card of this size
  std::string reserve;           // --reserve SIZE, per GPU
  bool given() const { return !ids.empty() || !memory.empty(); }
};

// Adds --gpu, --gpus, --gpu-memory and --reserve to a command.
void add_gpu_options(CLI::App& app, GpuFlags& flags, const std::string& gpus_help);

class GpuSelection {
 public:
  GpuSelection(const GpuFlags& flags, const std::string& data_dir);
  GpuSelection(const GpuSelection&) = delete;
  GpuSelection& operator=(const GpuSelection&) = delete;

  bool named() const { return !group_.empty(); }
  const std::vector<const GpuSpec*>& group() const { return group_; }  // one entry per GPU
  // The kinds a fit table lists: each named kind once, else the whole catalog, smallest first.
  const std::vector<const GpuSpec*>& kinds() const { return kinds_; }
  std::uint64_t count() const { return count_; }  // GPUs the placement is over (1 when unnamed)
  Bytes reserve() const { return reserve_; }
  const GpuCatalog& catalog() const { return catalog_; }
  const GpuSpec* first() const { return group_.empty() ? nullptr : group_.front(); }

  // The need placed on the group (or on count() unbounded GPUs), with each kind's fewest.
  // `forced`: exactly this TP x PP layout (vLLM's --tp/--pp), fitting or not.
  report::GpuView place(const Components& need, const ParallelShape& shape, SplitPolicy policy,
                        const Layout* forced = nullptr) const;

 private:
  const GpuSpec& resolve(const std::string& text);
  void add_local_gpus();

  GpuCatalog catalog_;
  std::deque<GpuSpec> own_;  // cards made from sizes or nvidia-smi (stable addresses)
  std::vector<const GpuSpec*> group_;
  std::vector<const GpuSpec*> kinds_;
  std::uint64_t count_ = 1;
  Bytes reserve_;
};

// A memory size as typed on the command line: a number with a unit (24GB, 24GiB, 24576MiB); a
// bare G/M/T is read as GiB/MiB/TiB, as nvidia-smi and most tools print them. Unit-less: an error.
Bytes parse_memory_flag(const std::string& text, std::string_view what);

}  // namespace vramest::shell
