#include "app.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cmd_estimate.hpp"
#include "cli/cmd_fit.hpp"
#include "cli/cmd_formats.hpp"
#include "cli/cmd_gpus.hpp"
#include "cli/cmd_inspect.hpp"
#include "cli/cmd_models.hpp"
#include "cli/cmd_sweep.hpp"
#include "report/report.hpp"
#include "vramest/suggest.hpp"

namespace vramest::shell {
namespace {

constexpr const char* kDescription =
    "vramest: how much GPU memory does this model need, and what does it fit on?";

constexpr const char* kExamples = R"(Examples:
  vramest 14B                          the rules of thumb's whole analysis of a 14B model
  vramest llama-3.1-8b                 memory from the architecture (detailed method)
  vramest qwen3-8b -c 32k -b 4 --engine vllm --gpu rtx-4090
  vramest meta-llama/Llama-3.1-70B -p q4_k_m --engine llamacpp --kv-dtype q8_0
  vramest path/to/config.json -c 32768 a Hugging Face config (or its directory)
  vramest 70b -p int4                  one estimate: 70B parameters at 4 bits
  vramest 7B -p all --json             one estimate per precision, as JSON
  vramest 14B -p int8 --gpu rtx-4090   does it fit? exit 0 if yes, 1 if not
  vramest 14B -p fp16 --gpu rtx-3090 --gpus 2
  vramest 14B --mode train             the full fine-tuning rule of thumb (12 bytes/param)
  vramest gpus                         the GPU catalog
  vramest models                       the model catalog
  vramest formats                      weight formats and their real bits per weight
  vramest fit llama-3.1-8b --gpu rtx-4090 -c 32k    largest context and batch, best format, speed
  vramest sweep --models llama-3.1-8b,qwen3-8b --contexts 4k,32k --gpus rtx-4090,h100-sxm   a CSV grid
  vramest inspect model-Q4_K_M.gguf    a model file: architecture, bytes by type, largest tensors
  vramest model-Q4_K_M.gguf -c 32k --gpu rtx-4090   estimate from the file's exact weights

Exit codes: 0 ok, 1 does not fit, 2 usage error, 3 invalid value, 4 bad file or data, 70 internal error,
74 output not written.
Environment: NO_COLOR disables colour; VRAMEST_DATA_DIR adds a directory with your own gpus.json
and models.json.)";

// Spellings other tools give with one dash and several letters (llama.cpp's -ngl, vLLM's -tp),
// which CLI11 reads as bundled short flags: rewritten to their long forms before parsing.
struct DashAlias {
  std::string_view dash;
  std::string_view long_name;
};
constexpr DashAlias kDashAliases[] = {
    {"-ngl", "--n-gpu-layers"},        {"-ub", "--ubatch-size"},
    {"-fa", "--flash-attn"},           {"-np", "--parallel"},
    {"-ctk", "--cache-type-k"},        {"-ctv", "--cache-type-v"},
    {"-tp", "--tensor-parallel-size"}, {"-pp", "--pipeline-parallel-size"},
    {"-ncmoe", "--n-cpu-moe"},         {"-dev", "--gpu"},
};

// Words that stand for flags, as the first argument: `vramest help`, `vramest version`, and
// `vramest estimate MODEL` (the default command, named).
std::vector<std::string> normalized_args(int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    const std::size_t eq = arg.find('=');
    const std::string head = arg.substr(0, eq);
    for (const DashAlias& a : kDashAliases) {
      if (head == a.dash) arg = std::string(a.long_name) + (eq == std::string::npos ? "" : arg.substr(eq));
    }
    args.push_back(std::move(arg));
  }
  if (!args.empty()) {
    if (args.front() == "help")
      args.front() = "--help";
    else if (args.front() == "version")
      args.front() = "--version";
    else if (args.front() == "estimate")
      args.erase(args.begin());
  }
  return args;
}

// "did you mean" for a misspelled flag: the closest of every option name the app knows.
std::string flag_hint(const CLI::App& app, const std::string& message) {
  const std::size_t start = message.find("--");
  if (start == std::string::npos) return "see 'vramest --help'";
  std::string flag = message.substr(start);
  flag = flag.substr(0, flag.find_first_of(" ,='\"\n"));
  std::vector<std::string> names;
  const auto collect = [&](const CLI::App& a) {
    for (const CLI::Option* o : a.get_options()) {
      for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
    }
  };
  collect(app);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) collect(*sub);
  std::string hint = did_you_mean(flag, names);
  return hint.empty() ? "see 'vramest --help'" : hint;
}

// CLI11's message as one line: "The following argument was not expected: x" -> lower-case first.
std::string one_line_message(std::string message) {
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  if (!message.empty() && message.front() >= 'A' && message.front() <= 'Z' &&
      !(message.size() > 1 && message[1] >= 'A' && message[1] <= 'Z')) {
    message.front() = static_cast<char>(message.front() - 'A' + 'a');
  }
  return message;
}

