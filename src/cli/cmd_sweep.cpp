#include "cli/cmd_sweep.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "catalog_data.hpp"
#include "cli/cmd_estimate.hpp"
#include "cli/values.hpp"
#include "model_source.hpp"
#include "vramest/param_count.hpp"

namespace vramest::shell {
namespace {

// A name as a JSON string or a CSV field (quoted when it holds a comma, a quote or a line break):
// model names come from directory names and GPU ids from users' catalogs.
std::string cell(const std::string& text, bool jsonl) {
  if (jsonl) return nlohmann::json(text).dump();
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// Rows are built with fmt into one buffer; a grid of millions stays one allocation-light pass.
// `model` and `gpu` are cells (see cell()); format ids, engine names and layouts never need quoting.
struct Row {
  const std::string* model;
  Engine engine;
  const std::string* format;
  std::uint64_t context;
  std::uint64_t batch;
  const std::string* gpu;
  std::uint64_t gpu_count;
};

void append_row(std::string& out, bool jsonl, const Row& r, const Placement& p, const GpuFit& fewest) {
  const Components& c = p.all;
  const std::string layout = layout_text(p.layout);
  if (jsonl) {
    fmt::format_to(
        std::back_inserter(out),
        "{{\"model\":{},\"engine\":\"{}\",\"precision\":\"{}\",\"context\":{},\"batch\":{},\"gpu\":{},"
        "\"gpu_count\":{},\"layout\":\"{}\",\"weights_bytes\":{},\"kv_cache_bytes\":{},\"activations_bytes\":"
        "{},"
        "\"runtime_bytes\":{},\"total_bytes\":{},\"per_gpu_bytes\":{},\"fits\":{},\"gpus_needed\":{}}}\n",
        *r.model, engine_name(r.engine), *r.format, r.context, r.batch, *r.gpu, r.gpu_count, layout,
        c.weights.count, c.kv_cache.count, c.activations.count, c.runtime.count, c.sum().count,
        p.per_gpu_max.count, p.fits ? "true" : "false", fewest.count);
  } else {
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", *r.model,
                   engine_name(r.engine), *r.format, r.context, r.batch, *r.gpu, r.gpu_count, layout,
                   c.weights.count, c.kv_cache.count, c.activations.count, c.runtime.count, c.sum().count,
                   p.per_gpu_max.count, p.fits ? 1 : 0, fewest.count);
  }
}

// Writes `text` to `path` through a temporary file beside it, renamed over the path once whole:
// an existing file is replaced or left as it was, never truncated.
void write_file_atomically(const std::string& path, const std::string& text) {
  const auto fail = [&](const std::string& what) {
    return Error(ErrorCode::output, "could not write '" + path + "': " + what);
  };
  std::string temp = path + ".vramest-XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) throw fail(std::strerror(errno));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      std::remove(temp.c_str());
      throw fail(reason);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || ::close(fd) != 0 || std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(temp.c_str());
    throw fail(reason);
  }
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

CLI::App* setup_sweep(CLI::App& app, SweepOptions& options, GlobalOptions& global) {
  CLI::App* sweep =
      app.add_subcommand("sweep", "A grid of estimates as CSV or JSON lines (for plots and CI matrices)");
  sweep->add_option("--models", options.models, "Comma-separated catalog models or config.json paths")
      ->type_name("LIST")
      ->required();
  sweep
      ->add_option("--formats", options.formats,
                   "Comma-separated weight formats (default: each checkpoint's)")
      ->type_name("LIST");
  sweep->add_option("--contexts", options.contexts, "Comma-separated contexts (default 4096; 32k = 32768)")
      ->type_name("LIST");
  sweep->add_option("--batches", options.batches, "Comma-separated batch sizes (default 1)")
      ->type_name("LIST");
  sweep
      ->add_option("--gpu", options.gpu_ids,
                   "GPU ids, repeatable or comma-separated (default: the featured GPUs)")
      ->type_name("LIST");
  sweep
      ->add_option("--gpus", options.gpus,
                   "Comma-separated GPU counts, e.g. 1,2,4 (default 1); GPU ids are read as --gpu")
      ->type_name("LIST");
  sweep
      ->add_option("--reserve", options.reserve,
                   "Memory per GPU taken by a display or other processes, e.g. 1GiB")
      ->type_name("SIZE");
  sweep
      ->add_option("--engine", options.engine,
                   "transformers, vllm or llamacpp (default: as the estimate infers it)")
      ->type_name("NAME");
  sweep->add_option("--kv-dtype", options.kv_dtype, "KV cache type")->type_name("NAME");
  sweep->add_option("--output,--output-format", options.output, "csv (default) or jsonl")
      ->type_name("FORMAT");
  sweep
      ->add_option("-o,--out", options.out_file,
                   "Write to FILE (through a temporary file, renamed once complete)")
      ->type_name("FILE");
  sweep->footer(
      "Columns: model, engine, precision, context, batch, gpu, gpu_count, layout, weights_bytes, "
      "kv_cache_bytes,\n"
      "activations_bytes, runtime_bytes, total_bytes (over the gpu_count GPUs), per_gpu_bytes, fits (on "
      "gpu_count\n"
      "of the GPU, placed as the estimate places it), gpus_needed (the fewest of that GPU; 0: none holds "
      "it).\n"
      "Examples:\n"
      "  vramest sweep --models llama-3.1-8b,qwen3-8b --contexts 4k,32k,128k --gpu rtx-4090,h100-sxm --gpus "
      "1,2\n"
      "  vramest sweep --models llama-3.1-70b --engine llamacpp --formats q4_k_m,q8_0 --batches 1,4 --output "
      "jsonl");
  add_global_options(*sweep, global);
  return sweep;
}

CommandResult run_sweep(const SweepOptions& options, const GlobalOptions& global) {
  (void)resolve_style(global);
  if (global.json) throw Error(ErrorCode::usage, "sweep writes CSV or JSON lines", "use --output jsonl");
  const std::string output = to_lower(options.output);
  if (output != "csv" && output != "jsonl") {
    throw Error(ErrorCode::invalid_value, "unknown sweep output '" + options.output + "'",
                "use csv or jsonl");
  }
  const bool jsonl = output == "jsonl";
  const std::string data_dir = resolve_data_dir(global);

  std::vector<std::uint64_t> contexts;
  for (const std::string& c : split_commas(options.contexts))
    contexts.push_back(token_count(c, "context", kMaxSearchContext));
  std::vector<std::uint64_t> batches;
  for (const std::string& b : split_commas(options.batches))
    batches.push_back(token_count(b, "batch", kMaxSearchBatch));
  if (contexts.empty() || batches.empty())
    throw Error(ErrorCode::usage, "--contexts and --batches need at least one value");

  // GPU ids from --gpu, and from --gpus where it holds ids (its older meaning); counts from --gpus.
  std::vector<std::string> ids;
  for (const std::string& list : options.gpu_ids) {
    for (std::string& id : split_commas(list)) ids.push_back(std::move(id));
  }
  std::vector<std::uint64_t> counts;
  for (const std::string& item : split_commas(options.gpus)) {
    if (all_digits(item))
      counts.push_back(gpu_count(item));
    else
      ids.push_back(item);
  }
  if (counts.empty()) counts.push_back(1);
  const GpuCatalog catalog = load_gpu_catalog(data_dir);
  std::vector<const GpuSpec*> gpus;
  for (const std::string& id : ids) gpus.push_back(&catalog.find(id));
  if (gpus.empty()) {
    for (const GpuSpec& gpu : catalog.all()) {
      if (gpu.featured) gpus.push_back(&gpu);
    }
  }
  const Bytes reserve = options.reserve.empty() ? Bytes{0} : parse_memory_flag(options.reserve, "--reserve");
  const std::vector<std::string> model_names = split_commas(options.models);
  if (model_names.empty()) throw Error(ErrorCode::usage, "--models names no model");
  std::vector<ResolvedModel> models;
  for (const std::string& name : model_names) {
    models.push_back(resolve_model(name, data_dir));
    if (!models.back().arch) {
      throw Error(ErrorCode::invalid_value,
                  "sweep needs architectures, and '" + name + "' is a bare parameter count",
                  "name catalog models or config.json files");
    }
  }

  std::string out =
      jsonl ? ""
            : "model,engine,precision,context,batch,gpu,gpu_count,layout,weights_bytes,kv_cache_bytes,"
              "activations_bytes,runtime_bytes,total_bytes,per_gpu_bytes,fits,gpus_needed\n";
  // vLLM's scheduler defaults depend on the GPU: plan once per default set, and pick per GPU.
  const VllmBatchDefaults small = vllm_serve_defaults(Bytes{0}, "");
  const VllmBatchDefaults large = vllm_serve_defaults(Bytes{80 * kGiB}, "h100");
  std::vector<bool> gpu_takes_large;
  std::vector<std::string> gpu_cells;
  for (const GpuSpec* gpu : gpus) {
    gpu_takes_large.push_back(vllm_serve_defaults(gpu->memory, gpu->id).max_num_batched_tokens !=
                              small.max_num_batched_tokens);
    gpu_cells.push_back(cell(gpu->id, jsonl));
  }
  const std::vector<std::string> format_names = split_commas(options.formats);

  for (const ResolvedModel& model : models) {
    const std::string model_cell = cell(model.ref.name, jsonl);
    const ParallelShape shape = shape_of(*model.arch);
    std::vector<std::string> names = format_names;
    if (names.empty()) names.push_back("");  // the checkpoint's own format
    for (const std::string& name : names) {
      // The engine and format as the estimate reads them.
      const Engine engine = resolve_engine(options.engine, name, model);
      const WeightBreakdown* stored = nullptr;
      std::string format_id = format_for_engine(engine, name);
      if (name.empty()) {
        const DefaultWeights d = default_weights(model, engine);
        format_id = d.format_id;
        stored = d.stored;
      }
      const WeightFormat format = parse_weight_format(format_id);
      check_engine_format(engine, format);
      InferenceOptions opt;
      opt.engine = engine;
      opt.kv_dtype = options.kv_dtype;
      opt.max_num_batched_tokens = small.max_num_batched_tokens;
      opt.max_num_seqs = small.max_num_seqs;
      const InferencePlan plan = plan_inference(*model.arch, model.ref, format, opt, stored);
      std::optional<InferencePlan> large_plan;
      if (engine == Engine::vllm) {
        opt.max_num_batched_tokens = large.max_num_batched_tokens;
        opt.max_num_seqs = large.max_num_seqs;
        large_plan = plan_inference(*model.arch, model.ref, format, opt, stored);
      }
      const SplitPolicy policy = split_policy(engine);
      for (std::uint64_t context : contexts) {
        for (std::uint64_t batch : batches) {
          const Components small_c = inference_components(plan, context, batch);
          const Components large_c = large_plan ? inference_components(*large_plan, context, batch) : small_c;
          for (std::size_t g = 0; g < gpus.size(); ++g) {
            const Components& c = large_plan && gpu_takes_large[g] ? large_c : small_c;
            const GpuFit fewest = fewest_of_kind(c, shape, policy, *gpus[g], reserve);
            for (const std::uint64_t count : counts) {
              const Placement p =
                  place(c, shape, policy, GpuGroup{std::vector<const GpuSpec*>(count, gpus[g]), reserve});
              append_row(out, jsonl,
                         Row{&model_cell, engine, &format.id, context, batch, &gpu_cells[g], count}, p,
                         fewest);
            }
          }
        }
      }
    }
  }
  if (!options.out_file.empty()) {
    write_file_atomically(options.out_file, out);
    return {"", kExitOk};
  }
  return {std::move(out), kExitOk};
}

}  // namespace vramest::shell
