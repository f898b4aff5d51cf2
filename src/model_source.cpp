#include "model_source.hpp"

#include <cctype>
#include <filesystem>

#include "catalog_data.hpp"
#include "vramest/io/json.hpp"
#include "vramest/io/text_file.hpp"
#include "vramest/param_count.hpp"
#include "vramest/parse/hf_config.hpp"

namespace vramest::shell {
namespace {

// A string field, or `fallback` when it is absent or not a string (these fields only choose a
// default format, so an odd value is not an error).
std::string string_or(const nlohmann::json& object, const char* key, const std::string& fallback) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// The published checkpoint's format: its quantization_config, else its torch_dtype.
std::string checkpoint_format(const nlohmann::json& config) {
  const nlohmann::json& root =
      config.contains("text_config") && config["text_config"].is_object() ? config["text_config"] : config;
  for (const nlohmann::json* c : {&config, &root}) {
    const auto q = c->find("quantization_config");
    if (q == c->end() || !q->is_object()) continue;
    const std::string method = string_or(*q, "quant_method", "");
    if (method == "mxfp4") return "mxfp4";
    if (method == "fp8") return q->contains("weight_block_size") ? "fp8-b128" : "fp8";
  }
  const std::string dtype = string_or(root, "torch_dtype", string_or(config, "torch_dtype", "bfloat16"));
  return dtype == "float16" ? "fp16" : "bf16";
}

ResolvedModel from_config(const nlohmann::json& config, const std::string& origin) {
  ResolvedModel m;
  m.arch = arch_from_hf_config(config, origin);
  const ParamCounts counts = count_params(*m.arch);
  m.ref.params = counts.total;
  m.ref.active_params = counts.active;
  m.default_format = checkpoint_format(config);
  return m;
}

ResolvedModel from_catalog(const ModelEntry& entry) {
  const std::string origin = "data/models.json:" + entry.id;
  ResolvedModel m = from_config(parse_json_document(entry.config_json, origin), origin);
  if (entry.params != 0 && entry.params != m.ref.params) {
    throw Error(ErrorCode::bad_file, "the catalog's parameter count disagrees with its config", {}, origin);
  }
  m.ref.name = entry.id;
  m.ref.source = "catalog";
  m.hf_id = entry.hf_id;
  return m;
}

}  // namespace

ResolvedModel resolve_model(const std::string& model, const std::string& data_dir) {
  if (model.empty()) {
    throw Error(ErrorCode::invalid_value, "empty model name",
                "expected a catalog model, a config.json path or a parameter count such as 14B");
  }
  std::error_code ec;
  const std::filesystem::path path(model);
  if (std::filesystem::exists(path, ec) && is_model_file_path(path)) {
    ResolvedModel m;
    m.file = read_model_file(model);
    const ModelFile& f = *m.file;
    m.arch = f.arch;
    m.ref.params = f.text.params;
    m.ref.active_params = f.text.params;
    if (f.arch && f.arch->moe) {
      // Routed experts a token does not use: (E - k) / E of the stacked expert tensors.
      std::uint64_t experts = 0;
      for (const FileTensor& t : f.tensors) {
        if (t.part == TensorPart::text &&
            (t.name.find("_exps.") != std::string::npos || t.name.find(".experts.") != std::string::npos)) {
          experts += t.elements;
        }
      }
      m.ref.active_params -=
          mul_div_round(experts, f.arch->moe->experts - f.arch->moe->experts_per_token, f.arch->moe->experts);
    }
    const std::filesystem::path shown = std::filesystem::is_directory(path, ec) ? path : path.filename();
    m.ref.name = shown.filename().empty() ? model : shown.filename().string();
    m.ref.source = f.format;
    m.default_format = f.weight_format;
    return m;
  }
  if (std::filesystem::exists(path, ec)) {
    const std::filesystem::path file = std::filesystem::is_directory(path, ec) ? path / "config.json" : path;
    if (!std::filesystem::exists(file, ec)) {
      throw Error(ErrorCode::bad_file, "no config.json in this directory", {}, model);
    }
    const std::string origin = file.string();
    ResolvedModel m = from_config(parse_json_document(read_text_file(origin), origin), origin);
    // A checkpoint directory names the model; a bare file is named by its directory.
    const std::filesystem::path dir = std::filesystem::is_directory(path, ec) ? path : path.parent_path();
    m.ref.name = dir.filename().empty() ? file.filename().string() : dir.filename().string();
    m.ref.source = "config.json";
    return m;
  }

  // A parameter count needs no catalog (and no start-up cost for loading one).
  const bool looks_like_size =
      !model.empty() && model.find('/') == std::string::npos &&
      (std::isdigit(static_cast<unsigned char>(model[0])) != 0 || model[0] == '.' || model[0] == '-');
  std::optional<Error> size_error;
  if (looks_like_size) {
    try {
      ResolvedModel m;
      m.ref.params = parse_param_count(model);
      m.ref.active_params = m.ref.params;
      m.ref.name = format_param_count(m.ref.params);
      m.ref.source = "parameter count";
      return m;
    } catch (const Error& e) {
      size_error = e;
    }
  }
  const ModelCatalog catalog = load_model_catalog(data_dir);
  if (size_error && catalog.try_find(model) == nullptr) throw *size_error;
  // What reads as a path and is neither a file nor a catalog name is a missing file, as inspect
  // says, not an unknown model.
  const bool path_like = model.find('/') != std::string::npos || model.rfind('~', 0) == 0 ||
                         model_file_detail::ends_with(model, ".gguf") ||
                         model_file_detail::ends_with(model, ".safetensors") ||
                         model_file_detail::ends_with(model, ".json");
  if (path_like && catalog.try_find(model) == nullptr) {
    throw Error(ErrorCode::bad_file, "no such file or directory",
                "nor a catalog model ('vramest models' lists them)", model);
  }
  return from_catalog(catalog.find(model));
}

ResolvedModel resolve_catalog_model(const std::string& id, const std::string& data_dir) {
  return from_catalog(load_model_catalog(data_dir).find(id));
}

DefaultWeights default_weights(const ResolvedModel& model, Engine engine) {
  const bool gguf_file = model.file && model.file->format == "gguf";
  DefaultWeights d;
  d.format_id = model.default_format;
  if (engine == Engine::llamacpp && !gguf_file) {
    d.format_id = d.format_id == "mxfp4" ? "mxfp4_moe" : d.format_id == "fp32" ? "f32" : "f16";
  }
  // A GGUF file runs as stored on llama.cpp and on vLLM (which loads GGUF weights quantized,
  // vllm/model_executor/layers/quantization/gguf.py); transformers dequantizes it.
  if (model.file && (gguf_file ? engine != Engine::transformers : engine != Engine::llamacpp))
    d.stored = &model.file->weights;
  return d;
}

}  // namespace vramest::shell
