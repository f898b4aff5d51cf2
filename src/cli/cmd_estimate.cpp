#include "cli/cmd_estimate.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "catalog_data.hpp"
#include "cli/choices.hpp"
#include "cli/values.hpp"
#include "model_source.hpp"
#include "vramest/param_count.hpp"
#include "vramest/rule.hpp"

namespace vramest::shell {
namespace {

// ---- Which flags apply where: one table ----------------------------------------------------

enum class Scope {
  training,   // --mode train, lora or qlora
  lora,       // --mode lora or qlora
  qlora,      // --mode qlora
  inference,  // --mode inference
  detailed,   // the detailed method (an architecture)
  rule,       // the rule method's inference
  llamacpp,   // --engine llamacpp
  vllm,       // --engine vllm
};

struct FlagRule {
  const char* flags;
  bool (*given)(const EstimateOptions&);
  Scope scope;
};

const FlagRule kFlagRules[] = {
    {"--training-precision", [](const EstimateOptions& o) { return !o.training_precision.empty(); },
     Scope::training},
    {"--optimizer", [](const EstimateOptions& o) { return !o.optimizer.empty(); }, Scope::training},
    {"--grad-checkpointing", [](const EstimateOptions& o) { return !o.grad_checkpointing.empty(); },
     Scope::training},
    {"--zero", [](const EstimateOptions& o) { return !o.zero.empty(); }, Scope::training},
    {"--fsdp", [](const EstimateOptions& o) { return !o.fsdp.empty(); }, Scope::training},
    {"--offload", [](const EstimateOptions& o) { return !o.offload.empty(); }, Scope::training},
    {"--grad-accum", [](const EstimateOptions& o) { return !o.grad_accum.empty(); }, Scope::training},
    {"--lora-rank", [](const EstimateOptions& o) { return !o.lora_rank.empty(); }, Scope::lora},
    {"--lora-alpha", [](const EstimateOptions& o) { return !o.lora_alpha.empty(); }, Scope::lora},
    {"--lora-targets", [](const EstimateOptions& o) { return !o.lora_targets.empty(); }, Scope::lora},
    {"--no-kbit-upcast", [](const EstimateOptions& o) { return o.no_kbit_upcast; }, Scope::qlora},
    {"--engine", [](const EstimateOptions& o) { return !o.inference.engine.empty(); }, Scope::inference},
    {"--kv-dtype", [](const EstimateOptions& o) { return !o.inference.kv_dtype.empty(); }, Scope::inference},
    {"--dtype", [](const EstimateOptions& o) { return !o.inference.dtype.empty(); }, Scope::inference},
    {"--quantization", [](const EstimateOptions& o) { return !o.inference.quantization.empty(); },
     Scope::inference},
    {"--overhead", [](const EstimateOptions& o) { return !o.overhead.empty(); }, Scope::rule},
    {"-c", [](const EstimateOptions& o) { return !o.inference.context.empty(); }, Scope::detailed},
    {"-b", [](const EstimateOptions& o) { return !o.inference.batch.empty(); }, Scope::detailed},
    {"--kv-dtype", [](const EstimateOptions& o) { return !o.inference.kv_dtype.empty(); }, Scope::detailed},
    {"--engine", [](const EstimateOptions& o) { return !o.inference.engine.empty(); }, Scope::detailed},
    {"--tp", [](const EstimateOptions& o) { return !o.tp.empty(); }, Scope::detailed},
    {"--pp", [](const EstimateOptions& o) { return !o.pp.empty(); }, Scope::detailed},
    {"-ub/--ubatch", [](const EstimateOptions& o) { return !o.inference.ubatch.empty(); }, Scope::llamacpp},
    {"-fa/--no-flash-attn",
     [](const EstimateOptions& o) { return o.inference.no_flash_attn || !o.inference.flash_attn.empty(); },
     Scope::llamacpp},
    {"-np/--parallel", [](const EstimateOptions& o) { return !o.inference.parallel.empty(); },
     Scope::llamacpp},
    {"-ctk/-ctv",
     [](const EstimateOptions& o) {
       return !o.inference.cache_type_k.empty() || !o.inference.cache_type_v.empty();
     },
     Scope::llamacpp},
    {"-ngl/--n-gpu-layers", [](const EstimateOptions& o) { return !o.inference.n_gpu_layers.empty(); },
     Scope::llamacpp},
    {"--n-cpu-moe", [](const EstimateOptions& o) { return !o.inference.n_cpu_moe.empty(); }, Scope::llamacpp},
    {"--kv-unified", [](const EstimateOptions& o) { return o.inference.kv_unified; }, Scope::llamacpp},
    {"--gpu-memory-utilization", [](const EstimateOptions& o) { return !o.inference.gpu_util.empty(); },
     Scope::vllm},
    {"--max-num-batched-tokens",
     [](const EstimateOptions& o) { return !o.inference.max_batched_tokens.empty(); }, Scope::vllm},
    {"--max-num-seqs", [](const EstimateOptions& o) { return !o.inference.max_seqs.empty(); }, Scope::vllm},
    {"--enforce-eager", [](const EstimateOptions& o) { return o.inference.enforce_eager; }, Scope::vllm},
};

struct RequestKind {
  Mode mode = Mode::inference;
  Method method = Method::detailed;
  Engine engine = Engine::transformers;
  bool has_arch = true;
};

bool in_scope(Scope scope, const RequestKind& k) {
  const bool training = k.mode != Mode::inference;
  switch (scope) {
    case Scope::training: return training && k.method == Method::detailed;
    case Scope::lora: return (k.mode == Mode::lora || k.mode == Mode::qlora) && k.method == Method::detailed;
    case Scope::qlora: return k.mode == Mode::qlora && k.method == Method::detailed;
    case Scope::inference: return !training;
    case Scope::detailed: return k.method == Method::detailed;
    case Scope::rule: return k.method == Method::rule && !training;
    case Scope::llamacpp: return !training && k.method == Method::detailed && k.engine == Engine::llamacpp;
    case Scope::vllm: return !training && k.method == Method::detailed && k.engine == Engine::vllm;
  }
  return true;
}

std::string scope_text(Scope scope) {
  switch (scope) {
    case Scope::training: return "training from the architecture (--mode train, lora or qlora)";
    case Scope::lora: return "--mode lora or qlora";
    case Scope::qlora: return "--mode qlora";
    case Scope::inference: return "inference";
    case Scope::detailed: return "the detailed method, which needs the model's architecture";
    case Scope::rule: return "the rule method's inference";
    case Scope::llamacpp: return "--engine llamacpp";
    case Scope::vllm: return "--engine vllm";
  }
  return "";
}

void check_flag_scopes(const EstimateOptions& options, const RequestKind& kind) {
  for (const FlagRule& rule : kFlagRules) {
    if (!rule.given(options) || in_scope(rule.scope, kind)) continue;
    std::string hint;
    if (rule.scope == Scope::detailed) {
      hint = kind.has_arch ? "drop --method rule"
                           : "name a catalog model or a config.json instead of a parameter count";
    } else if (rule.scope == Scope::training || rule.scope == Scope::lora || rule.scope == Scope::qlora) {
      hint = kind.mode == Mode::inference ? "add --mode train, lora or qlora"
             : kind.has_arch              ? "drop --method rule"
                             : "name a catalog model or a config.json instead of a parameter count";
    }
    throw Error(ErrorCode::usage, std::string(rule.flags) + " applies to " + scope_text(rule.scope), hint);
  }
}

// ---- Small readers ---------------------------------------------------------------------------

std::uint64_t read_count(const std::string& text, std::string_view what, std::uint64_t max) {
  return token_count(text, what, max);
}

// The rule precision closest to a weight format, to show the rule range beside a detailed total.
std::string_view nearest_rule_precision(const DetailedInference& d) {
  const double bits =
      8.0 * static_cast<double>(d.weights.total.count) / static_cast<double>(d.estimate.model.params);
  if (bits > 20) return "fp32";
  if (bits > 10) return "bf16";
  if (bits > 6) return "int8";
  return "int4";
}

std::string fmt_default_vllm(std::uint64_t tokens, std::uint64_t seqs) {
  return "vLLM serve scheduler: " + std::to_string(tokens) + " batched tokens, " + std::to_string(seqs) +
         " sequences";
}

// The exit status of a set of estimates: with GPUs named, 0 when at least one fits.
int exit_code_of(const std::vector<const report::GpuView*>& views) {
  if (views.empty() || !views.front()->named) return kExitOk;
  for (const report::GpuView* v : views) {
    if (v->placement.fits) return kExitOk;
  }
  return kExitDoesNotFit;
}

// The rule's need as one amount, the high end of its range: N GPUs fit when high / N fits each.
Components rule_need(const Estimate& e) { return Components{{}, {}, {}, {}, {}, {}, e.high}; }

// ---- Training --------------------------------------------------------------------------------

CommandResult run_training(const EstimateOptions& options, const GlobalOptions& global,
                           const ResolvedModel& model, Mode mode) {
  const report::Style style = resolve_style(global);
  if (to_lower(options.inference.precision) == "all")
    throw Error(ErrorCode::usage, "-p all applies to inference");
  report::TrainingView view;
  TrainingOptions& opt = view.options;
  const auto note_default = [&](bool given, std::string text) {
    if (!given) view.defaults.push_back(std::move(text));
  };
  const InferenceFlags& inf = options.inference;
  opt.mode = mode;
  opt.seq_len = inf.context.empty() ? 4096 : read_count(inf.context, "sequence length", kMaxSearchContext);
  note_default(!inf.context.empty(), "sequence length 4096");
  opt.micro_batch = inf.batch.empty() ? 1 : read_count(inf.batch, "micro-batch", kMaxSearchBatch);
  note_default(!inf.batch.empty(), "micro-batch 1");
  if (!inf.precision.empty()) {
    // -p names the base: 16-bit for full training and LoRA; QLoRA's base is NF4 (with or without
    // double quantization).
    const std::string p = canonical_format_id(inf.precision);
    if (mode == Mode::qlora) {
      if (p != "nf4" && p != "nf4-dq") {
        throw Error(ErrorCode::invalid_value, "QLoRA trains over an NF4 base, not " + inf.precision,
                    "use -p nf4-dq (the QLoRA recipe) or -p nf4");
      }
      opt.nf4_double_quant = p == "nf4-dq";
    } else if (p == "fp32" || p == "bf16" || p == "fp16") {
      if (options.training_precision.empty() && p == "fp32") opt.precision = TrainingPrecision::fp32;
    } else {
      throw Error(ErrorCode::invalid_value,
                  "training keeps weights in fp32, bf16 or fp16, not " + inf.precision,
                  mode == Mode::lora ? "a quantized base is --mode qlora" : "use --training-precision");
    }
  }
  if (!options.training_precision.empty())
    opt.precision = kTrainingPrecisions.parse(options.training_precision);
  note_default(!options.training_precision.empty() || !inf.precision.empty(),
               "mixed precision (bf16 weights, fp32 master weights and optimizer states)");
  if (mode == Mode::qlora) note_default(!inf.precision.empty(), "NF4 base with double quantization");
  opt.optimizer = options.optimizer.empty() ? Optimizer::adamw : kOptimizers.parse(options.optimizer);
  note_default(!options.optimizer.empty(), "optimizer adamw");
  if (!options.grad_checkpointing.empty()) {
    opt.checkpointing = options.grad_checkpointing.back().empty()
                            ? Checkpointing::full
                            : kCheckpointing.parse(options.grad_checkpointing.back());
  }
  note_default(!options.grad_checkpointing.empty(), "no gradient checkpointing");
  if (mode == Mode::lora || mode == Mode::qlora) {
    if (!options.lora_rank.empty()) opt.lora_rank = read_count(options.lora_rank, "LoRA rank", 65536);
    note_default(!options.lora_rank.empty(), "LoRA rank 16");
    if (!options.lora_alpha.empty()) {
      (void)read_count(options.lora_alpha, "LoRA alpha", 1'000'000);
      view.result.notes.push_back("--lora-alpha scales the adapter's output; it does not change memory");
    }
    if (!options.lora_targets.empty()) opt.lora_targets = split_commas(options.lora_targets);
    note_default(!options.lora_targets.empty(), "LoRA on q_proj, v_proj (PEFT's default)");
  }
  if (!options.zero.empty() && !options.fsdp.empty())
    throw Error(ErrorCode::usage, "give --zero or --fsdp, not both");
  if (!options.zero.empty()) opt.zero_stage = kZeroStages.parse(options.zero);
  if (!options.fsdp.empty()) {
    opt.zero_stage = options.fsdp.back().empty() ? 3 : kFsdpStrategies.parse(options.fsdp.back());
  }
  if (!options.tp.empty()) opt.tp = gpu_count(options.tp);
  if (!options.pp.empty()) opt.pp = gpu_count(options.pp);
  opt.gpus =
      options.gpu.count.empty() ? std::max<std::uint64_t>(1, opt.tp * opt.pp) : gpu_count(options.gpu.count);
  if (!options.offload.empty()) opt.offload = kOffloads.parse(options.offload);
  if (options.no_kbit_upcast) opt.kbit_upcast = false;
  if (!options.grad_accum.empty())
    view.grad_accum = read_count(options.grad_accum, "gradient accumulation", 1'000'000);

  // The plan's GPUs: N of the one kind named, the named group, or N unnamed ones.
  GpuFlags gpu_flags = options.gpu;
  gpu_flags.count = options.gpu.ids.size() + (options.gpu.memory.empty() ? 0 : 1) > 1
                        ? options.gpu.count
                        : std::to_string(opt.gpus);
  const GpuSelection gpus(gpu_flags, resolve_data_dir(global));
  if (gpus.named()) opt.gpus = gpus.group().size();

  std::vector<std::string> notes = std::move(view.result.notes);
  view.result = estimate_training(*model.arch, model.ref, opt);
  for (std::string& note : notes) view.result.notes.push_back(std::move(note));
  for (const std::string& note : model.arch->notes) view.result.notes.push_back(note);
  if (!options.grad_accum.empty()) {
    view.result.notes.push_back("gradient accumulation over " + std::to_string(view.grad_accum) +
                                " micro-batches does not change peak memory (gradients accumulate in place)");
  }
  view.levers = training_levers(*model.arch, model.ref, opt, view.result);
  view.hf_id = model.hf_id;
  view.warnings = model.arch->warnings;
  if (mode != Mode::qlora) view.rule = rule_estimate(model.ref, mode, find_precision("bf16"), {});

  // Each GPU of the plan holds the per-GPU estimate.
  const Components per_gpu = view.result.estimate.components;
  view.gpus = gpus.place(per_gpu, {}, SplitPolicy::data_parallel);
  view.gpus.placement.layout.tp = opt.tp;
  view.gpus.placement.layout.pp = opt.pp;
  for (GpuFit& kind : view.gpus.kinds) {
    const bool fits = gpus.reserve() < kind.gpu->memory && per_gpu.sum() <= kind.gpu->memory - gpus.reserve();
    kind.count = fits ? opt.gpus : 0;
    kind.layout = view.gpus.placement.layout;
  }
  CommandResult result;
  result.exit_code = exit_code_of({&view.gpus});
  result.out = global.json ? report::training_json(view) : report::training_text(view, style);
  return result;
}

// ---- The rule method -------------------------------------------------------------------------

CommandResult run_rule(const EstimateOptions& options, const GlobalOptions& global, const ModelRef& model,
                       Mode mode) {
  const report::Style style = resolve_style(global);
  const std::string precision = options.inference.precision;
  const bool all_precisions = to_lower(precision) == "all";
  std::string rule_precision = canonical_format_id(precision);
  if (!precision.empty() && !all_precisions) {
    const std::vector<std::string> rule_ids = precision_ids();
    if (std::find(rule_ids.begin(), rule_ids.end(), rule_precision) == rule_ids.end()) {
      (void)parse_weight_format(precision);  // unknown everywhere: "did you mean"
      throw Error(
          ErrorCode::invalid_value,
          "format '" + precision + "' needs the detailed method, which needs the model's architecture",
          "the rule method knows fp32, fp16, bf16, fp8, int8 and int4");
    }
  }
  if (all_precisions && mode != Mode::inference)
    throw Error(ErrorCode::usage, "-p all applies to inference only");
  const OverheadRange overhead =
      options.overhead.empty() ? OverheadRange{} : overhead_range(options.overhead);
  const GpuSelection gpus(options.gpu, resolve_data_dir(global));
  const auto estimate = [&](Mode m, std::string_view id) {
    report::EstimateView view;
    view.estimate = rule_estimate(model, m, find_precision(id), overhead);
    view.gpus = gpus.place(rule_need(view.estimate), {}, SplitPolicy::even);
    return view;
  };

  CommandResult result;
  if (precision.empty() && options.mode.empty()) {
    // A bare size: the whole analysis.
    report::AnalysisView analysis;
    analysis.model = model;
    analysis.overhead = overhead;
    analysis.gpus_named = gpus.named();
    for (std::string_view id : kRulePrecisionIds) analysis.inference.push_back(estimate(Mode::inference, id));
    analysis.train = estimate(Mode::train, "bf16");
    analysis.lora = estimate(Mode::lora, "bf16");
    analysis.savings = rule_savings(model, overhead);
    std::vector<const report::GpuView*> views;
    for (const auto& v : analysis.inference) views.push_back(&v.gpus);
    views.push_back(&analysis.train.gpus);
    views.push_back(&analysis.lora.gpus);
    result.exit_code = exit_code_of(views);
    result.out = global.json ? report::analysis_json(analysis) : report::analysis_text(analysis, style);
    return result;
  }
  if (all_precisions) {
    std::vector<report::EstimateView> all;
    for (std::string_view id : kRulePrecisionIds) all.push_back(estimate(mode, id));
    std::vector<const report::GpuView*> views;
    for (const auto& v : all) views.push_back(&v.gpus);
    result.exit_code = exit_code_of(views);
    if (global.json) {
      result.out = report::estimates_json(all);
    } else {
      for (const auto& v : all)
        result.out += (result.out.empty() ? "" : "\n") + report::estimate_text(v, style);
    }
    return result;
  }
  const report::EstimateView single = estimate(mode, precision.empty() ? "bf16" : rule_precision);
  result.exit_code = exit_code_of({&single.gpus});
  result.out = global.json ? report::estimate_json(single) : report::estimate_text(single, style);
  return result;
}

// ---- Detailed inference ----------------------------------------------------------------------

CommandResult run_detailed(const EstimateOptions& options, const GlobalOptions& global,
                           const ResolvedModel& model) {
  const report::Style style = resolve_style(global);
  if (to_lower(options.inference.precision) == "all") {
    throw Error(ErrorCode::usage, "-p all applies to the rule method", "name one format, e.g. -p q4_k_m");
  }
  report::DetailedView view;
  // --tp x --pp sets the GPU count when --gpus does not.
  GpuFlags gpu_flags = options.gpu;
  const std::uint64_t tp = options.tp.empty() ? 0 : gpu_count(options.tp);
  const std::uint64_t pp = options.pp.empty() ? 0 : gpu_count(options.pp);
  if ((tp != 0 || pp != 0) && gpu_flags.count.empty())
    gpu_flags.count = std::to_string(std::max<std::uint64_t>(1, tp) * std::max<std::uint64_t>(1, pp));
  const GpuSelection gpus(gpu_flags, resolve_data_dir(global));
  const InferenceSetup setup = inference_setup(options, model, gpus.first());
  const InferenceOptions& opt = setup.options;
  view.defaults = setup.defaults;
  const InferencePlan plan = plan_inference(*model.arch, model.ref, setup.format, opt, setup.stored);
  view.result = evaluate_inference(plan, opt.context, opt.batch);
  for (const std::string& note : setup.readings) view.result.notes.push_back(note);
  for (const std::string& note : model.arch->notes) view.result.notes.push_back(note);
  view.hf_id = model.hf_id;
  view.warnings = model.arch->warnings;
  view.engine = opt.engine;
  view.rule =
      rule_estimate(model.ref, Mode::inference, find_precision(nearest_rule_precision(view.result)), {});

  // What goes on the GPUs: everything, or with -ngl / --n-cpu-moe what llama.cpp offloads.
  Components need = view.result.estimate.components;
  if (setup.n_gpu_layers || setup.n_cpu_moe) {
    const LlamaSplit split = llamacpp_split(plan, opt.context, opt.batch,
                                            setup.n_gpu_layers.value_or(model.arch->layer_count() + 1),
                                            setup.n_cpu_moe.value_or(0));
    need = split.gpu;
    view.offload_host = split.host;
  }
  const ParallelShape shape = shape_of(*model.arch);
  std::optional<Layout> forced;
  if (setup.tp != 0 || setup.pp != 0) {
    if (opt.engine != Engine::vllm) {
      throw Error(ErrorCode::usage, "--tp and --pp set vLLM's tensor and pipeline parallelism",
                  "add --engine vllm; llama.cpp and transformers split layers over --gpus");
    }
    const std::uint64_t tp_degree = std::max<std::uint64_t>(1, setup.tp);
    const std::uint64_t pp_degree = std::max<std::uint64_t>(1, setup.pp);
    if (!valid_tensor_parallel(shape, tp_degree)) {
      throw Error(ErrorCode::invalid_value,
                  "tensor parallelism " + std::to_string(tp_degree) + " does not divide this model's " +
                      std::to_string(shape.heads) + " attention heads and " + std::to_string(shape.kv_heads) +
                      " KV heads",
                  "vLLM needs a TP degree dividing the attention heads; add --pp for more GPUs");
    }
    if (pp_degree > shape.layers) {
      throw Error(ErrorCode::invalid_value, "pipeline parallelism " + std::to_string(pp_degree) +
                                                " exceeds the model's " + std::to_string(shape.layers) +
                                                " layers");
    }
    if (gpus.count() != tp_degree * pp_degree) {
      throw Error(ErrorCode::usage,
                  "--tp x --pp is " + std::to_string(tp_degree * pp_degree) + " GPUs, but " +
                      std::to_string(gpus.count()) + " are given",
                  "give --gpus equal to TP x PP, or leave it out");
    }
    forced = Layout{SplitPolicy::tensor_parallel, gpus.count(), tp_degree, pp_degree};
  }
  view.gpus = gpus.place(need, shape, split_policy(opt.engine), forced ? &*forced : nullptr);
  if (opt.engine == Engine::vllm && gpus.named()) {
    // vLLM claims gpu_memory_utilization of each GPU and fills what its rank does not use with KV
    // pages; the group holds as many tokens as its tightest rank.
    const Placement& p = view.gpus.placement;
    const Components& whole = view.result.estimate.components;
    for (std::size_t i = 0; i < gpus.group().size(); ++i) {
      const GpuSpec* gpu = gpus.group()[i];
      if (std::find(gpus.group().begin(), gpus.group().begin() + static_cast<std::ptrdiff_t>(i), gpu) !=
          gpus.group().begin() + static_cast<std::ptrdiff_t>(i)) {
        continue;  // one line per kind of card
      }
      report::VllmReservation r;
      r.gpu = gpu;
      r.reserved = Bytes{mul_div_ceil(gpu->memory.count, opt.gpu_memory_utilization_permille, 1000)};
      const Components& mine = p.per_gpu[i];
      const Bytes used = mine.weights + mine.activations + mine.runtime;
      r.kv_pool = r.reserved > used ? r.reserved - used : Bytes{0};
      const std::uint64_t per_token =
          whole.kv_cache.count == 0
              ? 0
              : mul_div_ceil(view.result.kv.bytes_per_token_full, mine.kv_cache.count, whole.kv_cache.count);
      r.kv_tokens = per_token == 0 ? 0 : r.kv_pool.count / per_token;
      view.vllm.push_back(r);
    }
  }
  CommandResult result;
  result.exit_code = exit_code_of({&view.gpus});
  result.out = global.json ? report::detailed_json(view) : report::detailed_text(view, style);
  return result;
}

bool is_gguf_only(const std::string& format_flag) {
  if (format_flag.empty()) return false;
  try {
    return parse_weight_format(format_flag).kind == FormatKind::gguf;
  } catch (const Error&) {
    return false;
  }
}

// The format the flags name: --quantization, else -p, else --dtype.
std::string format_flag(const InferenceFlags& f) {
  if (!f.quantization.empty() && !f.precision.empty()) {
    throw Error(ErrorCode::usage, "give -p or --quantization, not both", "-p names the weight format");
  }
  // --dtype auto (vLLM's and transformers' default) is the checkpoint's own format.
  const std::string dtype = to_lower(f.dtype) == "auto" ? std::string{} : f.dtype;
  return !f.quantization.empty() ? f.quantization : !f.precision.empty() ? f.precision : dtype;
}

}  // namespace

std::string format_for_engine(Engine engine, const std::string& format) {
  if (engine != Engine::llamacpp) return format;
  // Under llama.cpp, 16- and 32-bit names are the GGUF types.
  const std::string id = canonical_format_id(format);
  if (id == "fp16") return "f16";
  if (id == "bf16") return "gguf-bf16";
  if (id == "fp32") return "f32";
  return format;
}

Engine resolve_engine(const std::string& engine_flag, const std::string& format, const ResolvedModel& model,
                      std::string* why, const std::string& llamacpp_flag) {
  if (!engine_flag.empty()) return kEngines.parse(engine_flag);
  const auto say = [&](std::string text) {
    if (why) *why = std::move(text);
  };
  if (model.file && model.file->format == "gguf") {
    say("engine llamacpp (a GGUF file)");
    return Engine::llamacpp;
  }
  if (is_gguf_only(format)) {
    say("engine llamacpp (" + canonical_format_id(format) + " is a GGUF format)");
    return Engine::llamacpp;
  }
  if (!llamacpp_flag.empty()) {
    say("engine llamacpp (" + llamacpp_flag + " is llama.cpp's)");
    return Engine::llamacpp;
  }
  say("engine transformers");
  return Engine::transformers;
}

InferenceSetup inference_setup(const EstimateOptions& options, const ResolvedModel& model,
                               const GpuSpec* first_gpu) {
  const InferenceFlags& f = options.inference;
  InferenceSetup setup;
  InferenceOptions& opt = setup.options;
  const auto note_default = [&](bool given, std::string text) {
    if (!given) setup.defaults.push_back(std::move(text));
  };
  std::string format_id = format_flag(f);
  std::string engine_reason;
  // Flags only llama.cpp has imply it, as GGUF formats do.
  const std::string llamacpp_flag = !f.n_gpu_layers.empty()                              ? "-ngl"
                                    : !f.parallel.empty()                                ? "-np"
                                    : !f.cache_type_k.empty() || !f.cache_type_v.empty() ? "-ctk/-ctv"
                                    : !f.n_cpu_moe.empty()                               ? "--n-cpu-moe"
                                    : !f.ubatch.empty()                                  ? "-ub"
                                                                                         : "";
  opt.engine = resolve_engine(f.engine, format_id, model, &engine_reason, llamacpp_flag);
  note_default(!f.engine.empty(), engine_reason);
  const RequestKind kind{Mode::inference, Method::detailed, opt.engine, true};
  check_flag_scopes(options, kind);

  // Sequences and tokens. llama-server's -c is the whole cache, shared by its -np slots; -b is
  // llama.cpp's logical batch in tokens, not a count of sequences.
  const bool llamacpp = opt.engine == Engine::llamacpp;
  std::uint64_t context = f.context.empty() ? 4096 : read_count(f.context, "context", kMaxSearchContext);
  std::uint64_t sequences = 1;
  if (llamacpp) {
    if (!f.parallel.empty()) {
      sequences = read_count(f.parallel, "-np (parallel slots)", kMaxSearchBatch);
      if (!f.context.empty()) {
        if (context < sequences)
          throw Error(ErrorCode::invalid_value, "-c " + f.context + " is fewer tokens than -np slots");
        setup.readings.push_back("-c " + f.context + " with -np " + f.parallel +
                                 " read as llama-server does: " + std::to_string(context) +
                                 " cells in all, " + std::to_string(context / sequences) +
                                 " tokens per slot");
        context /= sequences;
      }
    }
    if (!f.batch.empty()) {
      const std::uint64_t n_batch = read_count(f.batch, "-b (llama.cpp logical batch)", 1'000'000);
      setup.readings.push_back("-b " + f.batch +
                               " read as llama.cpp's logical batch (tokens); sequences come from -np");
      opt.ubatch = std::min(opt.ubatch, n_batch);
    }
  } else {
    sequences = f.batch.empty() ? 1 : read_count(f.batch, "batch", kMaxSearchBatch);
  }
  opt.context = context;
  opt.batch = sequences;
  note_default(!f.context.empty(), "context 4096 tokens");
  note_default(!f.batch.empty() || !f.parallel.empty(), llamacpp ? "1 sequence (-np 1)" : "batch 1");

  // The cache type: one for K and V, or llama.cpp's separate -ctk / -ctv.
  opt.kv_dtype = !f.cache_type_k.empty() ? f.cache_type_k : f.kv_dtype;
  opt.kv_v_dtype = !f.cache_type_v.empty() ? f.cache_type_v : f.kv_dtype;
  if (!f.kv_dtype.empty() && (!f.cache_type_k.empty() || !f.cache_type_v.empty())) {
    throw Error(ErrorCode::usage, "give --kv-dtype or -ctk/-ctv, not both");
  }
  note_default(!opt.kv_dtype.empty() || !opt.kv_v_dtype.empty(),
               llamacpp ? "KV cache fp16" : "KV cache bf16");
  if (!f.ubatch.empty()) opt.ubatch = read_count(f.ubatch, "ubatch", 1'000'000);
  if (!f.flash_attn.empty() && f.no_flash_attn)
    throw Error(ErrorCode::usage, "give -fa or --no-flash-attn, not both");
  opt.flash_attention = f.flash_attn.empty() ? !f.no_flash_attn : kFlashAttention.parse(f.flash_attn);
  if (!f.gpu_util.empty()) opt.gpu_memory_utilization_permille = utilization_permille(f.gpu_util);
  if (opt.engine == Engine::vllm) {
    const VllmBatchDefaults d =
        vllm_serve_defaults(first_gpu ? first_gpu->memory : Bytes{0}, first_gpu ? first_gpu->id : "");
    opt.max_num_batched_tokens = f.max_batched_tokens.empty()
                                     ? d.max_num_batched_tokens
                                     : read_count(f.max_batched_tokens, "max batched tokens", 10'000'000);
    opt.max_num_seqs =
        f.max_seqs.empty() ? d.max_num_seqs : read_count(f.max_seqs, "max sequences", kMaxSearchBatch);
    note_default(!f.max_batched_tokens.empty() && !f.max_seqs.empty(),
                 fmt_default_vllm(opt.max_num_batched_tokens, opt.max_num_seqs));
    if (f.enforce_eager)
      setup.readings.push_back("--enforce-eager: no CUDA graphs are captured (none are counted either way)");
  }
  if (llamacpp && f.kv_unified)
    setup.readings.push_back("--kv-unified: one cache shared by every sequence (as modelled)");
  if (!f.n_gpu_layers.empty()) {
    const std::uint64_t layers = model.arch->layer_count();
    const std::string lower = to_lower(f.n_gpu_layers);
    setup.n_gpu_layers =
        lower == "all" || lower == "auto" || lower == "max"
            ? layers + 1
            : std::min(layers + 1, read_count(f.n_gpu_layers, "-ngl (GPU layers)", 1'000'000));
    setup.readings.push_back("-ngl " + f.n_gpu_layers + ": " +
                             std::to_string(std::min(*setup.n_gpu_layers, layers)) + " of " +
                             std::to_string(layers) + " layers on the GPU" +
                             (*setup.n_gpu_layers > layers ? " with the output layer" : ", the rest in RAM"));
  }
  if (!f.n_cpu_moe.empty()) {
    if (!model.arch->moe) throw Error(ErrorCode::usage, "--n-cpu-moe applies to mixture-of-experts models");
    setup.n_cpu_moe = std::min(model.arch->layer_count(), read_count(f.n_cpu_moe, "--n-cpu-moe", 1'000'000));
    setup.readings.push_back("--n-cpu-moe " + f.n_cpu_moe + ": the routed experts of the first " +
                             std::to_string(*setup.n_cpu_moe) + " layers stay in RAM");
  }
  setup.tp = options.tp.empty() ? 0 : gpu_count(options.tp);
  setup.pp = options.pp.empty() ? 0 : gpu_count(options.pp);

  if (format_id.empty()) {
    const DefaultWeights d = default_weights(model, opt.engine);
    format_id = d.format_id;
    setup.stored = d.stored;
  } else {
    format_id = format_for_engine(opt.engine, format_id);
  }
  note_default(!format_flag(f).empty(),
               model.file ? "weights " + format_id + " as stored in the file"
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
                "estimate -p bf16 for transformers, or use --engine llamacpp (or vllm) for " + format.id);
  }
}

