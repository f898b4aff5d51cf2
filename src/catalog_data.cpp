#include "catalog_data.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vramest/io/json.hpp"

namespace vramest::embedded {
extern const std::string_view gpus_json;
}

namespace vramest::shell {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::bad_file, "cannot open file", {}, path);
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw Error(ErrorCode::bad_file, "cannot read file", {}, path);
  return content.str();
}

GpuCatalog load_gpu_catalog(const std::string& data_dir) {
  GpuCatalog catalog(gpus_from_json(embedded::gpus_json, "data/gpus.json"));
  if (!data_dir.empty()) {
    const std::filesystem::path dir(data_dir);
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      throw Error(ErrorCode::bad_file, "data directory does not exist", {}, data_dir);
    }
    const std::filesystem::path user_gpus = dir / "gpus.json";
    if (std::filesystem::exists(user_gpus, ec)) {
      catalog.merge(gpus_from_json(read_file(user_gpus.string()), user_gpus.string()));
    }
  }
  return catalog;
}

}  // namespace vramest::shell
