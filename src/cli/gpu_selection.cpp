#include "cli/gpu_selection.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>

#include "catalog_data.hpp"
#include "cli/values.hpp"
#include "vramest/param_count.hpp"

namespace vramest::shell {
namespace {

// A GPU too large to run out of (64 TiB: 65536 of them still sum within 64 bits): the target of
// --gpus N without --gpu, which asks for per-GPU shares only.
const GpuSpec& unbounded_gpu() {
  static const GpuSpec gpu{"any", {}, "any GPU", "",    "", "",    Bytes{1ULL << 46},
                           "",    0,  {},        false, 0,  false, ""};
  return gpu;
}

bool looks_like_size(const std::string& text) {
  return !text.empty() && text.front() >= '0' && text.front() <= '9' &&
         text.find_first_not_of("0123456789. ") != std::string::npos;
}

// "24G" -> "24 GiB": how a size without an explicit decimal or binary unit was read.
std::string reading_of(const std::string& text, Bytes bytes) {
  const std::string unit = to_lower(text.substr(text.find_last_of("0123456789. ") + 1));
  if (unit == "g" || unit == "m" || unit == "t" || unit == "k") {
    return text + " read as " + std::to_string(bytes.count / kMiB) + " MiB";
  }
  return text;
}

}  // namespace

Bytes parse_memory_flag(const std::string& text, std::string_view what) {
  try {
    return memory_size(text);
  } catch (const Error& e) {
    throw Error(e.code(), std::string(what) + ": " + e.what(), e.hint());
  }
}

void add_gpu_options(CLI::App& app, GpuFlags& flags, const std::string& gpus_help) {
  app.add_option("--gpu", flags.ids,
                 "A GPU: catalog id, driver name, a size (24GB) or local (nvidia-smi); repeat for a group "
                 "sharing the model; exit 1 if it does not fit")
      ->type_name("ID");
  app.add_option("--gpus,--num-gpus", flags.count, gpus_help)->type_name("N");
  app.add_option("--gpu-memory", flags.memory,
                 "A card not in the catalog, by its memory: 24GiB, 80GB, 24576MiB")
      ->type_name("SIZE");
  app.add_option("--reserve", flags.reserve,
                 "Memory per GPU taken by a display or other processes, e.g. 1GiB")
      ->type_name("SIZE");
}

GpuSelection::GpuSelection(const GpuFlags& flags, const std::string& data_dir)
    : catalog_(load_gpu_catalog(data_dir)) {
  reserve_ = flags.reserve.empty() ? Bytes{0} : parse_memory_flag(flags.reserve, "--reserve");
  const std::uint64_t count = flags.count.empty() ? 1 : gpu_count(flags.count);
  std::vector<const GpuSpec*> named;
  for (const std::string& id : flags.ids) {
    const std::string lower = to_lower(id);
    if (lower == "local" || lower == "auto") {
      add_local_gpus();
      continue;
    }
    named.push_back(&resolve(id));
  }
  if (!flags.memory.empty()) {
    const Bytes memory = parse_memory_flag(flags.memory, "--gpu-memory");
    own_.push_back(GpuSpec{"custom",
                           {},
                           "a card with " + reading_of(flags.memory, memory),
                           "",
                           "",
                           flags.memory,
                           memory,
                           "",
                           0,
                           {},
                           false,
                           0,
                           false,
                           "--gpu-memory"});
    named.push_back(&own_.back());
  }
  const bool local = !group_.empty();
  if (local && !flags.count.empty()) {
    throw Error(ErrorCode::usage, "--gpus with --gpu local",
                "the installed GPUs are counted by nvidia-smi; drop --gpus");
  }
  if (!flags.count.empty() && named.size() + (local ? 1 : 0) > 1) {
    throw Error(ErrorCode::usage, "--gpus counts one kind of card",
                "repeat --gpu for a group of mixed cards");
  }
  for (const GpuSpec* gpu : named) {
    for (std::uint64_t i = 0; i < (named.size() == 1 ? count : 1); ++i) group_.push_back(gpu);
  }
  if (group_.empty()) {
    count_ = count;
    for (const GpuSpec& gpu : catalog_.all()) kinds_.push_back(&gpu);
    // Smallest memory first, the order a buyer reads a fit table in.
    std::stable_sort(kinds_.begin(), kinds_.end(),
                     [](const GpuSpec* a, const GpuSpec* b) { return a->memory < b->memory; });
    return;
  }
  count_ = group_.size();
  for (const GpuSpec* gpu : group_) {
    if (std::find(kinds_.begin(), kinds_.end(), gpu) == kinds_.end()) kinds_.push_back(gpu);
  }
}

const GpuSpec& GpuSelection::resolve(const std::string& text) {
  if (const GpuSpec* gpu = catalog_.try_find(text)) return *gpu;
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos) {
    (void)parse_memory_flag(text, "--gpu");  // a bare number: "has no unit"
  }
  if (looks_like_size(text)) {
    const Bytes memory = parse_memory_flag(text, "--gpu");
    own_.push_back(GpuSpec{"custom-" + to_lower(text),
                           {},
                           "a card with " + reading_of(text, memory),
                           "",
                           "",
                           text,
                           memory,
                           "",
                           0,
                           {},
                           false,
                           0,
                           false,
                           "--gpu " + text});
    return own_.back();
  }
  return catalog_.find(text);  // throws with "did you mean"
}