void add_inference_options(CLI::App& app, EstimateOptions& options) {
  InferenceFlags& f = options.inference;
  app.add_option(
         "-c,--context,--ctx-size,--max-model-len,--max-seq-length,--seq-len", f.context,
         "Tokens per sequence, e.g. 8192, 32k or 1M (default 4096); with llama.cpp's -np, the whole cache")
      ->type_name("TOKENS");
  app.add_option(
         "-b,--batch,--batch-size,--per-device-train-batch-size", f.batch,
         "Concurrent sequences, or the training micro-batch (default 1); under llama.cpp its logical batch")
      ->type_name("N");
  app.add_option("--np,--parallel", f.parallel, "llama.cpp -np: server slots (concurrent sequences)")
      ->type_name("N");
  app.add_option("--kv-dtype,--kv-cache-dtype", f.kv_dtype,
                 "KV cache type: fp16, bf16, fp8, q8_0, q4_0 (llama.cpp), ...")
      ->type_name("NAME");
  app.add_option("--ctk,--cache-type-k", f.cache_type_k, "llama.cpp -ctk: the K cache type")
      ->type_name("NAME");
  app.add_option("--ctv,--cache-type-v", f.cache_type_v, "llama.cpp -ctv: the V cache type")
      ->type_name("NAME");
  app.add_option("--engine", f.engine,
                 "transformers (default), vllm or llamacpp (implied by a GGUF file or format)")
      ->type_name("NAME");
  app.add_option("--ub,--ubatch,--ubatch-size", f.ubatch, "llama.cpp -ub micro-batch (default 512)")
      ->type_name("N");
  app.add_option("--fa,--flash-attn", f.flash_attn, "llama.cpp -fa on|off|auto (default auto: on)")
      ->type_name("on|off");
  app.add_flag("--no-flash-attn", f.no_flash_attn, "llama.cpp without flash attention (-fa off)");
  app.add_option("--ngl,--n-gpu-layers,--gpu-layers", f.n_gpu_layers,
                 "llama.cpp -ngl: layers on the GPU, the rest in RAM (all: every layer and the output)")
      ->type_name("N");
  app.add_option("--n-cpu-moe", f.n_cpu_moe,
                 "llama.cpp --n-cpu-moe: keep the experts of the first N layers in RAM")
      ->type_name("N");
  app.add_flag("--kv-unified", f.kv_unified, "llama.cpp --kv-unified: one cache for every sequence");
  app.add_option("--gpu-util,--gpu-memory-utilization", f.gpu_util,
                 "vLLM gpu_memory_utilization (default 0.9)")
      ->type_name("FRACTION");
  app.add_option("--max-batched-tokens,--max-num-batched-tokens", f.max_batched_tokens,
                 "vLLM max_num_batched_tokens (default 8192 on GPUs >= 70 GiB but A100, else 2048)")
      ->type_name("N");
  app.add_option("--max-seqs,--max-num-seqs", f.max_seqs,
                 "vLLM max_num_seqs (default 1024 on GPUs >= 70 GiB but A100, else 256)")
      ->type_name("N");
  app.add_flag("--enforce-eager", f.enforce_eager,
               "vLLM --enforce-eager (accepted; CUDA graphs are not counted)");
  app.add_option("--dtype", f.dtype,
                 "vLLM/HF --dtype: bfloat16, float16, ... (the weights unless -p or --quantization)")
      ->type_name("NAME");
  app.add_option("--quantization,-q", f.quantization,
                 "vLLM --quantization: awq, gptq, fp8, ... (the weight format)")
      ->type_name("NAME");
  app.add_option("--tp,--tensor-parallel-size", options.tp,
                 "Tensor-parallel degree (vLLM: must divide the attention heads; training too)")
      ->type_name("N");
  app.add_option("--pp,--pipeline-parallel-size", options.pp, "Pipeline-parallel degree")->type_name("N");
}

