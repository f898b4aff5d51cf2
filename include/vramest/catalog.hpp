// catalog.hpp — the GPU catalog: lookup by id or alias, case-insensitive, with "did you mean".
//
// The catalog is filled from data/gpus.json (embedded in the binary) and optionally a user's own
// file on top, whose entries replace built-in ones with the same id:
//
//   GpuCatalog catalog = ...;                       // see io/json.hpp
//   const GpuSpec& gpu = catalog.find("RTX-4090");  // throws invalid_value with a hint if unknown
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/gpu.hpp"
#include "vramest/suggest.hpp"

namespace vramest {

class GpuCatalog {
 public:
  GpuCatalog() = default;
  explicit GpuCatalog(std::vector<GpuSpec> gpus) : gpus_(std::move(gpus)) { sort(); }

  const std::vector<GpuSpec>& all() const { return gpus_; }

  const GpuSpec* try_find(std::string_view name) const {
    const std::string key = to_lower(name);
    for (const GpuSpec& gpu : gpus_) {
      if (gpu.id == key) return &gpu;
      if (std::find(gpu.aliases.begin(), gpu.aliases.end(), key) != gpu.aliases.end()) return &gpu;
    }
    return nullptr;
  }

  const GpuSpec& find(std::string_view name) const {
    if (const GpuSpec* gpu = try_find(name)) return *gpu;
    std::vector<std::string> names;
    for (const GpuSpec& gpu : gpus_) {
      names.push_back(gpu.id);
      names.insert(names.end(), gpu.aliases.begin(), gpu.aliases.end());
    }
    std::string hint = did_you_mean(name, names);
    if (hint.empty()) hint = "'vramest gpus' lists the catalog";
    throw Error(ErrorCode::invalid_value, "unknown GPU '" + std::string(name) + "'", hint);
  }

  // Adds `extra` on top: an entry with an existing id replaces it.
  void merge(std::vector<GpuSpec> extra) {
    for (GpuSpec& gpu : extra) {
      auto same = std::find_if(gpus_.begin(), gpus_.end(),
                               [&](const GpuSpec& g) { return g.id == gpu.id; });
      if (same != gpus_.end()) *same = std::move(gpu);
      else gpus_.push_back(std::move(gpu));
    }
    sort();
  }

 private:
  void sort() {
    std::sort(gpus_.begin(), gpus_.end(),
              [](const GpuSpec& a, const GpuSpec& b) { return a.id < b.id; });
  }

  std::vector<GpuSpec> gpus_;
};

}  // namespace vramest
