#include "cli/cmd_sweep.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "catalog_data.hpp"
#include "cli/cmd_estimate.hpp"
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
// `model` and `gpu` are cells (see cell()); format ids and engine names never need quoting.
void append_row(std::string& out, bool jsonl, const std::string& model, Engine engine, const std::string& format,
                std::uint64_t context, std::uint64_t batch, const std::string& gpu, const Components& c, const GpuFit& fit) {
  const std::uint64_t total = c.sum().count;
  if (jsonl) {
    fmt::format_to(std::back_inserter(out),
                   "{{\"model\":{},\"engine\":\"{}\",\"precision\":\"{}\",\"context\":{},\"batch\":{},\"gpu\":{},"
                   "\"weights_bytes\":{},\"kv_cache_bytes\":{},\"activations_bytes\":{},\"runtime_bytes\":{},"
                   "\"total_bytes\":{},\"fits\":{},\"gpus_needed\":{}}}\n",
                   model, engine_name(engine), format, context, batch, gpu, c.weights.count, c.kv_cache.count,
                   c.activations.count, c.runtime.count, total, fit.fits ? "true" : "false", fit.count);
  } else {
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{},{},{},{},{}\n", model, engine_name(engine), format,
                   context, batch, gpu, c.weights.count, c.kv_cache.count, c.activations.count, c.runtime.count, total,
                   fit.fits ? 1 : 0, fit.count);
  }
}

}  // namespace

CLI::App* setup_sweep(CLI::App& app, SweepOptions& options, GlobalOptions& global) {
  CLI::App* sweep = app.add_subcommand("sweep", "A grid of estimates as CSV or JSON lines (for plots and CI matrices)");
  sweep->add_option("--models", options.models, "Comma-separated catalog models or config.json paths")
      ->type_name("LIST")
      ->required();
  sweep->add_option("--formats", options.formats, "Comma-separated weight formats (default: each checkpoint's)")->type_name("LIST");
  sweep->add_option("--contexts", options.contexts, "Comma-separated contexts (default 4096; 32k = 32768)")->type_name("LIST");
  sweep->add_option("--batches", options.batches, "Comma-separated batch sizes (default 1)")->type_name("LIST");
  sweep->add_option("--gpus", options.gpus, "Comma-separated GPU ids (default: the featured GPUs)")->type_name("LIST");
  sweep->add_option("--engine", options.engine, "transformers (default), vllm or llamacpp")->type_name("NAME");
  sweep->add_option("--kv-dtype", options.kv_dtype, "KV cache type")->type_name("NAME");
  sweep->add_option("--output", options.output, "csv (default) or jsonl")->type_name("FORMAT");
  sweep->footer(
      "Columns: model, engine, precision, context, batch, gpu, weights_bytes, kv_cache_bytes, activations_bytes,\n"
      "runtime_bytes, total_bytes, fits (on one GPU), gpus_needed (0: no number of them holds it).\n"
      "Examples:\n"
      "  vramest sweep --models llama-3.1-8b,qwen3-8b --contexts 4k,32k,128k --gpus rtx-4090,h100-sxm\n"
      "  vramest sweep --models llama-3.1-70b --engine llamacpp --formats q4_k_m,q8_0 --batches 1,4 --output jsonl");
  add_global_options(*sweep, global);
  return sweep;
}

CommandResult run_sweep(const SweepOptions& options, const GlobalOptions& global) {
  (void)resolve_style(global);
  if (global.json) throw Error(ErrorCode::usage, "sweep writes CSV or JSON lines", "use --output jsonl");
  const std::string output = to_lower(options.output);
  if (output != "csv" && output != "jsonl") {
    throw Error(ErrorCode::invalid_value, "unknown sweep output '" + options.output + "'", "use csv or jsonl");
  }
  const bool jsonl = output == "jsonl";
  const std::string data_dir = resolve_data_dir(global);
  const Engine engine = options.engine.empty() ? Engine::transformers : parse_engine(options.engine);

  std::vector<std::uint64_t> contexts;
  for (const std::string& c : split_commas(options.contexts)) contexts.push_back(parse_token_count(c, "context", kMaxSearchContext));
  std::vector<std::uint64_t> batches;
  for (const std::string& b : split_commas(options.batches)) batches.push_back(parse_token_count(b, "batch", kMaxSearchBatch));
  if (contexts.empty() || batches.empty()) throw Error(ErrorCode::usage, "--contexts and --batches need at least one value");

  const GpuCatalog catalog = load_gpu_catalog(data_dir);
  std::vector<const GpuSpec*> gpus;
  for (const std::string& id : split_commas(options.gpus)) gpus.push_back(&catalog.find(id));
  if (gpus.empty()) {
    for (const GpuSpec& gpu : catalog.all()) {
      if (gpu.featured) gpus.push_back(&gpu);
    }
  }
  const std::vector<std::string> model_names = split_commas(options.models);
  if (model_names.empty()) throw Error(ErrorCode::usage, "--models names no model");
  std::vector<ResolvedModel> models;
  for (const std::string& name : model_names) {
    models.push_back(resolve_model(name, data_dir));
    if (!models.back().arch) {
      throw Error(ErrorCode::invalid_value, "sweep needs architectures, and '" + name + "' is a bare parameter count",
                  "name catalog models or config.json files");
    }
  }

  std::string out = jsonl ? "" : "model,engine,precision,context,batch,gpu,weights_bytes,kv_cache_bytes,"
                                 "activations_bytes,runtime_bytes,total_bytes,fits,gpus_needed\n";
  // vLLM's scheduler defaults depend on the GPU: plan once per default set, and pick per GPU.
  const VllmBatchDefaults small = vllm_serve_defaults(Bytes{0}, "");
  const VllmBatchDefaults large = vllm_serve_defaults(Bytes{80 * kGiB}, "h100");
  std::vector<bool> gpu_takes_large;
  std::vector<std::string> gpu_cells;
  for (const GpuSpec* gpu : gpus) {
    gpu_takes_large.push_back(vllm_serve_defaults(gpu->memory, gpu->id).max_num_batched_tokens != small.max_num_batched_tokens);
    gpu_cells.push_back(cell(gpu->id, jsonl));
  }
  std::vector<WeightFormat> chosen_formats;
  for (const std::string& id : split_commas(options.formats)) chosen_formats.push_back(parse_weight_format(id));

  for (const ResolvedModel& model : models) {
    const std::string model_cell = cell(model.ref.name, jsonl);
    std::vector<WeightFormat> formats = chosen_formats;
    const WeightBreakdown* stored = nullptr;
    if (formats.empty()) {
      const DefaultWeights d = default_weights(model, engine);
      formats.push_back(parse_weight_format(d.format_id));
      stored = d.stored;
    }
    for (const WeightFormat& format : formats) {
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
      for (std::uint64_t context : contexts) {
        for (std::uint64_t batch : batches) {
          const Components small_c = inference_components(plan, context, batch);
          const Components large_c = large_plan ? inference_components(*large_plan, context, batch) : small_c;
          for (std::size_t g = 0; g < gpus.size(); ++g) {
            const Components& c = large_plan && gpu_takes_large[g] ? large_c : small_c;
            const GpuFit fit = fit_split(*gpus[g], c.weights + c.kv_cache + c.activations, c.runtime, 1);
            append_row(out, jsonl, model_cell, engine, format.id, context, batch, gpu_cells[g], c, fit);
          }
        }
      }
    }
  }
  return {std::move(out), kExitOk};
}

}  // namespace vramest::shell
