#include "cli/cmd_models.hpp"

#include <CLI/CLI.hpp>

#include "catalog_data.hpp"

namespace vramest::shell {

CLI::App* setup_models(CLI::App& app, ModelsOptions& options, GlobalOptions& global) {
  CLI::App* models = app.add_subcommand("models", "List the model catalog (exact parameter counts)");
  models
      ->add_option("--family", options.family,
                   "Only this family: llama, qwen, gemma, mistral, phi, deepseek, gpt-oss")
      ->type_name("NAME");
  models->footer(
      "Examples:\n  vramest models\n  vramest models --family qwen\n  vramest models --json | jq -r "
      "'.models[].id'\n"
      "  vramest qwen3-8b -c 32k        estimate one of them");
  add_global_options(*models, global);
  return models;
}

CommandResult run_models(const ModelsOptions& options, const GlobalOptions& global) {
  const report::Style style = resolve_style(global);
  const ModelCatalog catalog = load_model_catalog(resolve_data_dir(global));
  std::vector<ModelEntry> shown;
  for (const ModelEntry& m : catalog.all()) {
    if (options.family.empty() || m.family == to_lower(options.family)) shown.push_back(m);
  }
  if (shown.empty()) {
    throw Error(ErrorCode::invalid_value, "no model of family '" + options.family + "'",
                "families: llama, qwen, gemma, mistral, phi, deepseek, gpt-oss");
  }
  return {global.json ? report::models_json(shown) : report::models_text(shown, style), kExitOk};
}

}  // namespace vramest::shell
