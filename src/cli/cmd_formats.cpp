#include "cli/cmd_formats.hpp"

#include <CLI/CLI.hpp>

#include "model_source.hpp"
#include "vramest/formats.hpp"

namespace vramest::shell {

CLI::App* setup_formats(CLI::App& app, FormatsOptions& options, GlobalOptions& global) {
  CLI::App* formats = app.add_subcommand("formats", "List weight formats with their real bits per weight");
  formats->footer(
      "Examples:\n  vramest formats\n  vramest formats --json\n  vramest llama-3.1-8b -p q4_k_m   use one");
  add_global_options(*formats, global);
  (void)options;  // no options of its own
  return formats;
}

// Bits per weight are measured on a real model's tensors: a mix's embedding and output choices
// weigh in as they do in a checkpoint.
constexpr const char* kReferenceModel = "llama-3.1-8b";

CommandResult run_formats(const FormatsOptions& /*options*/, const GlobalOptions& global) {
  const report::Style style = resolve_style(global);
  const ResolvedModel reference = resolve_catalog_model(kReferenceModel, resolve_data_dir(global));
  std::vector<std::pair<FormatInfo, std::optional<double>>> rows;
  for (const FormatInfo& info : kFormatList) {
    const WeightBreakdown w = weight_breakdown(*reference.arch, parse_weight_format(info.id));
    rows.emplace_back(info,
                      8.0 * static_cast<double>(w.total.count) / static_cast<double>(reference.ref.params));
  }
  return {global.json ? report::formats_json(rows) : report::formats_text(rows, style), kExitOk};
}

}  // namespace vramest::shell
