// io/json.hpp — reading catalogs from JSON and writing results as JSON (the --json interface).
//
// The only core header that sees nlohmann/json. Reading checks every field's presence and type
// and names the offending JSON pointer; writing keeps the contract's key order:
//
//   std::vector<GpuSpec> gpus = gpus_from_json(text, "data/gpus.json");
//   nlohmann::ordered_json doc = estimate_to_json(estimate);
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vramest/catalog.hpp"
#include "vramest/error.hpp"
#include "vramest/estimate.hpp"
#include "vramest/gpu.hpp"

namespace vramest {

// Version of the --json output. Bump it on any change that could break a consumer.
// 2: total_bytes and components are summed over every GPU of the placement (they were one GPU's
// in training, one model's in inference); per_gpu_bytes and "placement" in every estimate; sweep
// rows carry gpu_count, layout and per_gpu_bytes.
// 3: kv_cache bytes are the attention cache plus recurrent state (Mamba, linear attention,
// convolution layers) plus an encoder-decoder's cross-attention cache, with recurrent_layers,
// state_bytes and cross_attention_bytes; "warnings" in estimate, training, fit and inspect
// documents; inspect's architecture has family and layer_kinds.
inline constexpr int kJsonSchemaVersion = 3;

namespace json_detail {

inline Error bad_field(std::string_view origin, const std::string& pointer, const std::string& what) {
  return Error(ErrorCode::bad_file, what, {}, std::string(origin) + ":" + pointer);
}

template <typename T>
T field(const nlohmann::json& object, const char* key, std::string_view origin, const std::string& pointer) {
  const std::string at = pointer + "/" + key;
  const auto it = object.find(key);
  if (it == object.end()) throw bad_field(origin, at, "missing field");
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) throw bad_field(origin, at, "expected a string");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) throw bad_field(origin, at, "expected true or false");
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    if (!it->is_number_unsigned()) throw bad_field(origin, at, "expected a non-negative integer");
  } else if constexpr (std::is_integral_v<T>) {
    if (!it->is_number_integer()) throw bad_field(origin, at, "expected an integer");
    // get<T>() would wrap a value outside T silently (schema_version 4294967297 reading as 1).
    const bool in_range =
        it->is_number_unsigned()
            ? it->get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())
            : std::in_range<T>(it->get<std::int64_t>());
    if (!in_range) throw bad_field(origin, at, "integer out of range");
  } else {
    if (!it->is_number()) throw bad_field(origin, at, "expected a number");
  }
  return it->get<T>();
}

// The entries of a catalog document {"schema_version": 1, "<key>": [ ... ]}, checked.
inline const nlohmann::json* catalog_list(const nlohmann::json& doc, const char* key,
                                          std::string_view origin) {
  if (!doc.is_object()) throw bad_field(origin, "", "expected a JSON object");
  if (field<int>(doc, "schema_version", origin, "") != 1) {
    throw bad_field(origin, "/schema_version", "unsupported schema_version (this build reads 1)");
  }
  const auto list = doc.find(key);
  if (list == doc.end() || !list->is_array())
    throw bad_field(origin, std::string("/") + key, "expected an array");
  return &*list;
}

}  // namespace json_detail

// Deeper nesting than any config or catalog needs; it also keeps copies and destruction of the
// parsed tree (recursive in nlohmann) far from the stack's limit.
inline constexpr int kMaxJsonDepth = 64;

inline nlohmann::json parse_json_document(std::string_view text, std::string_view origin) {
  const auto depth_guard = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    if ((event == nlohmann::json::parse_event_t::object_start ||
         event == nlohmann::json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth) {
      throw Error(ErrorCode::bad_file, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                  {}, std::string(origin));
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text, depth_guard);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::bad_file, "malformed JSON at byte " + std::to_string(e.byte), {},
                std::string(origin));
  } catch (const nlohmann::json::exception& e) {
    // e.g. out_of_range 406: a number too large for a double ("1e999")
    throw Error(ErrorCode::bad_file, "malformed JSON: a number or value out of range", {},
                std::string(origin));
  }
}

