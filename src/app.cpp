#include "app.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <cstring>
#include <ostream>

#include "cli/cmd_estimate.hpp"
#include "cli/cmd_fit.hpp"
#include "cli/cmd_formats.hpp"
#include "cli/cmd_gpus.hpp"
#include "cli/cmd_inspect.hpp"
#include "cli/cmd_models.hpp"
#include "cli/cmd_sweep.hpp"
#include "report/report.hpp"

namespace vramest::shell {
namespace {

constexpr const char* kDescription =
    "vramest: how much GPU memory does this model need, and what does it fit on?";

constexpr const char* kExamples = R"(Examples:
  vramest 14B                          the seed's whole analysis of a 14B model
  vramest llama-3.1-8b                 memory from the architecture (detailed method)
  vramest qwen3-8b -c 32k -b 4 --engine vllm --gpu rtx-4090
  vramest meta-llama/Llama-3.1-70B -p q4_k_m --engine llamacpp --kv-dtype q8_0
  vramest path/to/config.json -c 32768 a Hugging Face config (or its directory)
  vramest 70b -p int4                  one estimate: 70B parameters at 4 bits
  vramest 7B -p all --json             one estimate per precision, as JSON
  vramest 14B -p int8 --gpu rtx-4090   does it fit? exit 0 if yes, 1 if not
  vramest 14B -p fp16 --gpu rtx-3090 --gpus 2
  vramest 14B --mode train             the seed's full fine-tuning rule (12 bytes/param)
  vramest gpus                         the GPU catalog
  vramest models                       the model catalog
  vramest formats                      weight formats and their real bits per weight
  vramest fit llama-3.1-8b --gpu rtx-4090 -c 32k    largest context and batch, best format, speed
  vramest sweep --models llama-3.1-8b,qwen3-8b --contexts 4k,32k --gpus rtx-4090,h100-sxm   a CSV grid
  vramest inspect model-Q4_K_M.gguf    a model file: architecture, bytes by type, largest tensors
  vramest model-Q4_K_M.gguf -c 32k --gpu rtx-4090   estimate from the file's exact weights

Exit codes: 0 ok, 1 does not fit, 2 usage error, 3 invalid value, 4 bad file or data, 70 internal error.
Environment: NO_COLOR disables colour; VRAMEST_DATA_DIR adds a directory with your own gpus.json
and models.json.)";

bool wants_json(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

int report_error(const Error& error, bool json, std::ostream& out, std::ostream& err) {
  err << "vramest: error: " << error.one_line() << "\n";
  if (json) out << report::error_json(error);
  return exit_code(error.code());
}

}  // namespace

void add_global_options(CLI::App& app, GlobalOptions& options) {
  app.add_flag("--json", options.json, "Write exactly one JSON document to stdout");
  app.add_option("--units", options.units, "Text output units: gb (10^9 bytes, default) or gib (2^30)")
      ->type_name("UNITS");
  app.add_option("--data-dir", options.data_dir, "Directory with your own gpus.json, added on top of the built-in catalog")
      ->type_name("DIR");
  app.add_flag("--no-color", options.no_color, "No colour (also when NO_COLOR is set or stdout is not a terminal)");
}

report::Style resolve_style(const GlobalOptions& options) {
  report::Style style;
  const std::string units = to_lower(options.units);
  if (units == "gb") {
    style.unit = DisplayUnit::gb;
  } else if (units == "gib") {
    style.unit = DisplayUnit::gib;
  } else {
    throw Error(ErrorCode::invalid_value, "unknown units '" + options.units + "'", "use gb or gib");
  }
  const char* no_color = std::getenv("NO_COLOR");
  style.color = !options.no_color && !options.json && (no_color == nullptr || *no_color == '\0') &&
                isatty(STDOUT_FILENO) == 1;
  return style;
}

std::string resolve_data_dir(const GlobalOptions& options) {
  if (!options.data_dir.empty()) return options.data_dir;
  const char* env = std::getenv("VRAMEST_DATA_DIR");
  return env == nullptr ? std::string{} : std::string(env);
}

int run_app(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  const bool json = wants_json(argc, argv);
  try {
    GlobalOptions global;
    EstimateOptions estimate;
    GpusOptions gpus;
    ModelsOptions models;
    FormatsOptions formats;
    FitOptions fit;
    SweepOptions sweep;
    InspectOptions inspect;

    CLI::App app{kDescription, "vramest"};
    app.set_version_flag("--version", std::string("vramest ") + VRAMEST_VERSION);
    app.footer(kExamples);
    setup_estimate(app, estimate);
    add_global_options(app, global);
    CLI::App* gpus_command = setup_gpus(app, gpus, global);
    CLI::App* models_command = setup_models(app, models, global);
    CLI::App* formats_command = setup_formats(app, formats, global);
    CLI::App* fit_command = setup_fit(app, fit, global);
    CLI::App* sweep_command = setup_sweep(app, sweep, global);
    CLI::App* inspect_command = setup_inspect(app, inspect, global);

    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      out << app.help();
      return kExitOk;
    } catch (const CLI::CallForAllHelp&) {
      out << app.help("", CLI::AppFormatMode::All);
      return kExitOk;
    } catch (const CLI::CallForVersion&) {
      out << "vramest " << VRAMEST_VERSION << "\n";
      return kExitOk;
    } catch (const CLI::ParseError& e) {
      throw Error(ErrorCode::usage, e.what(), "see 'vramest --help'");
    }

    estimate.model_given = app.get_option("model")->count() > 0;
    CommandResult result = gpus_command->parsed()      ? run_gpus(gpus, global)
                           : models_command->parsed()  ? run_models(models, global)
                           : formats_command->parsed() ? run_formats(formats, global)
                           : fit_command->parsed()     ? run_fit(fit, global)
                           : sweep_command->parsed()   ? run_sweep(sweep, global)
                           : inspect_command->parsed() ? run_inspect(inspect, global)
                                                       : run_estimate(estimate, global);
    out << result.out;
    return result.exit_code;
  } catch (const Error& error) {
    return report_error(error, json, out, err);
  } catch (const std::bad_alloc&) {
    return report_error(Error(ErrorCode::internal, "out of memory"), json, out, err);
  } catch (const std::exception& e) {
    return report_error(Error(ErrorCode::internal, std::string("internal error: ") + e.what()), json, out, err);
  }
}

}  // namespace vramest::shell