// The width text output fits: $COLUMNS, else the terminal's, else 80.
std::size_t output_width() {
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr && *columns != '\0') {
    char* end = nullptr;
    const unsigned long value = std::strtoul(columns, &end, 10);
    if (end != nullptr && *end == '\0' && value >= 20 && value <= 1000) return value;
  }
  winsize size{};
  if (isatty(STDOUT_FILENO) == 1 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 20)
    return size.ws_col;
  return 80;
}

// Columns a line takes: UTF-8 code points (the bars and dashes are one column each), colour
// escapes excluded.
std::size_t display_width(std::string_view line) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == 0x1b) {
      while (i < line.size() && line[i] != 'm') ++i;
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

// Byte offset where `columns` display columns end.
std::size_t offset_of_column(std::string_view line, std::size_t columns) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) != 0x80) {
      if (width == columns) return i;
      ++width;
    }
  }
  return line.size();
}

// Text output wrapped to `width`: a long line breaks at its last space that fits. The rest hangs
// under the line's last column (a table's detail cell) or 4 past its indent.
std::string fit_to_width(const std::string& text, std::size_t width) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (display_width(line) <= width) {
      out.append(line);
      if (end < text.size()) out += '\n';
      continue;
    }
    const std::size_t content = std::min(line.find_first_not_of(' '), line.size());
    std::size_t hang = std::min<std::size_t>(content, width / 2) + 4;
    const std::size_t cell = line.rfind("  ", offset_of_column(line, width));
    if (cell != std::string_view::npos && cell > content) {
      const std::size_t column = display_width(line.substr(0, line.find_first_not_of(' ', cell)));
      if (column <= width * 3 / 4) hang = column;
    }
    bool first = true;
    while (true) {
      const std::size_t room = first ? width : width - hang;
      if (display_width(line) <= room) break;
      std::size_t cut = offset_of_column(line, room);
      const std::size_t space = line.rfind(' ', cut);
      if (space != std::string_view::npos && space > (first ? content : 0)) cut = space;
      std::string_view piece = line.substr(0, cut);
      while (!piece.empty() && piece.back() == ' ') piece.remove_suffix(1);
      if (!first) out.append(hang, ' ');
      out.append(piece);
      out += '\n';
      line.remove_prefix(cut);
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      first = false;
    }
    if (!first) out.append(hang, ' ');
    out.append(line);
    if (end < text.size()) out += '\n';
  }
  return out;
}

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
  app.add_option("--data-dir", options.data_dir,
                 "Directory with your own gpus.json, added on top of the built-in catalog")
      ->type_name("DIR");
  app.add_flag("--no-color", options.no_color,
               "No colour (also when NO_COLOR is set or stdout is not a terminal)");
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
  const char* term = std::getenv("TERM");
  style.color = !options.no_color && !options.json && (no_color == nullptr || *no_color == '\0') &&
                (term == nullptr || std::string_view(term) != "dumb") && isatty(STDOUT_FILENO) == 1;
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

    std::vector<std::string> args = normalized_args(argc, argv);
    std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
    try {
      app.parse(args);
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
      // An unknown flag is named with the closest known one; CLI11's other messages as one line.
      const std::string message = e.what();
      const std::size_t dash = message.find(" --");
      if (message.find("not expected") != std::string::npos && dash != std::string::npos) {
        std::string flag = message.substr(dash + 1);
        flag = flag.substr(0, flag.find_first_of(" ,\n"));
        throw Error(ErrorCode::usage, "unknown option '" + flag + "'", flag_hint(app, message));
      }
      throw Error(ErrorCode::usage, one_line_message(message), flag_hint(app, message));
    }

    estimate.model_given = app.get_option("model")->count() > 0;
    CommandResult result = gpus_command->parsed()      ? run_gpus(gpus, global)
                           : models_command->parsed()  ? run_models(models, global)
                           : formats_command->parsed() ? run_formats(formats, global)
                           : fit_command->parsed()     ? run_fit(fit, global)
                           : sweep_command->parsed()   ? run_sweep(sweep, global)
                           : inspect_command->parsed() ? run_inspect(inspect, global)
                                                       : run_estimate(estimate, global);
    const bool text = !global.json && !sweep_command->parsed();
    out << (text ? fit_to_width(result.out, output_width()) : result.out);
    out.flush();
    if (!out)
      throw Error(ErrorCode::output,
                  "could not write the output (standard output closed, full or a broken pipe)");
    return result.exit_code;
  } catch (const Error& error) {
    return report_error(error, json, out, err);
  } catch (const std::bad_alloc&) {
    return report_error(Error(ErrorCode::internal, "out of memory"), json, out, err);
  } catch (const std::exception& e) {
    return report_error(Error(ErrorCode::internal, std::string("internal error: ") + e.what()), json, out,
                        err);
  }
}

}  // namespace vramest::shell
