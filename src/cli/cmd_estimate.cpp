#include "cli/cmd_estimate.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "catalog_data.hpp"
#include "model_source.hpp"
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

bool training_flags_given(const EstimateOptions& o) {
  return !o.training_precision.empty() || !o.optimizer.empty() || !o.grad_checkpointing.empty() ||
         !o.lora_rank.empty() || !o.lora_targets.empty() || !o.zero.empty() || !o.fsdp.empty() || !o.tp.empty() ||
         !o.pp.empty() || !o.offload.empty() || !o.grad_accum.empty() || o.no_kbit_upcast;
}


CommandResult run_training(const EstimateOptions& options, const GlobalOptions& global, const ResolvedModel& model,
                           Mode mode) {
  const report::Style style = resolve_style(global);
  if (!options.engine.empty() || !options.kv_dtype.empty() || !options.ubatch.empty() || options.no_flash_attn ||
      !options.gpu_util.empty() || !options.max_batched_tokens.empty() || !options.max_seqs.empty()) {
    throw Error(ErrorCode::usage, "--engine, --kv-dtype and the engine flags apply to inference");
  }
  if (!options.overhead.empty()) throw Error(ErrorCode::usage, "--overhead applies to the rule method's inference");
  if (to_lower(options.precision) == "all") throw Error(ErrorCode::usage, "-p all applies to inference");
  report::TrainingView view;
  TrainingOptions& opt = view.options;
  const auto note_default = [&](bool given, std::string text) {
    if (!given) view.defaults.push_back(std::move(text));
  };
  opt.mode = mode;
  opt.seq_len = options.context.empty() ? 4096 : parse_token_count(options.context, "sequence length", kMaxSearchContext);
  note_default(!options.context.empty(), "sequence length 4096");
  opt.micro_batch = options.batch.empty() ? 1 : parse_token_count(options.batch, "micro-batch", kMaxSearchBatch);
  note_default(!options.batch.empty(), "micro-batch 1");
  if (!options.precision.empty()) {
    // -p names the base: 16-bit for full training and LoRA; QLoRA's base is NF4 (with or without
    // double quantization).
    const std::string p = to_lower(options.precision);
    if (mode == Mode::qlora) {
      if (p != "nf4" && p != "nf4-dq") {
        throw Error(ErrorCode::invalid_value, "QLoRA trains over an NF4 base, not " + options.precision,
                    "use -p nf4-dq (the QLoRA recipe) or -p nf4");
      }
      opt.nf4_double_quant = p == "nf4-dq";
    } else if (p == "fp32" || p == "bf16" || p == "fp16") {
      if (options.training_precision.empty() && p == "fp32") opt.precision = TrainingPrecision::fp32;
    } else {
      throw Error(ErrorCode::invalid_value, "training keeps weights in fp32, bf16 or fp16, not " + options.precision,
                  mode == Mode::lora ? "a quantized base is --mode qlora" : "use --training-precision");
    }
  }
  if (!options.training_precision.empty()) opt.precision = parse_training_precision(options.training_precision);
  note_default(!options.training_precision.empty() || !options.precision.empty(),
               "mixed precision (bf16 weights, fp32 master weights and optimizer states)");
  if (mode == Mode::qlora) note_default(!options.precision.empty(), "NF4 base with double quantization");
  opt.optimizer = options.optimizer.empty() ? Optimizer::adamw : parse_optimizer(options.optimizer);
  note_default(!options.optimizer.empty(), "optimizer adamw");
  opt.checkpointing = options.grad_checkpointing.empty() ? Checkpointing::none : parse_checkpointing(options.grad_checkpointing);
  note_default(!options.grad_checkpointing.empty(), "no gradient checkpointing");
  if (mode == Mode::lora || mode == Mode::qlora) {
    if (!options.lora_rank.empty()) opt.lora_rank = parse_token_count(options.lora_rank, "LoRA rank", 65536);
    note_default(!options.lora_rank.empty(), "LoRA rank 16");
    if (!options.lora_targets.empty()) opt.lora_targets = split_commas(options.lora_targets);
    note_default(!options.lora_targets.empty(), "LoRA on q_proj, v_proj (PEFT's default)");
  } else if (!options.lora_rank.empty() || !options.lora_targets.empty()) {
    throw Error(ErrorCode::usage, "--lora-rank and --lora-targets apply to --mode lora or qlora");
  }
  opt.gpus = options.gpus.empty() ? 1 : parse_gpu_count(options.gpus);
  if (!options.zero.empty() && !options.fsdp.empty()) throw Error(ErrorCode::usage, "give --zero or --fsdp, not both");
  if (!options.zero.empty()) {
    if (options.zero != "1" && options.zero != "2" && options.zero != "3") {
      throw Error(ErrorCode::invalid_value, "invalid ZeRO stage '" + options.zero + "'", "use 1, 2 or 3");
    }
    opt.zero_stage = options.zero[0] - '0';
  }
  if (!options.fsdp.empty()) {
    const std::string f = to_lower(options.fsdp);
    if (f != "full" && f != "grad-op") throw Error(ErrorCode::invalid_value, "invalid FSDP strategy '" + options.fsdp + "'", "use full or grad-op");
    opt.zero_stage = f == "full" ? 3 : 2;  // FULL_SHARD ~ ZeRO-3, SHARD_GRAD_OP ~ ZeRO-2
  }
  if (!options.tp.empty()) opt.tp = parse_gpu_count(options.tp);
  if (!options.pp.empty()) opt.pp = parse_gpu_count(options.pp);
  if (options.gpus.empty() && opt.tp * opt.pp > 1) opt.gpus = opt.tp * opt.pp;
  if (!options.offload.empty()) opt.offload = parse_offload(options.offload);
  if (options.no_kbit_upcast) {
    if (mode != Mode::qlora) throw Error(ErrorCode::usage, "--no-kbit-upcast applies to --mode qlora");
    opt.kbit_upcast = false;
  }
  if (!options.grad_accum.empty()) view.grad_accum = parse_token_count(options.grad_accum, "gradient accumulation", 1'000'000);

  view.result = estimate_training(*model.arch, model.ref, opt);
  for (const std::string& note : model.arch->notes) view.result.notes.push_back(note);
  if (!options.grad_accum.empty()) {
    view.result.notes.push_back("gradient accumulation over " + std::to_string(view.grad_accum) +
                                " micro-batches does not change peak memory (gradients accumulate in place)");
  }
  view.levers = training_levers(*model.arch, model.ref, opt, view.result);
  view.hf_id = model.hf_id;
  if (mode != Mode::qlora) {
    view.rule = rule_estimate(model.ref, mode, find_precision("bf16"), {});
  }
  GpuCatalog catalog;
  EstimateOptions fit_options = options;
  fit_options.gpus.clear();  // --gpus is the plan's GPU count here; each GPU holds the per-GPU total
  const FitRequest request = fit_request(fit_options, global, catalog);
  view.gpus_named = request.named;
  const Bytes per_gpu = view.result.estimate.total;
  for (const GpuSpec* gpu : request.gpus) {
    const bool fits = per_gpu <= gpu->memory;
    view.fits.push_back(GpuFit{gpu, fits ? opt.gpus : 0, opt.gpus, fits});
  }
  CommandResult result;
  result.exit_code = fit_exit_code({&view.fits}, request);
  result.out = global.json ? report::training_json(view) : report::training_text(view, style);
  return result;
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

}  // namespace

