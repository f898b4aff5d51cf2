#include "catalog_data.hpp"

#include <filesystem>

#include "vramest/io/json.hpp"
#include "vramest/io/text_file.hpp"

namespace vramest::embedded {
// Generated at build time from data/ by tools/embed_catalogs.cpp.
std::vector<GpuSpec> builtin_gpus();
std::vector<ModelEntry> builtin_models();
}  // namespace vramest::embedded

namespace vramest::shell {

namespace {

// DIR/<name> when the user's data directory holds one; empty otherwise.
std::string user_file(const std::string& data_dir, const char* name) {
  if (data_dir.empty()) return {};
  const std::filesystem::path dir(data_dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(ErrorCode::bad_file, "data directory does not exist", {}, data_dir);
  }
  const std::filesystem::path file = dir / name;
  return std::filesystem::exists(file, ec) ? file.string() : std::string{};
}

}  // namespace

GpuCatalog load_gpu_catalog(const std::string& data_dir) {
  GpuCatalog catalog(embedded::builtin_gpus());
  if (const std::string path = user_file(data_dir, "gpus.json"); !path.empty()) {
    catalog.merge(gpus_from_json(read_text_file(path), path));
  }
  return catalog;
}

ModelCatalog load_model_catalog(const std::string& data_dir) {
  ModelCatalog catalog(embedded::builtin_models());
  if (const std::string path = user_file(data_dir, "models.json"); !path.empty()) {
    catalog.merge(models_from_json(read_text_file(path), path));
  }
  return catalog;
}

}  // namespace vramest::shell
