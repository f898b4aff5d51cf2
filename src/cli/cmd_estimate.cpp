#include "cli/cmd_estimate.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "catalog_data.hpp"
#include "vramest/param_count.hpp"
#include "vramest/rule.hpp"

namespace vramest::shell {
namespace {

struct FitRequest {
  std::vector<const GpuSpec*> gpus;  // the GPUs to show
  std::uint64_t count = 1;           // --gpus N
  bool named = false;                // --gpu given
};

report::EstimateView make_view(Estimate estimate, const FitRequest& request) {
  report::EstimateView view;
  view.gpus_requested = request.count;
  view.gpus_named = request.named;
  view.per_gpu = split_evenly(estimate.high, request.count);
  for (const GpuSpec* gpu : request.gpus) view.fits.push_back(fit_on(*gpu, estimate.high, request.count));
  view.estimate = std::move(estimate);
  return view;
}

bool fits_everywhere(const report::EstimateView& view) {
  for (const GpuFit& fit : view.fits) {
    if (!fit.fits) return false;
  }
  return true;
}

// Exit 1 when GPUs were named and none of the estimates fits on all of them.
int fit_exit_code(const std::vector<const report::EstimateView*>& views, const FitRequest& request) {
  if (!request.named) return kExitOk;
  for (const report::EstimateView* view : views) {
    if (fits_everywhere(*view)) return kExitOk;
  }
  return kExitDoesNotFit;
}

}  // namespace

void setup_estimate(CLI::App& app, EstimateOptions& options) {
  app.add_option("model", options.model, "Parameter count: 14B, 7.5b, 350M, 1.2T or 8030261248")
      ->type_name("MODEL");
  app.add_option("-p,--precision", options.precision,
                 "Weight precision: fp32, fp16, bf16, fp8, int8, int4, or all (one estimate each)")
      ->type_name("NAME");
  app.add_option("--mode", options.mode, "inference (default), train, lora or qlora")->type_name("MODE");
  app.add_option("--method", options.method, "rule (the seed's rules of thumb) or detailed")->type_name("METHOD");
  app.add_option("--overhead", options.overhead,
                 "Runtime multiplier range of the rule method, default 1.2-1.3 (one value: no range)")
      ->type_name("RANGE");
  app.add_option("--gpu", options.gpu_ids, "Check the fit on this GPU id (repeatable); exit 1 if it does not fit")
      ->type_name("ID");
  app.add_option("--gpus", options.gpus, "With --gpu: how many of that GPU you have (default 1)")->type_name("N");
}

CommandResult run_estimate(const EstimateOptions& options, const GlobalOptions& global) {
  const report::Style style = resolve_style(global);
  if (!options.model_given) {
    throw Error(ErrorCode::usage, "no model given", "try 'vramest 14B', or 'vramest --help'");
  }
  const Method method = options.method.empty() ? Method::rule : parse_method(options.method);
  const Mode mode = options.mode.empty() ? Mode::inference : parse_mode(options.mode);
  const bool all_precisions = to_lower(options.precision) == "all";
  if (!options.precision.empty() && !all_precisions) (void)find_precision(options.precision);
  if (!options.overhead.empty() && mode != Mode::inference) {
    throw Error(ErrorCode::usage, "--overhead applies to inference only",
                "the seed's training rules have no runtime multiplier");
  }
  if (all_precisions && mode != Mode::inference) {
    throw Error(ErrorCode::usage, "-p all applies to inference only");
  }
  if (!options.gpus.empty() && options.gpu_ids.empty()) {
    throw Error(ErrorCode::usage, "--gpus needs --gpu", "for example: --gpu rtx-3090 --gpus 2");
  }
  const OverheadRange overhead = options.overhead.empty() ? OverheadRange{} : parse_overhead(options.overhead);

  ModelRef model;
  model.params = parse_param_count(options.model);
  model.active_params = model.params;
  model.name = format_param_count(model.params);
  model.source = "parameter count";
  if (method == Method::detailed) {
    throw Error(ErrorCode::invalid_value,
                "the detailed method needs the model's architecture, and a bare parameter count has none",
                "use --method rule for a parameter count");
  }

  FitRequest request;
  const GpuCatalog catalog = load_gpu_catalog(resolve_data_dir(global));
  request.named = !options.gpu_ids.empty();
  request.count = options.gpus.empty() ? 1 : parse_gpu_count(options.gpus);
  if (request.named) {
    for (const std::string& id : options.gpu_ids) request.gpus.push_back(&catalog.find(id));
  } else {
    for (const GpuSpec& gpu : catalog.all()) request.gpus.push_back(&gpu);
    // Smallest memory first, the order a buyer reads a fit table in.
    std::stable_sort(request.gpus.begin(), request.gpus.end(),
                     [](const GpuSpec* a, const GpuSpec* b) { return a->memory < b->memory; });
  }

  const auto estimate = [&](Mode m, std::string_view precision) {
    return make_view(rule_estimate(model, m, find_precision(precision), overhead), request);
  };

  CommandResult result;
  if (options.precision.empty() && options.mode.empty()) {
    // A bare size: the seed's whole analysis.
    report::AnalysisView analysis;
    analysis.model = model;
    analysis.overhead = overhead;
    analysis.gpus_named = request.named;
    for (std::string_view id : kSeedPrecisionIds) analysis.inference.push_back(estimate(Mode::inference, id));
    analysis.train = estimate(Mode::train, "bf16");
    analysis.lora = estimate(Mode::lora, "bf16");
    analysis.savings = rule_savings(model, overhead);
    std::vector<const report::EstimateView*> views;
    for (const auto& v : analysis.inference) views.push_back(&v);
    views.push_back(&analysis.train);
    views.push_back(&analysis.lora);
    result.exit_code = fit_exit_code(views, request);
    result.out = global.json ? report::analysis_json(analysis) : report::analysis_text(analysis, style);
    return result;
  }

  if (all_precisions) {
    std::vector<report::EstimateView> all;
    for (std::string_view id : kSeedPrecisionIds) all.push_back(estimate(mode, id));
    std::vector<const report::EstimateView*> views;
    for (const auto& v : all) views.push_back(&v);
    result.exit_code = fit_exit_code(views, request);
    if (global.json) {
      result.out = report::estimates_json(all);
    } else {
      for (const auto& v : all) result.out += (result.out.empty() ? "" : "\n") + report::estimate_text(v, style);
    }
    return result;
  }

  const report::EstimateView single = estimate(mode, options.precision.empty() ? "bf16" : options.precision);
  result.exit_code = fit_exit_code({&single}, request);
  result.out = global.json ? report::estimate_json(single) : report::estimate_text(single, style);
  return result;
}

}  // namespace vramest::shell
