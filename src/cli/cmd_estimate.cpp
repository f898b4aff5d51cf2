#include "cli/cmd_estimate.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "catalog_data.hpp"
#include "model_source.hpp"
#include "vramest/param_count.hpp"
#include "vramest/rule.hpp"

namespace vramest::shell {
namespace {

// Context beyond 100M tokens or a batch beyond 1M sequences is a typo.
constexpr std::uint64_t kMaxContext = 100'000'000;
constexpr std::uint64_t kMaxBatch = 1'000'000;

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

bool fits_everywhere(const std::vector<GpuFit>& fits) {
  return std::all_of(fits.begin(), fits.end(), [](const GpuFit& f) { return f.fits; });
}

// Exit 1 when GPUs were named and none of the estimates fits on all of them.
int fit_exit_code(const std::vector<const std::vector<GpuFit>*>& fit_lists, const FitRequest& request) {
  if (!request.named) return kExitOk;
  for (const auto* fits : fit_lists) {
    if (fits_everywhere(*fits)) return kExitOk;
  }
  return kExitDoesNotFit;
}

FitRequest fit_request(const EstimateOptions& options, const GlobalOptions& global, GpuCatalog& catalog) {
  FitRequest request;
  catalog = load_gpu_catalog(resolve_data_dir(global));
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
  return request;
}

// The seed's precision closest to a weight format, to show the rule range beside a detailed total.
std::string_view nearest_rule_precision(const DetailedInference& d) {
  const double bits = 8.0 * static_cast<double>(d.weights.total.count) / static_cast<double>(d.estimate.model.params);
  if (bits > 20) return "fp32";
  if (bits > 10) return "bf16";
  if (bits > 6) return "int8";
  return "int4";
}

std::string fmt_default_vllm(std::uint64_t tokens, std::uint64_t seqs) {
  return "vLLM serve scheduler: " + std::to_string(tokens) + " batched tokens, " + std::to_string(seqs) + " sequences";
}

bool detailed_flags_given(const EstimateOptions& o) {
  return !o.context.empty() || !o.batch.empty() || !o.kv_dtype.empty() || !o.engine.empty() || !o.ubatch.empty() ||
         o.no_flash_attn || !o.gpu_util.empty() || !o.max_batched_tokens.empty() || !o.max_seqs.empty();
}

CommandResult run_rule(const EstimateOptions& options, const GlobalOptions& global, const ModelRef& model,
                       Mode mode) {
  const report::Style style = resolve_style(global);
  const bool all_precisions = to_lower(options.precision) == "all";
  if (!options.precision.empty() && !all_precisions) {
    const std::vector<std::string> rule_ids = precision_ids();
    if (std::find(rule_ids.begin(), rule_ids.end(), to_lower(options.precision)) == rule_ids.end()) {
      (void)parse_weight_format(options.precision);  // unknown everywhere: "did you mean"
      throw Error(ErrorCode::invalid_value,
                  "format '" + options.precision + "' needs the detailed method, which needs the model's architecture",
                  "the rule method knows fp32, fp16, bf16, fp8, int8 and int4");
    }
  }
  if (all_precisions && mode != Mode::inference) throw Error(ErrorCode::usage, "-p all applies to inference only");
  const OverheadRange overhead = options.overhead.empty() ? OverheadRange{} : parse_overhead(options.overhead);
  GpuCatalog catalog;
  const FitRequest request = fit_request(options, global, catalog);
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
    std::vector<const std::vector<GpuFit>*> fits;
    for (const auto& v : analysis.inference) fits.push_back(&v.fits);
    fits.push_back(&analysis.train.fits);
    fits.push_back(&analysis.lora.fits);
    result.exit_code = fit_exit_code(fits, request);
    result.out = global.json ? report::analysis_json(analysis) : report::analysis_text(analysis, style);
    return result;
  }
  if (all_precisions) {
    std::vector<report::EstimateView> all;
    for (std::string_view id : kSeedPrecisionIds) all.push_back(estimate(mode, id));
    std::vector<const std::vector<GpuFit>*> fits;
    for (const auto& v : all) fits.push_back(&v.fits);
    result.exit_code = fit_exit_code(fits, request);
    if (global.json) {
      result.out = report::estimates_json(all);
    } else {
      for (const auto& v : all) result.out += (result.out.empty() ? "" : "\n") + report::estimate_text(v, style);
    }
    return result;
  }
  const report::EstimateView single = estimate(mode, options.precision.empty() ? "bf16" : options.precision);
  result.exit_code = fit_exit_code({&single.fits}, request);
  result.out = global.json ? report::estimate_json(single) : report::estimate_text(single, style);
  return result;
}

CommandResult run_detailed(const EstimateOptions& options, const GlobalOptions& global, const ResolvedModel& model) {
  const report::Style style = resolve_style(global);
  if (to_lower(options.precision) == "all") {
    throw Error(ErrorCode::usage, "-p all applies to the rule method", "name one format, e.g. -p q4_k_m");
  }
  if (!options.overhead.empty()) {
    throw Error(ErrorCode::usage, "--overhead applies to the rule method",
                "the detailed method computes each component instead");
  }
  report::DetailedView view;
  InferenceOptions opt;
  const auto note_default = [&](bool given, std::string text) {
    if (!given) view.defaults.push_back(std::move(text));
  };
  opt.engine = options.engine.empty() ? Engine::transformers : parse_engine(options.engine);
  note_default(!options.engine.empty(), "engine transformers");
  opt.context = options.context.empty() ? 4096 : parse_token_count(options.context, "context", kMaxContext);
  note_default(!options.context.empty(), "context 4096 tokens");
  opt.batch = options.batch.empty() ? 1 : parse_token_count(options.batch, "batch", kMaxBatch);
  note_default(!options.batch.empty(), "batch 1");
  opt.kv_dtype = options.kv_dtype;
  note_default(!options.kv_dtype.empty(), opt.engine == Engine::llamacpp ? "KV cache fp16" : "KV cache bf16");
  if (!options.ubatch.empty()) {
    if (opt.engine != Engine::llamacpp) throw Error(ErrorCode::usage, "--ubatch applies to --engine llamacpp");
    opt.ubatch = parse_token_count(options.ubatch, "ubatch", 1'000'000);
  }
  if (options.no_flash_attn && opt.engine != Engine::llamacpp) {
    throw Error(ErrorCode::usage, "--no-flash-attn applies to --engine llamacpp");
  }
  opt.flash_attention = !options.no_flash_attn;
  if (!options.gpu_util.empty()) {
    if (opt.engine != Engine::vllm) throw Error(ErrorCode::usage, "--gpu-util applies to --engine vllm");
    opt.gpu_memory_utilization_permille = parse_utilization(options.gpu_util);
  }
  GpuCatalog catalog;
  const FitRequest request = fit_request(options, global, catalog);
  if (opt.engine == Engine::vllm) {
    const GpuSpec* first = request.named ? request.gpus.front() : nullptr;
    const VllmBatchDefaults defaults = vllm_serve_defaults(first ? first->memory : Bytes{0}, first ? first->id : "");
    opt.max_num_batched_tokens = options.max_batched_tokens.empty()
                                     ? defaults.max_num_batched_tokens
                                     : parse_token_count(options.max_batched_tokens, "max batched tokens", 10'000'000);
    opt.max_num_seqs = options.max_seqs.empty() ? defaults.max_num_seqs
                                                : parse_token_count(options.max_seqs, "max sequences", kMaxBatch);
    note_default(!options.max_batched_tokens.empty() && !options.max_seqs.empty(),
                 fmt_default_vllm(opt.max_num_batched_tokens, opt.max_num_seqs));
  } else if (!options.max_batched_tokens.empty() || !options.max_seqs.empty()) {
    throw Error(ErrorCode::usage, "--max-batched-tokens and --max-seqs apply to --engine vllm");
  }
  // llama.cpp runs GGUF files: without -p, the published checkpoint converted as
  // convert_hf_to_gguf.py does (MXFP4 experts stay MXFP4; 16-bit weights become F16).
  std::string format_id = options.precision;
  if (format_id.empty()) {
    format_id = model.default_format;
    if (opt.engine == Engine::llamacpp) format_id = format_id == "mxfp4" ? "mxfp4_moe" : format_id == "fp32" ? "f32" : "f16";
  }
  note_default(!options.precision.empty(), "weights " + format_id + " (the published checkpoint's format)");
  const WeightFormat format = parse_weight_format(format_id);
  if (opt.engine == Engine::llamacpp && format.kind != FormatKind::gguf) {
    throw Error(ErrorCode::invalid_value, "llama.cpp runs GGUF formats, not " + format.id,
                "use a GGUF format such as q4_k_m, q8_0 or f16 ('vramest formats')");
  }
  if (opt.engine == Engine::transformers && format.kind == FormatKind::gguf) {
    throw Error(ErrorCode::invalid_value, "transformers dequantizes GGUF weights when it loads them",
                "estimate -p bf16 for transformers, or use --engine llamacpp for " + format.id);
  }

  view.result = estimate_inference(*model.arch, model.ref, format, opt);
  for (const std::string& note : model.arch->notes) view.result.notes.push_back(note);
  view.hf_id = model.hf_id;
  view.engine = opt.engine;
  view.rule = rule_estimate(model.ref, Mode::inference, find_precision(nearest_rule_precision(view.result)), {});

  const Estimate& e = view.result.estimate;
  const Bytes sharded = e.components.weights + e.components.kv_cache + e.components.activations;
  const Bytes per_gpu_fixed = e.components.runtime;
  view.gpus_requested = request.count;
  view.gpus_named = request.named;
  view.per_gpu = Bytes{ceil_div(sharded.count, request.count)} + per_gpu_fixed;
  for (const GpuSpec* gpu : request.gpus) view.fits.push_back(fit_split(*gpu, sharded, per_gpu_fixed, request.count));
  if (opt.engine == Engine::vllm && request.named) {
    for (const GpuSpec* gpu : request.gpus) {
      report::VllmReservation r;
      r.gpu = gpu;
      r.reserved = Bytes{mul_div_ceil(gpu->memory.count * request.count, opt.gpu_memory_utilization_permille, 1000)};
      const Bytes used = e.components.weights + e.components.activations + Bytes{e.components.runtime.count * request.count};
      r.kv_pool = r.reserved > used ? r.reserved - used : Bytes{0};
      r.kv_tokens = view.result.kv.bytes_per_token_full == 0 ? 0 : r.kv_pool.count / view.result.kv.bytes_per_token_full;
      view.vllm.push_back(r);
    }
  }
  CommandResult result;
  result.exit_code = fit_exit_code({&view.fits}, request);
  result.out = global.json ? report::detailed_json(view) : report::detailed_text(view, style);
  return result;
}

}  // namespace