// Reads a GPU catalog document: {"schema_version": 1, "gpus": [ {...}, ... ]}.
inline std::vector<GpuSpec> gpus_from_json(std::string_view text, std::string_view origin) {
  using json_detail::bad_field;
  using json_detail::field;
  const nlohmann::json doc = parse_json_document(text, origin);
  const nlohmann::json* list = json_detail::catalog_list(doc, "gpus", origin);

  std::vector<GpuSpec> gpus;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& entry = (*list)[i];
    const std::string at = "/gpus/" + std::to_string(i);
    if (!entry.is_object()) throw bad_field(origin, at, "expected an object");
    GpuSpec gpu;
    gpu.id = field<std::string>(entry, "id", origin, at);
    gpu.name = field<std::string>(entry, "name", origin, at);
    gpu.memory = Bytes{field<std::uint64_t>(entry, "memory_bytes", origin, at)};
    if (gpu.memory.count == 0) throw bad_field(origin, at + "/memory_bytes", "must be positive");
    // Optional descriptive fields: a user's own file may give only id, name and memory_bytes.
    const auto text_or = [&](const char* key) {
      return entry.contains(key) ? field<std::string>(entry, key, origin, at) : std::string{};
    };
    gpu.vendor = text_or("vendor");
    gpu.segment = text_or("segment");
    gpu.memory_marketed = text_or("memory_marketed");
    gpu.memory_note = text_or("memory_note");
    gpu.source = text_or("source");
    if (entry.contains("aliases")) {
      const nlohmann::json& aliases = entry["aliases"];
      if (!aliases.is_array()) throw bad_field(origin, at + "/aliases", "expected an array");
      for (std::size_t k = 0; k < aliases.size(); ++k) {
        if (!aliases[k].is_string()) {
          throw bad_field(origin, at + "/aliases/" + std::to_string(k), "expected a string");
        }
        gpu.aliases.push_back(aliases[k].get<std::string>());
      }
    }
    if (entry.contains("bandwidth_gb_s"))
      gpu.bandwidth_gb_s = field<double>(entry, "bandwidth_gb_s", origin, at);
    if (entry.contains("bf16_tflops_dense") && !entry["bf16_tflops_dense"].is_null()) {
      gpu.bf16_tflops_dense = field<double>(entry, "bf16_tflops_dense", origin, at);
    }
    if (entry.contains("fp8")) gpu.fp8 = field<bool>(entry, "fp8", origin, at);
    if (entry.contains("year")) gpu.year = field<int>(entry, "year", origin, at);
    if (entry.contains("featured")) gpu.featured = field<bool>(entry, "featured", origin, at);
    gpus.push_back(std::move(gpu));
  }
  return gpus;
}

