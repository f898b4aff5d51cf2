#include "cli/cmd_inspect.hpp"

#include <CLI/CLI.hpp>

#include "cli/values.hpp"
#include "vramest/model_file.hpp"
#include "vramest/param_count.hpp"

namespace vramest::shell {

CLI::App* setup_inspect(CLI::App& app, InspectOptions& options, GlobalOptions& global) {
  CLI::App* inspect = app.add_subcommand(
      "inspect",
      "Show a model file's format, architecture, parameters, bytes by type, largest tensors and metadata");
  inspect
      ->add_option(
          "path", options.path,
          "A .gguf file (the first of a split set), a .safetensors file, model.safetensors.index.json, "
          "or a checkpoint directory")
      ->type_name("PATH")
      ->required();
  inspect->add_option("--top", options.top, "How many of the largest tensors to list (default 10)")
      ->type_name("N");
  inspect->footer(
      "Only headers are read, never tensor data: a 100 GB file inspects as fast as a small one.\n"
      "Examples:\n"
      "  vramest inspect Llama-3.1-8B-Instruct-Q4_K_M.gguf\n"
      "  vramest inspect ./Qwen3-8B/                          config.json + *.safetensors\n"
      "  vramest inspect model-00001-of-00004.gguf --json\n"
      "  vramest ./Qwen3-8B/ -c 32k --gpu rtx-4090            estimate from the files");
  add_global_options(*inspect, global);
  return inspect;
}

CommandResult run_inspect(const InspectOptions& options, const GlobalOptions& global) {
  const report::Style style = resolve_style(global);
  std::error_code ec;
  if (!std::filesystem::exists(options.path, ec)) {
    throw Error(ErrorCode::bad_file, "no such file or directory", {}, options.path);
  }
  if (!is_model_file_path(options.path)) {
    throw Error(ErrorCode::bad_file,
                "not a model file: expected .gguf, .safetensors, an index or a checkpoint directory", {},
                options.path);
  }
  const std::uint64_t top = token_count(options.top, "--top", 100000);
  const ModelFile file = read_model_file(options.path);
  return {global.json ? report::inspect_json(file, top) : report::inspect_text(file, top, style), kExitOk};
}

}  // namespace vramest::shell