void setup_estimate(CLI::App& app, EstimateOptions& options) {
  app.add_option("model", options.model,
                 "A catalog model (llama-3.1-8b, Qwen/Qwen3-8B), a config.json or its directory, or a "
                 "parameter count (14B, 7.5b, 350M, 1.2T, 8030261248)")
      ->type_name("MODEL");
  app.add_option("-p,--precision", options.precision,
                 "Weight format: fp32, fp16, bf16, fp8, int8, int4, nf4, gptq, awq, q4_k_m, ... ('vramest formats'); "
                 "all: one estimate per seed precision (rule method)")
      ->type_name("NAME");
  app.add_option("--mode", options.mode, "inference (default), train, lora or qlora")->type_name("MODE");
  app.add_option("--method", options.method,
                 "detailed (default when the architecture is known) or rule (the seed's rules of thumb)")
      ->type_name("METHOD");
  app.add_option("-c,--context", options.context, "Tokens per sequence, e.g. 8192 or 32k (default 4096)")
      ->type_name("TOKENS");
  app.add_option("-b,--batch", options.batch, "Concurrent sequences (default 1)")->type_name("N");
  app.add_option("--kv-dtype", options.kv_dtype, "KV cache type: fp16, bf16, fp8, q8_0, q4_0 (llama.cpp), ...")
      ->type_name("NAME");
  app.add_option("--engine", options.engine, "transformers (default), vllm or llamacpp")->type_name("NAME");
  app.add_option("--ubatch", options.ubatch, "llama.cpp micro-batch (-ub, default 512)")->type_name("N");
  app.add_flag("--no-flash-attn", options.no_flash_attn, "llama.cpp without flash attention (-fa off)");
  app.add_option("--gpu-util", options.gpu_util, "vLLM gpu_memory_utilization (default 0.9)")->type_name("FRACTION");
  app.add_option("--max-batched-tokens", options.max_batched_tokens,
                 "vLLM max_num_batched_tokens (default 8192 on GPUs >= 70 GiB but A100, else 2048)")
      ->type_name("N");
  app.add_option("--max-seqs", options.max_seqs, "vLLM max_num_seqs (default 1024 on GPUs >= 70 GiB but A100, else 256)")
      ->type_name("N");
  app.add_option("--overhead", options.overhead,
                 "Runtime multiplier range of the rule method, default 1.2-1.3 (one value: no range)")
      ->type_name("RANGE");
  app.add_option("--gpu", options.gpu_ids, "Check the fit on this GPU id (repeatable); exit 1 if it does not fit")
      ->type_name("ID");
  app.add_option("--gpus", options.gpus, "With --gpu: how many of that GPU you have (default 1)")->type_name("N");
}