// Reads a model catalog document: {"schema_version": 1, "models": [ {...}, ... ]}. Each model's
// config object is kept as text and parsed only when the model is used.
inline std::vector<ModelEntry> models_from_json(std::string_view text, std::string_view origin) {
  using json_detail::bad_field;
  using json_detail::field;
  const nlohmann::json doc = parse_json_document(text, origin);
  const nlohmann::json* list = json_detail::catalog_list(doc, "models", origin);
  std::vector<ModelEntry> models;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& entry = (*list)[i];
    const std::string at = "/models/" + std::to_string(i);
    if (!entry.is_object()) throw bad_field(origin, at, "expected an object");
    ModelEntry m;
    m.id = to_lower(field<std::string>(entry, "id", origin, at));
    m.hf_id = entry.contains("hf_id") ? field<std::string>(entry, "hf_id", origin, at) : m.id;
    m.family = entry.contains("family") ? field<std::string>(entry, "family", origin, at) : std::string{};
    m.params_evidence =
        entry.contains("params_evidence") ? field<std::string>(entry, "params_evidence", origin, at) : "";
    m.source = entry.contains("source") ? field<std::string>(entry, "source", origin, at) : "";
    m.multimodal = entry.contains("multimodal") && field<bool>(entry, "multimodal", origin, at);
    if (entry.contains("aliases")) {
      const nlohmann::json& aliases = entry["aliases"];
      if (!aliases.is_array()) throw bad_field(origin, at + "/aliases", "expected an array");
      for (std::size_t k = 0; k < aliases.size(); ++k) {
        if (!aliases[k].is_string())
          throw bad_field(origin, at + "/aliases/" + std::to_string(k), "expected a string");
        m.aliases.push_back(aliases[k].get<std::string>());
      }
    }
    const auto config = entry.find("config");
    if (config == entry.end() || !config->is_object())
      throw bad_field(origin, at + "/config", "expected an object");
    nlohmann::json with_flags = *config;
    if (m.multimodal) with_flags["multimodal"] = true;
    m.config_json = with_flags.dump();
    m.params = entry.contains("params") ? field<std::uint64_t>(entry, "params", origin, at) : 0;
    m.active_params =
        entry.contains("active_params") ? field<std::uint64_t>(entry, "active_params", origin, at) : m.params;
    m.context_length =
        entry.contains("context_length") ? field<std::uint64_t>(entry, "context_length", origin, at) : 0;
    models.push_back(std::move(m));
  }
  return models;
}

inline nlohmann::ordered_json gpu_to_json(const GpuSpec& gpu) {
  nlohmann::ordered_json j;
  j["id"] = gpu.id;
  j["name"] = gpu.name;
  j["vendor"] = gpu.vendor;
  j["segment"] = gpu.segment;
  j["memory_marketed"] = gpu.memory_marketed;
  j["memory_bytes"] = gpu.memory.count;
  j["bandwidth_gb_s"] = gpu.bandwidth_gb_s;
  j["bf16_tflops_dense"] = gpu.bf16_tflops_dense ? nlohmann::ordered_json(*gpu.bf16_tflops_dense)
                                                 : nlohmann::ordered_json(nullptr);
  j["fp8"] = gpu.fp8;
  j["year"] = gpu.year;
  j["aliases"] = gpu.aliases;
  j["memory_note"] = gpu.memory_note;
  j["source"] = gpu.source;
  return j;
}

inline nlohmann::ordered_json optional_to_json(const std::optional<std::uint64_t>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

// One estimate in the contract's shape (README "JSON output").
// Components and total are the estimate's own; where it is placed on GPUs (per_gpu_bytes, the
// placement, the fit per GPU kind) the shell adds, since the placement is its choice of GPUs.
inline nlohmann::ordered_json components_to_json(const Components& c) {
  return {{"weights", c.weights.count},
          {"kv_cache", c.kv_cache.count},
          {"activations", c.activations.count},
          {"gradients", c.gradients.count},
          {"optimizer", c.optimizer.count},
          {"runtime", c.runtime.count},
          {"other", c.other.count}};
}

inline nlohmann::ordered_json estimate_to_json(const Estimate& e) {
  nlohmann::ordered_json j;
  j["model"] = {{"name", e.model.name},
                {"params", e.model.params},
                {"active_params", e.model.active_params},
                {"source", e.model.source}};
  j["mode"] = mode_name(e.mode);
  j["method"] = method_name(e.method);
  j["precision"] = e.precision;
  j["context"] = optional_to_json(e.context);
  j["batch"] = optional_to_json(e.batch);
  j["components"] = components_to_json(e.components);
  j["total_bytes"] = e.total.count;
  j["range"] = {{"low_bytes", e.low.count}, {"high_bytes", e.high.count}};
  j["basis"] = e.basis;
  return j;
}

inline nlohmann::ordered_json error_to_json(const Error& error) {
  nlohmann::ordered_json j;
  j["schema_version"] = kJsonSchemaVersion;
  j["error"] = {{"code", code_name(error.code())},
                {"message", error.one_line()},
                {"exit_code", exit_code(error.code())}};
  return j;
}

}  // namespace vramest
