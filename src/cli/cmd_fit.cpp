#include "cli/cmd_fit.hpp"

#include <CLI/CLI.hpp>

#include "catalog_data.hpp"
#include "cli/values.hpp"
#include "model_source.hpp"
#include "vramest/fit.hpp"
#include "vramest/param_count.hpp"
#include "vramest/speed.hpp"

namespace vramest::shell {
namespace {

// The formats the chart compares: a few rungs of the engine's ladder.
std::vector<std::string> chart_formats(Engine engine) {
  switch (engine) {
    case Engine::llamacpp: return {"f16", "q8_0", "q4_k_m", "q2_k"};
    case Engine::vllm: return {"bf16", "fp8", "awq"};
    case Engine::transformers: return {"bf16", "int8", "nf4"};
  }
  return {};
}

}  // namespace

CLI::App* setup_fit(CLI::App& app, FitOptions& options, GlobalOptions& global) {
  CLI::App* fit = app.add_subcommand(
      "fit", "What fits on these GPUs: largest context and batch, best format, fewest GPUs, speed");
  fit->add_option("model", options.estimate.model,
                  "A catalog model or a config.json (the architecture is needed)")
      ->type_name("MODEL")
      ->required();
  fit->add_option("-p,--precision", options.estimate.inference.precision,
                  "Weight format (default: the checkpoint's; 'vramest formats' lists them)")
      ->type_name("NAME");
  add_inference_options(*fit, options.estimate);
  add_gpu_options(*fit, options.estimate.gpu, "How many of the (one) --gpu or --gpu-memory card (default 1)");
  fit->add_option("--prompt", options.prompt,
                  "Prompt tokens for the time to first token (default: the context)")
      ->type_name("TOKENS");
  fit->add_flag("--no-chart", options.no_chart, "Leave out the memory-against-context chart");
  fit->footer(
      "Exit status: 0 when the request (-c x -b at -p) fits, 1 when it does not.\n"
      "Examples:\n"
      "  vramest fit llama-3.1-8b --gpu rtx-4090 -c 32k\n"
      "  vramest fit qwen3-32b --engine vllm --gpu h100-sxm --gpus 2 -b 16\n"
      "  vramest fit llama-3.1-70b -p q4_k_m --engine llamacpp --gpu rtx-4090 --gpu rtx-3090\n"
      "  vramest fit qwen3-30b-a3b -p q4_k_m --engine llamacpp --gpu-memory 16GiB --reserve 1GiB\n"
      "  vramest fit gemma-3-27b --gpu rtx-5090 --json | jq .max_context");
  add_global_options(*fit, global);
  return fit;
}

CommandResult run_fit(const FitOptions& options, const GlobalOptions& global) {
  const report::Style style = resolve_style(global);
  const EstimateOptions& est = options.estimate;
  if (!est.gpu.given()) {
    throw Error(ErrorCode::usage, "fit needs a GPU",
                "give --gpu ID (repeatable), --gpu 24GB or --gpu-memory SIZE");
  }
  if (!est.inference.n_gpu_layers.empty() || !est.inference.n_cpu_moe.empty()) {
    throw Error(ErrorCode::usage, "fit finds -ngl and --n-cpu-moe itself",
                "give them to the estimate: vramest MODEL -ngl N");
  }
  if (!est.tp.empty() || !est.pp.empty()) {
    throw Error(ErrorCode::usage, "fit finds the parallel layout itself",
                "give --tp/--pp to the estimate: vramest MODEL --tp N");
  }
  const std::string data_dir = resolve_data_dir(global);
  const ResolvedModel model = resolve_model(est.model, data_dir);
  if (!model.arch) {
    throw Error(ErrorCode::invalid_value,
                "fit needs the model's architecture, and a bare parameter count has none",
                "name a catalog model ('vramest models') or a config.json");
  }

  // The GPU group: the same selection and placement as the estimate's.
  const GpuSelection gpus(est.gpu, data_dir);
  report::FitView view;
  view.gpus = gpus.group();
  view.reserve = gpus.reserve();
  for (const GpuSpec* gpu : view.gpus) view.capacity += gpu->memory;
  const GpuGroup group{view.gpus, view.reserve};

  const InferenceSetup setup = inference_setup(est, model, view.gpus.front());
  const InferencePlan plan =
      plan_inference(*model.arch, model.ref, setup.format, setup.options, setup.stored);
  view.model = model.ref;
  view.hf_id = model.hf_id;
  view.warnings = model.arch->warnings;
  view.engine = setup.options.engine;
  view.format = setup.format.id;
  view.defaults = setup.defaults;
  view.readings = setup.readings;
  view.context = setup.options.context;
  view.batch = setup.options.batch;
  view.request = inference_components(plan, view.context, view.batch);
  view.placement = place_plan(plan, view.request, group);
  view.fits = view.placement.fits;
  view.max_context = max_context(plan, view.batch, group);
  view.trained_context = model.arch->max_context;
  view.max_batch = max_batch(plan, view.context, group);
  for (const std::string& id : format_ladder(view.engine)) {
    const WeightFormat format = parse_weight_format(id);
    if (plan_fits(plan_inference(*model.arch, model.ref, format, setup.options), view.context, view.batch,
                  group)) {
      view.best_format = id;
      break;
    }
  }
  view.fewest = fewest_gpus(plan, view.context, view.batch, *view.gpus.front(), view.reserve);
  if (view.engine == Engine::llamacpp) view.offload = llamacpp_offload(plan, view.context, view.batch, group);
  view.prompt = options.prompt.empty() ? view.context : token_count(options.prompt, "prompt", 100'000'000);
  const GpuSpec& first = *view.gpus.front();
  // With part of the model in CPU RAM the GPU's bandwidth bounds nothing: no speed line then.
  if (first.bandwidth_gb_s > 0 && view.fits) {
    const std::uint64_t parallel = view.engine == Engine::vllm ? view.placement.layout.tp : 1;
    view.speed = speed_bounds(plan, view.context, view.batch, view.prompt, first, parallel);
  }

  // The chart: memory against context for a few formats, powers of two from 1k to past the largest
  // context that fits (or the model's trained context).
  const std::uint64_t chart_end = std::max<std::uint64_t>(
      std::min<std::uint64_t>(std::max(view.max_context * 2, view.trained_context), 1ULL << 20), 4096);
  for (std::uint64_t c = 1024; c <= chart_end; c *= 2) view.chart_contexts.push_back(c);
  for (const std::string& id : chart_formats(view.engine)) {
    const InferencePlan p = plan_inference(*model.arch, model.ref, parse_weight_format(id), setup.options);
    report::ChartSeries series{id, {}};
    for (std::uint64_t c : view.chart_contexts)
      series.totals.push_back(inference_components(p, c, view.batch).sum());
    view.chart.push_back(std::move(series));
  }

  CommandResult result;
  result.exit_code = view.fits ? kExitOk : kExitDoesNotFit;
  result.out = global.json ? report::fit_json(view) : report::fit_text(view, style, !options.no_chart);
  return result;
}

}  // namespace vramest::shell
