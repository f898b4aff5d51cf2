// model_source.hpp — what the MODEL argument names: a parameter count, a catalog model, or a
// Hugging Face config.json (or a directory holding one).
#pragma once

#include <optional>
#include <string>

#include "vramest/catalog.hpp"
#include "vramest/estimate.hpp"
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

}  // namespace vramest::shell