void setup_estimate(CLI::App& app, EstimateOptions& options) {
  app.add_option(
         "model", options.model,
         "A catalog model (llama-3.1-8b, Qwen/Qwen3-8B), a config.json or its directory, a model file, or a "
         "parameter count (14B, 7.5b, 350M, 1.2T, 8030261248)")
      ->type_name("MODEL");
  app.add_option("-p,--precision", options.inference.precision,
                 "Weight format: fp32, fp16, bf16, fp8, int8, int4, nf4, gptq-int4, awq, nvfp4, q4_k_m, ... "
                 "('vramest formats'); all: one estimate per rule precision")
      ->type_name("NAME");
  app.add_option("--mode", options.mode, "inference (default), train, lora or qlora")->type_name("MODE");
  app.add_option("--method", options.method,
                 "detailed (default when the architecture is known) or rule (the rules of thumb)")
      ->type_name("METHOD");
  add_inference_options(app, options);
  app.add_option("--overhead", options.overhead,
                 "Runtime multiplier range of the rule method, default 1.2-1.3 (one value: no range)")
      ->type_name("RANGE");
  add_gpu_options(app, options.gpu,
                  "How many of the --gpu card (inference); the GPUs in the plan (training)");
  app.add_option("--training-precision", options.training_precision,
                 "mixed (bf16 or fp16 + fp32 master weights, default), bf16 or fp32")
      ->type_name("NAME");
  app.add_option(
         "--optimizer,--optim", options.optimizer,
         "adamw (default), adamw-8bit, paged-adamw, paged-adamw-8bit, adafactor, sgd, sgd-momentum, lion "
         "(Hugging Face names too: adamw_torch, adamw_bnb_8bit, paged_adamw_8bit)")
      ->type_name("NAME");
  app.add_option("--grad-checkpointing,--gradient-checkpointing", options.grad_checkpointing,
                 "none (default), selective or full; bare: full")
      ->type_name("POLICY")
      ->expected(0, 1);
  app.add_option("--lora-rank,--lora-r", options.lora_rank, "LoRA rank (default 16)")->type_name("R");
  app.add_option("--lora-alpha", options.lora_alpha, "LoRA alpha (accepted: it does not change memory)")
      ->type_name("A");
  app.add_option("--lora-targets,--lora-target-modules", options.lora_targets,
                 "q,v (default), all-linear, or module names: q,k,v,o,gate,up,down")
      ->type_name("LIST");
  app.add_option("--zero,--zero-stage", options.zero,
                 "DeepSpeed ZeRO stage 0, 1, 2 or 3 over the data-parallel GPUs")
      ->type_name("STAGE");
  app.add_option(
         "--fsdp", options.fsdp,
         "FSDP sharding: full (full_shard, like ZeRO-3; bare --fsdp), grad-op (shard_grad_op), hybrid_shard")
      ->type_name("NAME")
      ->expected(0, 1);
  app.add_option("--offload", options.offload, "Offload to CPU RAM: optimizer, or params (ZeRO-3)")
      ->type_name("WHAT");
  app.add_flag("--no-kbit-upcast", options.no_kbit_upcast,
               "QLoRA: keep non-quantized parameters in bf16 (FSDP-QLoRA) instead of PEFT's fp32 upcast");
  app.add_option("--grad-accum,--gradient-accumulation-steps", options.grad_accum,
                 "Gradient accumulation steps (noted: it does not change peak memory)")
      ->type_name("N");
}

