// catalog_models.hpp — test helpers: the architecture of a built-in catalog model.
#pragma once

#include <string_view>

#include "catalog_data.hpp"
#include "vramest/parse/hf_config.hpp"

namespace vramest::test {

inline const ModelCatalog& model_catalog() {
  static const ModelCatalog built_in = shell::load_model_catalog("");
  return built_in;
}

inline ModelArch arch_of(std::string_view id) {
  const ModelEntry& entry = model_catalog().find(id);
  return arch_from_hf_config(nlohmann::json::parse(entry.config_json), entry.id);
}

}  // namespace vramest::test