CommandResult run_estimate(const EstimateOptions& options, const GlobalOptions& global) {
  (void)resolve_style(global);  // reject bad --units before any work
  if (!options.model_given) {
    throw Error(ErrorCode::usage, "no model given", "try 'vramest 14B', 'vramest llama-3.1-8b', or 'vramest --help'");
  }
  if (!options.gpus.empty() && options.gpu_ids.empty()) {
    throw Error(ErrorCode::usage, "--gpus needs --gpu", "for example: --gpu rtx-3090 --gpus 2");
  }
  const Mode mode = options.mode.empty() ? Mode::inference : parse_mode(options.mode);
  std::optional<Method> method;
  if (!options.method.empty()) method = parse_method(options.method);
  if (!options.overhead.empty() && mode != Mode::inference) {
    throw Error(ErrorCode::usage, "--overhead applies to inference only",
                "the seed's training rules have no runtime multiplier");
  }
  const ResolvedModel model = resolve_model(options.model, resolve_data_dir(global));
  const bool has_arch = model.arch.has_value();
  // The detailed method is the default whenever the architecture is known; training modes use
  // the rule method until the detailed training model exists.
  const Method chosen = method.value_or(has_arch && mode == Mode::inference ? Method::detailed : Method::rule);
  if (chosen == Method::detailed) {
    if (!has_arch) {
      throw Error(ErrorCode::invalid_value,
                  "the detailed method needs the model's architecture, and a bare parameter count has none",
                  "name a catalog model ('vramest models') or a config.json, or use --method rule");
    }
    if (mode != Mode::inference) {
      throw Error(ErrorCode::invalid_value, "the detailed method models inference only so far",
                  "use --method rule for the seed's training rules");
    }
    return run_detailed(options, global, model);
  }
  if (detailed_flags_given(options)) {
    throw Error(ErrorCode::usage, "-c, -b, --kv-dtype, --engine, --ubatch and --no-flash-attn need the detailed method",
                has_arch ? "drop --method rule" : "name a catalog model or a config.json instead of a parameter count");
  }
  return run_rule(options, global, model.ref, mode);
}

}  // namespace vramest::shell
