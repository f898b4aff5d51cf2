// catalog_data.hpp — where the shell's catalogs come from: the data embedded at build time, plus
// a user's own files from --data-dir or $VRAMEST_DATA_DIR on top.
#pragma once

#include <string>

#include "vramest/catalog.hpp"

namespace vramest::shell {

// Loads the built-in GPU catalog, then DIR/gpus.json when `data_dir` names a directory holding
// one. Throws bad_file (exit 4) for a malformed file.
GpuCatalog load_gpu_catalog(const std::string& data_dir);

// Loads the built-in model catalog, then DIR/models.json on top when present.
ModelCatalog load_model_catalog(const std::string& data_dir);

}  // namespace vramest::shell
