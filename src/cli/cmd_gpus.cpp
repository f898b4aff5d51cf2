#include "cli/cmd_gpus.hpp"

#include <CLI/CLI.hpp>

#include "catalog_data.hpp"

namespace vramest::shell {

CLI::App* setup_gpus(CLI::App& app, GpusOptions& options, GlobalOptions& global) {
  CLI::App* gpus = app.add_subcommand("gpus", "List the GPU catalog (memory as the driver reports it)");
  gpus->add_option("--segment", options.segment,
                   "Only this segment: consumer, workstation, datacenter, apple, embedded")
      ->type_name("NAME");
  gpus->add_option("--vendor", options.vendor, "Only this vendor: nvidia, amd, apple, intel")
      ->type_name("NAME");
  gpus->footer(
      "Examples:\n  vramest gpus\n  vramest gpus --segment consumer\n  vramest gpus --json | jq "
      "'.gpus[].id'");
  add_global_options(*gpus, global);
  return gpus;
}

CommandResult run_gpus(const GpusOptions& options, const GlobalOptions& global) {
  const report::Style style = resolve_style(global);
  const GpuCatalog catalog = load_gpu_catalog(resolve_data_dir(global));
  std::vector<GpuSpec> shown;
  for (const GpuSpec& gpu : catalog.all()) {
    if (!options.segment.empty() && gpu.segment != to_lower(options.segment)) continue;
    if (!options.vendor.empty() && gpu.vendor != to_lower(options.vendor)) continue;
    shown.push_back(gpu);
  }
  if (shown.empty() && (!options.segment.empty() || !options.vendor.empty())) {
    throw Error(
        ErrorCode::invalid_value, "no GPU matches that segment or vendor",
        "segments: consumer, workstation, datacenter, apple, embedded; vendors: nvidia, amd, apple, intel");
  }
  return {global.json ? report::gpus_json(shown) : report::gpus_text(shown, style), kExitOk};
}

}  // namespace vramest::shell