// nvidia-smi's CSV (name, total MiB, free MiB per GPU): the installed cards, sized by what is free.
void GpuSelection::add_local_gpus() {
  const char* command =
      "nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command, "r"), pclose);
  std::string text;
  if (pipe) {
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0 && text.size() < (1U << 20))
      text.append(buffer, n);
  }
  const int status = pipe ? pclose(pipe.release()) : -1;
  if (status != 0 || text.empty()) {
    throw Error(ErrorCode::bad_file, "--gpu local: nvidia-smi is not installed or found no GPU",
                "name the GPU instead: --gpu rtx-4090, or --gpu 24GB");
  }
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(' ') == std::string::npos) continue;
    const std::size_t c1 = line.find(',');
    const std::size_t c2 = c1 == std::string::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string::npos)
      throw Error(ErrorCode::bad_file, "--gpu local: unexpected nvidia-smi line '" + line + "'");
    const auto field = [&](std::size_t from, std::size_t to) {
      std::string f = line.substr(from, to - from);
      f.erase(0, f.find_first_not_of(' '));
      f.erase(f.find_last_not_of(' ') + 1);
      return f;
    };
    const std::string name = field(0, c1);
    const auto mib = [&](const std::string& f) {
      try {
        return Bytes{checked_mul(token_count(f, "nvidia-smi memory", 1ULL << 40), kMiB)};
      } catch (const Error&) {
        throw Error(ErrorCode::bad_file, "--gpu local: unexpected nvidia-smi memory '" + f + "'");
      }
    };
    const Bytes total = mib(field(c1 + 1, c2));
    const Bytes free = mib(field(c2 + 1, line.size()));
    const GpuSpec* known = catalog_.try_find(name);
    GpuSpec gpu = known ? *known : GpuSpec{};
    gpu.id = "local-" + std::to_string(group_.size());
    gpu.name = name + " (" + std::to_string(free.count / kMiB) + " of " + std::to_string(total.count / kMiB) +
               " MiB free)";
    gpu.memory = free;
    gpu.memory_note = "free memory reported by nvidia-smi";
    gpu.featured = false;
    own_.push_back(std::move(gpu));
    group_.push_back(&own_.back());
  }
  if (group_.empty()) throw Error(ErrorCode::bad_file, "--gpu local: nvidia-smi listed no GPU");
}

report::GpuView GpuSelection::place(const Components& need, const ParallelShape& shape, SplitPolicy policy,
                                    const Layout* forced) const {
  report::GpuView view;
  view.named = named();
  view.reserve = reserve_;
  view.group = group_;
  for (const GpuSpec* kind : kinds_)
    view.kinds.push_back(fewest_of_kind(need, shape, policy, *kind, reserve_));
  const GpuGroup group = named() ? GpuGroup{group_, reserve_}
                                 : GpuGroup{std::vector<const GpuSpec*>(count_, &unbounded_gpu()), Bytes{0}};
  view.placement = forced ? placement_detail::tensor_parallel(need, shape, group, forced->tp, forced->pp)
                          : vramest::place(need, shape, policy, group);
  return view;
}

}  // namespace vramest::shell