InferenceSetup inference_setup(const EstimateOptions& options, const ResolvedModel& model, const GpuSpec* first_gpu) {
  InferenceSetup setup;
  InferenceOptions& opt = setup.options;
  const auto note_default = [&](bool given, std::string text) {
    if (!given) setup.defaults.push_back(std::move(text));
  };
  // A GGUF file runs on llama.cpp unless told otherwise.
  const bool gguf_file = model.file && model.file->format == "gguf";
  opt.engine = options.engine.empty() ? (gguf_file ? Engine::llamacpp : Engine::transformers) : parse_engine(options.engine);
  note_default(!options.engine.empty(), gguf_file ? "engine llamacpp (a GGUF file)" : "engine transformers");
  opt.context = options.context.empty() ? 4096 : parse_token_count(options.context, "context", kMaxSearchContext);
  note_default(!options.context.empty(), "context 4096 tokens");
  opt.batch = options.batch.empty() ? 1 : parse_token_count(options.batch, "batch", kMaxSearchBatch);
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
  if (opt.engine == Engine::vllm) {
    const VllmBatchDefaults defaults = vllm_serve_defaults(first_gpu ? first_gpu->memory : Bytes{0}, first_gpu ? first_gpu->id : "");
    opt.max_num_batched_tokens = options.max_batched_tokens.empty()
                                     ? defaults.max_num_batched_tokens
                                     : parse_token_count(options.max_batched_tokens, "max batched tokens", 10'000'000);
    opt.max_num_seqs = options.max_seqs.empty() ? defaults.max_num_seqs
                                                : parse_token_count(options.max_seqs, "max sequences", kMaxSearchBatch);
    note_default(!options.max_batched_tokens.empty() && !options.max_seqs.empty(),
                 fmt_default_vllm(opt.max_num_batched_tokens, opt.max_num_seqs));
  } else if (!options.max_batched_tokens.empty() || !options.max_seqs.empty()) {
    throw Error(ErrorCode::usage, "--max-batched-tokens and --max-seqs apply to --engine vllm");
  }
  std::string format_id = options.precision;
  if (format_id.empty()) {
    const DefaultWeights d = default_weights(model, opt.engine);
    format_id = d.format_id;
    setup.stored = d.stored;
  }
  note_default(!options.precision.empty(), model.file ? "weights " + format_id + " as stored in the file"
                                                      : "weights " + format_id + " (the published checkpoint's format)");
  setup.format = parse_weight_format(format_id);
  check_engine_format(opt.engine, setup.format);
  return setup;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  for (const char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) items.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return items;
}

