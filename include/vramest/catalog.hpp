// catalog.hpp — the GPU and model catalogs: lookup by id, alias or Hugging Face name,
// case-insensitive, with "did you mean".
//
// Catalogs are filled from data/gpus.json and data/models.json (embedded in the binary) and
// optionally a user's own files on top, whose entries replace built-in ones with the same id:
//
//   GpuCatalog gpus = ...;                                  // see io/json.hpp
//   const GpuSpec& gpu = gpus.find("RTX-4090");             // throws invalid_value with a hint
//   const ModelEntry& m = models.find("meta-llama/Llama-3.1-8B");
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/gpu.hpp"
#include "vramest/suggest.hpp"

namespace vramest {

// A catalog model: its names, its published counts, and its config.json fields (as JSON text,
// parsed only when the model is used: parse/hf_config.hpp).
struct ModelEntry {
  std::string id;     // short lower-kebab id ("llama-3.1-8b")
  std::string hf_id;  // Hugging Face repository ("meta-llama/Llama-3.1-8B")
  std::vector<std::string> aliases;
  std::string family;
  std::uint64_t params = 0;
  std::uint64_t active_params = 0;
  std::string params_evidence;
  std::uint64_t context_length = 0;
  bool multimodal = false;
  std::string source;
  std::string config_json;
};

// Every name an entry answers to, lower-cased, its id first.
inline std::vector<std::string> entry_names(const GpuSpec& gpu) {
  std::vector<std::string> names{gpu.id};
  for (const std::string& alias : gpu.aliases) names.push_back(to_lower(alias));
  names.push_back(to_lower(gpu.name));
  return names;
}

inline std::vector<std::string> entry_names(const ModelEntry& model) {
  std::vector<std::string> names{model.id, to_lower(model.hf_id)};
  for (const std::string& alias : model.aliases) names.push_back(to_lower(alias));
  return names;
}

// The keys a typed name is looked up by, in order. GPUs are also found by the names drivers print
// (`nvidia-smi --query-gpu=name`: "NVIDIA GeForce RTX 4090", "NVIDIA H100 80GB HBM3",
// "Tesla T4"): spaces and underscores read as '-', a leading "NVIDIA" is dropped.
inline std::vector<std::string> lookup_keys(std::string_view name, const ModelEntry*) {
  return {to_lower(name)};
}

inline std::vector<std::string> lookup_keys(std::string_view name, const GpuSpec*) {
  std::vector<std::string> keys{to_lower(name)};
  std::string dashed;
  for (const char c : keys.front()) {
    const char d = c == ' ' || c == '_' ? '-' : c;
    if (d == '-' && (dashed.empty() || dashed.back() == '-')) continue;
    dashed += d;
  }
  while (!dashed.empty() && dashed.back() == '-') dashed.pop_back();
  if (dashed != keys.front()) keys.push_back(dashed);
  if (dashed.rfind("nvidia-", 0) == 0) keys.push_back(dashed.substr(7));
  return keys;
}

// Entries sorted by id, found by any of their names, case-insensitively.
template <typename Entry>
class Catalog {
 public:
  Catalog() = default;
  Catalog(std::vector<Entry> entries, std::string kind, std::string list_command)
      : entries_(std::move(entries)), kind_(std::move(kind)), list_command_(std::move(list_command)) {
    sort();
  }

  const std::vector<Entry>& all() const { return entries_; }

  const Entry* try_find(std::string_view name) const {
    for (const std::string& key : lookup_keys(name, static_cast<const Entry*>(nullptr))) {
      for (const Entry& entry : entries_) {
        for (const std::string& candidate : entry_names(entry)) {
          if (candidate == key) return &entry;
        }
      }
    }
    return nullptr;
  }

  const Entry& find(std::string_view name) const {
    if (const Entry* entry = try_find(name)) return *entry;
    std::vector<std::string> names;
    for (const Entry& entry : entries_) {
      for (std::string& candidate : entry_names(entry)) names.push_back(std::move(candidate));
    }
    std::string hint = did_you_mean(name, names);
    if (hint.empty()) hint = "'" + list_command_ + "' lists the catalog";
    throw Error(ErrorCode::invalid_value, "unknown " + kind_ + " '" + std::string(name) + "'", hint);
  }

  // Adds `extra` on top: an entry with an existing id replaces it.
  void merge(std::vector<Entry> extra) {
    for (Entry& entry : extra) {
      auto same =
          std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.id == entry.id; });
      if (same != entries_.end())
        *same = std::move(entry);
      else
        entries_.push_back(std::move(entry));
    }
    sort();
  }

 private:
  void sort() {
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.id < b.id; });
  }

  std::vector<Entry> entries_;
  std::string kind_;
  std::string list_command_;
};

class GpuCatalog : public Catalog<GpuSpec> {
 public:
  GpuCatalog() = default;
  explicit GpuCatalog(std::vector<GpuSpec> gpus) : Catalog(std::move(gpus), "GPU", "vramest gpus") {}
};

class ModelCatalog : public Catalog<ModelEntry> {
 public:
  ModelCatalog() = default;
  explicit ModelCatalog(std::vector<ModelEntry> models)
      : Catalog(std::move(models), "model", "vramest models") {}
};

}  // namespace vramest