CommandResult run_estimate(const EstimateOptions& given, const GlobalOptions& global) {
  (void)resolve_style(global);  // reject bad --units before any work
  EstimateOptions options = given;
  // A bare --fsdp or --gradient-checkpointing before the model takes it as its value: a value that
  // is no choice of theirs is the model, and the flag is bare.
  const auto unswallow = [&](std::vector<std::string>& values, const auto& table) {
    if (options.model_given || values.empty() || values.back().empty()) return;
    try {
      (void)table.parse(values.back());
    } catch (const Error&) {
      options.model = values.back();
      options.model_given = true;
      values.back().clear();
    }
  };
  unswallow(options.fsdp, kFsdpStrategies);
  unswallow(options.grad_checkpointing, kCheckpointing);
  if (!options.model_given) {
    throw Error(ErrorCode::usage, "no model given",
                "try 'vramest 14B', 'vramest llama-3.1-8b', or 'vramest --help'");
  }
  const Mode mode = options.mode.empty() ? Mode::inference : kModes.parse(options.mode);
  std::optional<Method> method;
  if (!options.method.empty()) method = kMethods.parse(options.method);
  const ResolvedModel model = resolve_model(options.model, resolve_data_dir(global));
  const bool has_arch = model.arch.has_value();
  // The detailed method is the default whenever the architecture is known.
  const Method chosen = method.value_or(has_arch ? Method::detailed : Method::rule);
  RequestKind kind{mode, chosen, Engine::transformers, has_arch};
  if (chosen == Method::detailed) {
    if (!has_arch) {
      throw Error(ErrorCode::invalid_value,
                  "the detailed method needs the model's architecture, and a bare parameter count has none",
                  "name a catalog model ('vramest models') or a config.json, or use --method rule");
    }
    if (mode != Mode::inference) {
      check_flag_scopes(options, kind);
      return run_training(options, global, model, mode);
    }
    return run_detailed(options, global, model);  // checks the flags once the engine is known
  }
  check_flag_scopes(options, kind);
  for (const FlagRule& rule : kFlagRules) {
    if ((rule.scope == Scope::llamacpp || rule.scope == Scope::vllm) && rule.given(options)) {
      throw Error(ErrorCode::usage, std::string(rule.flags) + " applies to " + scope_text(Scope::detailed),
                  has_arch ? "drop --method rule"
                           : "name a catalog model or a config.json instead of a parameter count");
    }
  }
  if (!options.inference.dtype.empty() || !options.inference.quantization.empty()) {
    throw Error(ErrorCode::usage, "--dtype and --quantization apply to the detailed method",
                "use -p with the rule method");
  }
  return run_rule(options, global, model.ref, mode);
}

}  // namespace vramest::shell
