// model_source.hpp — what the MODEL argument names: a parameter count, a catalog model, or a
// Hugging Face config.json (or a directory holding one).
#pragma once

#include <optional>
#include <string>

#include "vramest/catalog.hpp"
#include "vramest/estimate.hpp"
#include "vramest/inference.hpp"
#include "vramest/model.hpp"
#include "vramest/model_file.hpp"

namespace vramest::shell {

struct ResolvedModel {
  ModelRef ref;
  std::optional<ModelArch> arch;  // unset for a bare parameter count
  std::string hf_id;              // catalog models
  std::string default_format;     // the published checkpoint's format ("bf16", "fp8-b128", "mxfp4")
  std::optional<ModelFile> file;  // a model file or checkpoint directory: its exact stored weights
};

// Resolves MODEL in this order: an existing path, a parameter count, a catalog name. A string
// that starts with a digit and names no catalog model reports the size error.
ResolvedModel resolve_model(const std::string& model, const std::string& data_dir);

// A catalog model by id, never a path of that name in the working directory.
ResolvedModel resolve_catalog_model(const std::string& id, const std::string& data_dir);

// The weights without -p: the checkpoint's own format, exactly as stored for a model file the
// engine runs as is. llama.cpp runs a GGUF conversion of anything else, made as
// convert_hf_to_gguf.py does (MXFP4 experts stay MXFP4; 16-bit weights become F16, fp32 F32).
struct DefaultWeights {
  std::string format_id;
  const WeightBreakdown* stored = nullptr;  // points into model.file
};
DefaultWeights default_weights(const ResolvedModel& model, Engine engine);

}  // namespace vramest::shell