void check_engine_format(Engine engine, const WeightFormat& format) {
  if (engine == Engine::llamacpp && format.kind != FormatKind::gguf) {
    throw Error(ErrorCode::invalid_value, "llama.cpp runs GGUF formats, not " + format.id,
                "use a GGUF format such as q4_k_m, q8_0 or f16 ('vramest formats')");
  }
  if (engine == Engine::transformers && format.kind == FormatKind::gguf) {
    throw Error(ErrorCode::invalid_value, "transformers dequantizes GGUF weights when it loads them",
                "estimate -p bf16 for transformers, or use --engine llamacpp for " + format.id);
  }
}

namespace {

CommandResult run_detailed(const EstimateOptions& options, const GlobalOptions& global, const ResolvedModel& model) {
  const report::Style style = resolve_style(global);
  if (!options.gpus.empty() && options.gpu_ids.empty()) {
    throw Error(ErrorCode::usage, "--gpus needs --gpu for inference", "for example: --gpu rtx-3090 --gpus 2");
  }
  if (training_flags_given(options)) {
    throw Error(ErrorCode::usage, "training flags (--optimizer, --zero, --lora-rank, ...) need --mode train, lora or qlora");
  }
  if (to_lower(options.precision) == "all") {
    throw Error(ErrorCode::usage, "-p all applies to the rule method", "name one format, e.g. -p q4_k_m");
  }
  if (!options.overhead.empty()) {
    throw Error(ErrorCode::usage, "--overhead applies to the rule method",
                "the detailed method computes each component instead");
  }
  report::DetailedView view;
  GpuCatalog catalog;
  const FitRequest request = fit_request(options, global, catalog);
  const InferenceSetup setup = inference_setup(options, model, request.named ? request.gpus.front() : nullptr);
  const InferenceOptions& opt = setup.options;
  const WeightFormat& format = setup.format;
  view.defaults = setup.defaults;
  view.result = evaluate_inference(plan_inference(*model.arch, model.ref, format, opt, setup.stored), opt.context, opt.batch);
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
      r.reserved = Bytes{mul_div_ceil(checked_mul(gpu->memory.count, request.count), opt.gpu_memory_utilization_permille, 1000)};
      const Bytes used = e.components.weights + e.components.activations + Bytes{checked_mul(e.components.runtime.count, request.count)};
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

void add_inference_options(CLI::App& app, EstimateOptions& options) {
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
}

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
  add_inference_options(app, options);
  app.add_option("--overhead", options.overhead,
                 "Runtime multiplier range of the rule method, default 1.2-1.3 (one value: no range)")
      ->type_name("RANGE");
  app.add_option("--gpu", options.gpu_ids, "Check the fit on this GPU id (repeatable); exit 1 if it does not fit")
      ->type_name("ID");
  app.add_option("--gpus", options.gpus,
                 "Inference: with --gpu, how many of that GPU you have; training: GPUs in the plan (default 1)")
      ->type_name("N");
  app.add_option("--training-precision", options.training_precision,
                 "mixed (bf16 + fp32 master weights, default), bf16 or fp32")
      ->type_name("NAME");
  app.add_option("--optimizer", options.optimizer,
                 "adamw (default), adamw-8bit, paged-adamw, paged-adamw-8bit, adafactor, sgd, sgd-momentum, lion")
      ->type_name("NAME");
  app.add_option("--grad-checkpointing", options.grad_checkpointing, "none (default), selective or full")
      ->type_name("POLICY");
  app.add_option("--lora-rank", options.lora_rank, "LoRA rank (default 16)")->type_name("R");
  app.add_option("--lora-targets", options.lora_targets, "q,v (default), all-linear, or module names: q,k,v,o,gate,up,down")
      ->type_name("LIST");
  app.add_option("--zero", options.zero, "DeepSpeed ZeRO stage 1, 2 or 3 over the data-parallel GPUs")->type_name("STAGE");
  app.add_option("--fsdp", options.fsdp, "FSDP sharding: full (like ZeRO-3) or grad-op (like ZeRO-2)")->type_name("NAME");
  app.add_option("--tp", options.tp, "Tensor-parallel degree (must divide the attention and KV heads)")->type_name("N");
  app.add_option("--pp", options.pp, "Pipeline-parallel degree")->type_name("N");
  app.add_option("--offload", options.offload, "Offload to CPU RAM: optimizer, or params (ZeRO-3)")->type_name("WHAT");
  app.add_flag("--no-kbit-upcast", options.no_kbit_upcast,
               "QLoRA: keep non-quantized parameters in bf16 (FSDP-QLoRA) instead of PEFT's fp32 upcast");
  app.add_option("--grad-accum", options.grad_accum, "Gradient accumulation steps (noted: it does not change peak memory)")
      ->type_name("N");
}

CommandResult run_estimate(const EstimateOptions& options, const GlobalOptions& global) {
  (void)resolve_style(global);  // reject bad --units before any work
  if (!options.model_given) {
    throw Error(ErrorCode::usage, "no model given", "try 'vramest 14B', 'vramest llama-3.1-8b', or 'vramest --help'");
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
  // The detailed method is the default whenever the architecture is known.
  const Method chosen = method.value_or(has_arch ? Method::detailed : Method::rule);
  if (chosen == Method::detailed) {
    if (!has_arch) {
      throw Error(ErrorCode::invalid_value,
                  "the detailed method needs the model's architecture, and a bare parameter count has none",
                  "name a catalog model ('vramest models') or a config.json, or use --method rule");
    }
    return mode == Mode::inference ? run_detailed(options, global, model) : run_training(options, global, model, mode);
  }
  if (training_flags_given(options)) {
    throw Error(ErrorCode::usage, "training flags (--optimizer, --zero, --lora-rank, ...) need the detailed method",
                has_arch ? "drop --method rule" : "name a catalog model or a config.json instead of a parameter count");
  }
  if (!options.gpus.empty() && options.gpu_ids.empty()) {
    throw Error(ErrorCode::usage, "--gpus needs --gpu", "for example: --gpu rtx-3090 --gpus 2");
  }
  if (detailed_flags_given(options)) {
    throw Error(ErrorCode::usage, "-c, -b, --kv-dtype, --engine, --ubatch and --no-flash-attn need the detailed method",
                has_arch ? "drop --method rule" : "name a catalog model or a config.json instead of a parameter count");
  }
  return run_rule(options, global, model.ref, mode);
}

}  // namespace vramest::shell
