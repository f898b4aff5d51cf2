#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/report.hpp"
#include "report/table.hpp"
#include "vramest/param_count.hpp"
#include "vramest/precision.hpp"

namespace vramest::report {
namespace {

std::string bold(const std::string& text, const Style& style) {
  return style.color ? "\x1b[1m" + text + "\x1b[0m" : text;
}

std::string green_or_red(const std::string& text, bool good, const Style& style) {
  if (!style.color) return text;
  return (good ? "\x1b[32m" : "\x1b[31m") + text + "\x1b[0m";
}

std::string unit_name(DisplayUnit unit) { return unit == DisplayUnit::gb ? "GB" : "GiB"; }

std::string number(Bytes amount, DisplayUnit unit) {
  const double value = unit == DisplayUnit::gb ? to_gb(amount) : to_gib(amount);
  std::string text = fmt::format("{:.2f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

// "0.6 - 0.65 GB", "600 - 650 MB": both ends in the high end's unit.
std::string range_text(Bytes low, Bytes high, DisplayUnit unit) {
  if (low == high) return format_amount(low, unit);
  const std::string high_text = format_amount(high, unit);
  const std::string suffix = high_text.substr(high_text.rfind(' '));
  const bool small = suffix == " MB" || suffix == " MiB";
  if (!small) return number(low, unit) + " - " + high_text;
  const double divisor = static_cast<double>(unit == DisplayUnit::gb ? kMB : kMiB);
  std::string low_text = fmt::format("{:.1f}", static_cast<double>(low.count) / divisor);
  if (low_text.size() > 2 && low_text.compare(low_text.size() - 2, 2, ".0") == 0)
    low_text.resize(low_text.size() - 2);
  return low_text + " - " + high_text;
}

std::string units_line(DisplayUnit unit) {
  return unit == DisplayUnit::gb
             ? "Units: GB = 10^9 bytes (--units gib: 2^30); GPU memory as its driver reports it.\n"
             : "Units: GiB = 2^30 bytes; GPU memory as its driver reports it.\n";
}

std::string precision_label(std::string_view id, bool rule_table) {
  if (rule_table && id == "fp16") return "FP16/BF16";
  return std::string(find_precision(id).label);
}

// "0.5" for int4, "2" for fp16: bytes per parameter as the rules of thumb write them.
std::string bytes_per_param(std::string_view id) {
  const Precision& p = find_precision(id);
  if (p.block_bytes % p.block_weights == 0) return std::to_string(p.block_bytes / p.block_weights);
  return fmt::format("{:g}", static_cast<double>(p.block_bytes) / static_cast<double>(p.block_weights));
}

// 14000000000 -> "14,000,000,000"
std::string group_digits(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (std::size_t i = digits.size(); i > 3; i -= 3) digits.insert(i - 3, ",");
  return digits;
}

// "14B parameters (14,000,000,000)", prefixed by the model's name when it has one.
std::string model_line(const ModelRef& model) {
  const std::string count =
      fmt::format("{} parameters ({})", format_param_count(model.params), group_digits(model.params));
  return model.source == "parameter count" ? count : model.name + ": " + count;
}

std::string count_cell(const GpuFit& fit) {
  if (fit.count == 0) return "-";
  std::string cell = fit.count == 1 ? "1" : fmt::format("{}x", fit.count);
  if (fit.count > 1 && (fit.layout.policy == SplitPolicy::tensor_parallel) &&
      (fit.layout.pp > 1 || fit.layout.tp != fit.count)) {
    cell += " (" + layout_text(fit.layout) + ")";
  }
  return cell;
}

std::string group_name(const std::vector<const GpuSpec*>& group) {
  std::string out;
  for (std::size_t i = 0; i < group.size();) {
    std::size_t j = i;
    while (j < group.size() && group[j] == group[i]) ++j;
    out += (out.empty() ? "" : " + ") +
           (j - i == 1 ? group[i]->id : fmt::format("{} x {}", j - i, group[i]->id));
    i = j;
  }
  return out;
}

// The GPU section every estimate shares: each kind with the fewest it takes, then where the
// estimate goes on the user's GPUs and the verdict (the exit status).
std::string gpu_section(const GpuView& gpus, const Style& style, std::string_view heading, bool training) {
  const DisplayUnit unit = style.unit;
  std::string out = "\n" + bold("GPU fit", style) + std::string(heading) + "\n";
  Table table({Align::left, Align::right, Align::right});
  table.add_row({"GPU", "memory", training ? "plan" : "GPUs needed"});
  for (const GpuFit& fit : gpus.kinds) {
    if (!gpus.named && !fit.gpu->featured) continue;
    const Bytes need = gpus.placement.per_gpu_max;
    table.add_row({fit.gpu->id, format_amount(fit.gpu->memory, unit),
                   !training        ? count_cell(fit)
                   : fit.count != 0 ? "fits"
                                    : "short by " + format_amount(need + gpus.reserve > fit.gpu->memory
                                                                      ? need + gpus.reserve - fit.gpu->memory
                                                                      : Bytes{0},
                                                                  unit)});
  }
  out += table.render();
  const Placement& p = gpus.placement;
  if (gpus.named) {
    out += fmt::format("  on {} ({}): {} per GPU at most", group_name(gpus.group), layout_text(p.layout),
                       format_amount(p.per_gpu_max, unit));
    if (p.layout.gpus > 1) out += fmt::format(", {} in all", format_amount(p.all.sum(), unit));
    out += ": " + green_or_red(p.fits ? "fits" : "does not fit", p.fits, style) + "\n";
  } else if (p.layout.gpus > 1) {
    out += fmt::format("  over {} GPUs ({}): {} per GPU, {} in all\n", p.layout.gpus, layout_text(p.layout),
                       format_amount(p.per_gpu_max, unit), format_amount(p.all.sum(), unit));
  }
  return out;
}

}  // namespace

std::string format_amount(Bytes amount, DisplayUnit unit) {
  // Below one GB/GiB, MB/MiB keep the digits that matter ("287 MB", not "0.29 GB").
  const std::uint64_t one = unit == DisplayUnit::gb ? kGB : kGiB;
  if (amount.count == 0) return "0";
  if (amount.count < one) {
    const double small =
        static_cast<double>(amount.count) / static_cast<double>(unit == DisplayUnit::gb ? kMB : kMiB);
    std::string text = fmt::format("{:.1f}", small);
    if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
    return text + (unit == DisplayUnit::gb ? " MB" : " MiB");
  }
  return number(amount, unit) + " " + unit_name(unit);
}

std::string estimate_text(const EstimateView& view, const Style& style) {
  const Estimate& e = view.estimate;
  const DisplayUnit unit = style.unit;
  std::string out = bold(fmt::format("{}: {}, {} (method: {})", model_line(e.model), mode_name(e.mode),
                                     find_precision(e.precision).label, method_name(e.method)),
                         style) +
                    "\n";
  out += units_line(unit) + "\n";

  Table parts({Align::left, Align::right, Align::left});
  const Components& c = e.components;
  parts.add_row({"weights", format_amount(c.weights, unit),
                 fmt::format("{} params x {} bytes/param", format_param_count(e.model.params),
                             bytes_per_param(e.precision))});
  const std::pair<const char*, Bytes> named[] = {{"kv_cache", c.kv_cache},
                                                 {"activations", c.activations},
                                                 {"gradients", c.gradients},
                                                 {"optimizer", c.optimizer},
                                                 {"runtime", c.runtime}};
  for (const auto& [name, amount] : named) {
    if (amount.count != 0) parts.add_row({name, format_amount(amount, unit), ""});
  }
  parts.add_row({"other", format_amount(c.other, unit), "the rest of the rule's total"});
  parts.add_row(
      {"total", format_amount(e.total, unit),
       e.low == e.high ? e.basis : fmt::format("range {} ({})", range_text(e.low, e.high, unit), e.basis)});
  out += parts.render();

  out += gpu_section(view.gpus, style,
                     " (a GPU fits when the high end of the range fits; N GPUs share it evenly)", false);
  return out;
}

std::string analysis_text(const AnalysisView& view, const Style& style) {
  const DisplayUnit unit = style.unit;
  const ModelRef& model = view.model;
  std::string out = bold(fmt::format("{}: rules of thumb (method: rule)", model_line(model)), style) + "\n" +
                    units_line(unit) + "\n";

  const OverheadRange& o = view.overhead;
  const std::string factors = "x" + permille_text(o.low_permille) + " - x" + permille_text(o.high_permille);
  out += bold("Inference", style) +
         fmt::format(": memory to run = weights {} (activations, KV cache, framework overhead)\n", factors);
  Table infer({Align::left, Align::right, Align::right, Align::right});
  infer.add_row({"precision", "bytes/param", "weights", "to run (" + factors + ")"});
  for (const EstimateView& v : view.inference) {
    const Estimate& e = v.estimate;
    infer.add_row({precision_label(e.precision, true), bytes_per_param(e.precision),
                   format_amount(e.components.weights, unit), range_text(e.low, e.high, unit)});
  }
  out += infer.render() + "\n";

  out += bold("Fine-tuning", style) + "\n";
  Table tune({Align::left, Align::left, Align::right});
  tune.add_row({"full fine-tuning", fmt::format("12 bytes/param (12 x {})", format_param_count(model.params)),
                range_text(view.train.estimate.low, view.train.estimate.high, unit)});
  tune.add_row({"LoRA", "50-60 GB at 14B, scaled linearly",
                range_text(view.lora.estimate.low, view.lora.estimate.high, unit)});
  tune.add_row({"QLoRA", "the rules of thumb give none", "-"});
  out += tune.render() + "\n";

  out +=
      bold("GPUs needed", style) +
      " (1 = fits on one; N = N of that GPU with tensor or pipeline parallelism; high end of each range)\n";
  std::vector<Align> aligns{Align::left, Align::right};
  std::vector<std::string> header{"GPU", "memory"};
  std::vector<const EstimateView*> columns;
  for (const EstimateView& v : view.inference) {
    columns.push_back(&v);
    header.push_back(precision_label(v.estimate.precision, true));
  }
  columns.push_back(&view.train);
  header.push_back("full FT");
  columns.push_back(&view.lora);
  header.push_back("LoRA");
  aligns.resize(header.size(), Align::right);
  Table fits(aligns);
  fits.add_row(header);
  const std::vector<GpuFit>& reference = view.inference.front().gpus.kinds;
  for (std::size_t g = 0; g < reference.size(); ++g) {
    const GpuSpec& gpu = *reference[g].gpu;
    if (!view.gpus_named && !gpu.featured) continue;
    std::vector<std::string> row{gpu.id, format_amount(gpu.memory, unit)};
    for (const EstimateView* column : columns) row.push_back(count_cell(column->gpus.kinds[g]));
    fits.add_row(row);
  }
  out += fits.render();
  if (!view.gpus_named) out += "  (featured GPUs; --gpu ID for any other, 'vramest gpus' for the catalog)\n";
  if (view.gpus_named) {
    // The verdict line: which estimates fit the GPUs named (the exit status is 0 if any does).
    const GpuView& group = view.inference.front().gpus;
    std::vector<std::string> fitting;
    for (const EstimateView* column : columns) {
      if (column->gpus.placement.fits) {
        fitting.push_back(column == &view.train  ? "full fine-tuning"
                          : column == &view.lora ? "LoRA"
                                                 : precision_label(column->estimate.precision, true));
      }
    }
    const bool any = !fitting.empty();
    std::string list;
    for (const std::string& f : fitting) list += (list.empty() ? "" : ", ") + f;
    out += fmt::format("  on {}: ", group_name(group.group)) +
           green_or_red(any ? "fits " + list : "none of these estimates fits", any, style) + "\n";
  }
  out += "\n";

  out += bold("Ways to save memory", style) + " (the rules of thumb's list)\n";
  Table savings({Align::left, Align::left, Align::right, Align::left});
  savings.add_row({"technique", "for this model", "saves", "note"});
  for (const Saving& s : view.savings) {
    const std::string amount = s.saves_low ? range_text(*s.saves_low, *s.saves_high, unit) : "-";
    savings.add_row({s.technique, s.scenario, amount, s.note});
  }
  out += savings.render();
  return out;
}

std::string gpus_text(const std::vector<GpuSpec>& gpus, const Style& style) {
  Table table({Align::left, Align::left, Align::right, Align::right, Align::right, Align::left, Align::left});
  table.add_row({"id", "name", "memory", "bandwidth", "bf16 dense", "segment", "marketed"});
  for (const GpuSpec& gpu : gpus) {
    table.add_row({gpu.id, gpu.name, format_amount(gpu.memory, style.unit),
                   fmt::format("{:g} GB/s", gpu.bandwidth_gb_s),
                   gpu.bf16_tflops_dense ? fmt::format("{:g} TFLOPS", *gpu.bf16_tflops_dense) : "-",
                   gpu.segment, gpu.memory_marketed});
  }
  return bold(fmt::format("{} GPUs", gpus.size()), style) +
         " (memory: the total the driver reports; bf16 dense: tensor TFLOPS without sparsity)\n" +
         table.render();
}

}  // namespace vramest::report

namespace vramest::report {
namespace {

// A proportional bar of `width` cells with eighth-block resolution.
std::string bar(Bytes part, Bytes whole, int width) {
  if (whole.count == 0) return std::string(static_cast<std::size_t>(width), ' ');
  static const char* const kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  const auto eighths = static_cast<int>(
      std::lround(static_cast<double>(part.count) / static_cast<double>(whole.count) * width * 8));
  std::string out;
  for (int i = 0; i < eighths / 8; ++i) out += "█";
  out += kEighths[eighths % 8];
  const int cells = eighths / 8 + (eighths % 8 != 0 ? 1 : 0);
  out += std::string(static_cast<std::size_t>(std::max(0, width - cells)), ' ');
  return out;
}

std::string percent(Bytes part, Bytes whole) {
  if (whole.count == 0) return "";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part.count) / static_cast<double>(whole.count));
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

}  // namespace

std::string detailed_text(const DetailedView& view, const Style& style) {
  const DetailedInference& d = view.result;
  const Estimate& e = d.estimate;
  const DisplayUnit unit = style.unit;
  std::string out = bold(fmt::format("{}{}, inference (method: detailed)", model_line(e.model),
                                     view.hf_id.empty() ? "" : " [" + view.hf_id + "]"),
                         style) +
                    "\n";
  for (const std::string& warning : view.warnings) out += "warning: " + warning + "\n";
  if (e.model.active_params != e.model.params) {
    out += fmt::format("mixture of experts: {} parameters active per token\n",
                       format_param_count(e.model.active_params));
  }
  out += fmt::format("engine {}, weights {}, context {} x batch {}, KV cache {}\n", engine_name(view.engine),
                     e.precision, *e.context, *e.batch, d.kv_dtype);
  if (!view.defaults.empty()) out += "Defaults used: " + join(view.defaults, ", ") + "\n";
  out += units_line(unit) + "\n";

  std::vector<std::string> weight_types;
  for (const auto& [type, bytes] : d.weights.by_type)
    weight_types.push_back(type + " " + format_amount(bytes, unit));
  std::vector<std::string> runtime_parts;
  for (const RuntimePart& part : d.runtime)
    runtime_parts.push_back(part.name + " " + format_amount(part.bytes, unit));
  const std::uint64_t attention_layers = d.kv.full_layers + d.kv.windowed_layers;
  std::string kv_detail = attention_layers == 0 ? d.kv.formula
                                                : fmt::format("{}; {} B/token over {} layers", d.kv.formula,
                                                              d.kv.bytes_per_token_full, attention_layers);
  if (d.kv.windowed_layers > 0) kv_detail += fmt::format(", {} of them windowed", d.kv.windowed_layers);

  const Components& c = e.components;
  Table parts({Align::left, Align::right, Align::left, Align::right, Align::left});
  const auto row = [&](const char* name, Bytes amount, const std::string& detail) {
    parts.add_row(
        {name, format_amount(amount, unit), bar(amount, e.total, 24), percent(amount, e.total), detail});
  };
  row("weights", c.weights, join(weight_types, ", "));
  row("kv_cache", c.kv_cache, kv_detail);
  row("activations", c.activations, d.activation_basis);
  row("runtime", c.runtime, join(runtime_parts, ", "));
  parts.add_row({"total", format_amount(e.total, unit), "", "", ""});
  out += parts.render();
  out += fmt::format("  rule of thumb (x1.2 - x1.3 at {}): {}\n", find_precision(view.rule.precision).label,
                     range_text(view.rule.low, view.rule.high, unit));
  if (d.host_weights.count != 0) {
    out += fmt::format("  host memory: the token embedding, {}, stays in CPU RAM\n",
                       format_amount(d.host_weights, unit));
  }
  for (const std::string& note : d.notes) out += "  note: " + note + "\n";
  for (const RuntimePart& part : d.runtime) out += fmt::format("  source: {}: {}\n", part.name, part.source);

  if (view.offload_host) {
    out += fmt::format("  llama.cpp offload: {} on the GPU, {} in CPU RAM\n",
                       format_amount(view.gpus.placement.all.sum(), unit),
                       format_amount(*view.offload_host, unit));
  }
  out += gpu_section(view.gpus, style,
                     view.engine == Engine::vllm
                         ? " (vLLM: TP x PP dividing the heads; the runtime on each GPU)"
                         : " (layers split over the GPUs; each keeps its own buffers and runtime)",
                     false);
  for (const VllmReservation& r : view.vllm) {
    out += fmt::format(
        "  vLLM on {}: reserves {} at start-up (gpu_memory_utilization of the memory, whatever the load); "
        "its KV pool gets {} = {} tokens\n",
        r.gpu->id, format_amount(r.reserved, unit), format_amount(r.kv_pool, unit),
        group_digits(r.kv_tokens));
  }
  return out;
}

std::string models_text(const std::vector<ModelEntry>& models, const Style& style) {
  Table table({Align::left, Align::left, Align::right, Align::right, Align::right, Align::left});
  table.add_row({"id", "Hugging Face", "params", "active", "context", "family"});
  for (const ModelEntry& m : models) {
    table.add_row({m.id, m.hf_id, format_param_count(m.params),
                   m.active_params == m.params ? "" : format_param_count(m.active_params),
                   m.context_length == 0 ? "" : std::to_string(m.context_length), m.family});
  }
  return bold(fmt::format("{} models", models.size()), style) +
         " (exact parameter counts of the text model; names are case-insensitive)\n" + table.render();
}

std::string formats_text(const std::vector<std::pair<FormatInfo, std::optional<double>>>& formats,
                         const Style& style) {
  Table table({Align::left, Align::left, Align::right, Align::left});
  table.add_row({"format", "family", "bits/weight", "what"});
  for (const auto& [info, bpw] : formats) {
    table.add_row({std::string(info.id), std::string(info.family), bpw ? fmt::format("{:.2f}", *bpw) : "",
                   std::string(info.description)});
  }
  return bold(fmt::format("{} weight formats", formats.size()), style) +
         " (bits/weight: the whole of Llama-3.1-8B stored in that format, scales and the tensors kept at "
         "higher precision included)\n" +
         table.render();
}

}  // namespace vramest::report

namespace vramest::report {

std::string training_text(const TrainingView& view, const Style& style) {
  const TrainingResult& r = view.result;
  const Estimate& e = r.estimate;
  const TrainingOptions& o = view.options;
  const DisplayUnit unit = style.unit;
  const char* what = e.mode == Mode::train  ? "full fine-tuning"
                     : e.mode == Mode::lora ? "LoRA fine-tuning"
                                            : "QLoRA fine-tuning";
  std::string out = bold(fmt::format("{}{}, {} (method: detailed)", model_line(e.model),
                                     view.hf_id.empty() ? "" : " [" + view.hf_id + "]", what),
                         style) +
                    "\n";
  for (const std::string& warning : view.warnings) out += "warning: " + warning + "\n";
  std::string plan = fmt::format("{} GPU{}", o.gpus, o.gpus == 1 ? "" : "s");
  if (o.zero_stage > 0) plan += fmt::format(", ZeRO-{}", o.zero_stage);
  if (o.tp > 1) plan += fmt::format(", TP {}", o.tp);
  if (o.pp > 1) plan += fmt::format(", PP {}", o.pp);
  if (o.offload != Offload::none)
    plan += o.offload == Offload::optimizer ? ", optimizer offloaded" : ", params offloaded";
  out += fmt::format("{} precision, {}, checkpointing {}, sequence {} x micro-batch {}, {}\n",
                     training_precision_name(o.precision), optimizer_name(o.optimizer),
                     checkpointing_name(o.checkpointing), o.seq_len, o.micro_batch, plan);
  if (e.mode != Mode::train) {
    std::vector<std::string> targets;
    for (const std::string& t : o.lora_targets) targets.push_back(t);
    out += fmt::format("trainable: {} parameters ({:.2f}% of {}), LoRA r={} on {}\n",
                       group_digits(r.trainable_params),
                       100.0 * static_cast<double>(r.trainable_params) / static_cast<double>(e.model.params),
                       format_param_count(e.model.params), o.lora_rank, join(targets, ", "));
  }
  if (!view.defaults.empty()) out += "Defaults used: " + join(view.defaults, ", ") + "\n";
  out += units_line(unit) + "\n";

  const Components& c = e.components;
  Table parts({Align::left, Align::right, Align::left, Align::right, Align::left});
  const auto row = [&](const char* name, Bytes amount, const std::string& detail) {
    parts.add_row(
        {name, format_amount(amount, unit), bar(amount, e.total, 24), percent(amount, e.total), detail});
  };
  row("weights", c.weights,
      e.mode == Mode::qlora  ? "NF4 linear layers; other parameters upcast to fp32; fp32 adapters"
      : e.mode == Mode::lora ? "frozen 16-bit base + fp32 adapters"
                             : "16-bit weights (fp32 master copy counted with the optimizer)");
  row("gradients", c.gradients,
      c.gradients.count == 0 ? "not yet allocated at the peak" : "of the trainable parameters");
  row("optimizer", c.optimizer,
      std::string(optimizer_name(o.optimizer)) +
          (o.precision == TrainingPrecision::mixed && e.mode == Mode::train ? " states + fp32 master weights"
                                                                            : " states"));
  row("activations", c.activations,
      fmt::format("stored for backward; logits and loss {}", format_amount(r.logits, unit)));
  row("runtime", c.runtime, "CUDA context and cuBLAS workspaces");
  if (c.other.count != 0) row("other", c.other, "transient: gathered or dequantized layers");
  parts.add_row(
      {o.gpus > 1 ? "per GPU" : "total", format_amount(e.total, unit), "", "", "dominant: " + r.dominant});
  out += parts.render();
  if (view.rule.total.count != 0) {
    out += fmt::format("  rule of thumb ({}): {}\n",
                       e.mode == Mode::train ? "12 bytes per parameter" : "LoRA 50-60 GB at 14B, scaled",
                       range_text(view.rule.low, view.rule.high, unit));
  }
  if (r.host.count != 0)
    out += fmt::format("  host memory: {} offloaded to CPU RAM\n", format_amount(r.host, unit));
  for (const std::string& note : r.notes) out += "  note: " + note + "\n";

  if (!view.levers.empty()) {
    out += "\n" + bold("Levers", style) + " (each re-estimated for this model; per GPU)\n";
    Table levers({Align::left, Align::right, Align::right});
    levers.add_row({"lever", "saves", "total after"});
    for (const Lever& l : view.levers) {
      levers.add_row({l.name, "-" + format_amount(l.saves, unit), format_amount(l.total_after, unit)});
    }
    out += levers.render();
  }

  out += gpu_section(view.gpus, style, " (each GPU of the plan holds the per-GPU total)", true);
  return out;
}

}  // namespace vramest::report

namespace vramest::report {
namespace {

std::string tokens_short(std::uint64_t tokens) {
  if (tokens >= 1024 * 1024 && tokens % (1024 * 1024) == 0)
    return std::to_string(tokens / (1024 * 1024)) + "M";
  if (tokens >= 1024 && tokens % 1024 == 0) return std::to_string(tokens / 1024) + "k";
  return std::to_string(tokens);
}

// Memory against context, one digit per format, the group's usable memory (its capacity less the
// reserve on each GPU) as a line of dashes.
std::string chart_text(const FitView& view, DisplayUnit unit) {
  constexpr int kRows = 10;
  constexpr int kColumn = 6;
  const double scale = unit == DisplayUnit::gb ? 1e9 : static_cast<double>(kGiB);
  const std::uint64_t reserved = checked_mul(view.reserve.count, view.gpus.size());
  const Bytes usable{view.capacity.count > reserved ? view.capacity.count - reserved : 0};
  const double capacity = std::max(static_cast<double>(usable.count) / scale, 1e-9);
  const double top = capacity * 2;
  const std::size_t width = view.chart_contexts.size() * kColumn;
  std::vector<std::string> grid(kRows + 1, std::string(width, ' '));
  const int capacity_row = static_cast<int>(std::lround(capacity / top * kRows));
  for (std::size_t x = 0; x < width; ++x) grid[static_cast<std::size_t>(capacity_row)][x] = '-';
  for (std::size_t s = 0; s < view.chart.size(); ++s) {
    for (std::size_t i = 0; i < view.chart[s].totals.size(); ++i) {
      const double value = static_cast<double>(view.chart[s].totals[i].count) / scale;
      const bool beyond = value > top;
      const int row = beyond ? kRows : static_cast<int>(std::lround(value / top * kRows));
      grid[static_cast<std::size_t>(row)][i * kColumn + kColumn / 2 + s % 2] =
          beyond ? '^' : static_cast<char>('1' + s);
    }
  }
  std::string out =
      fmt::format("Memory against context at batch {} ({}; ---- the GPUs' {}{}; ^ beyond the top)\n",
                  view.batch, unit == DisplayUnit::gb ? "GB" : "GiB", format_amount(usable, unit),
                  view.reserve.count == 0 ? "" : " after the reserve");
  for (int row = kRows; row >= 0; --row) {
    std::string line = fmt::format("  {:>7.1f} |{}", top * row / kRows, grid[static_cast<std::size_t>(row)]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += "          +" + std::string(width, '-') + "\n           ";
  for (std::uint64_t c : view.chart_contexts) out += fmt::format("{:^{}}", tokens_short(c), kColumn);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += "\n ";
  for (std::size_t s = 0; s < view.chart.size(); ++s)
    out += fmt::format(" {} {}", s + 1, view.chart[s].label);
  return out + "\n";
}

}  // namespace

std::string fit_text(const FitView& view, const Style& style, bool chart) {
  const DisplayUnit unit = style.unit;
  std::vector<std::string> names;
  for (const GpuSpec* gpu : view.gpus) names.push_back(gpu->id);
  std::string out =
      bold(fmt::format("{}{} on {} ({}), {} with {}", model_line(view.model),
                       view.hf_id.empty() ? "" : " [" + view.hf_id + "]", join(names, " + "),
                       format_amount(view.capacity, unit), engine_name(view.engine), view.format),
           style) +
      "\n";
  for (const std::string& warning : view.warnings) out += "warning: " + warning + "\n";
  if (!view.defaults.empty()) out += "Defaults used: " + join(view.defaults, ", ") + "\n";
  for (const std::string& reading : view.readings) out += "Read as: " + reading + "\n";
  if (view.reserve.count != 0)
    out += fmt::format("Reserved per GPU for a display or other processes: {}\n",
                       format_amount(view.reserve, unit));
  out += units_line(unit) + "\n";

  const Bytes total = view.request.sum();
  out += fmt::format(
             "  request: context {} x batch {} needs {} (weights {}, KV cache {}, activations {}, runtime {} "
             "per GPU); "
             "{}: {} per GPU at most: ",
             view.context, view.batch, format_amount(total, unit), format_amount(view.request.weights, unit),
             format_amount(view.request.kv_cache, unit), format_amount(view.request.activations, unit),
             format_amount(view.request.runtime, unit), layout_text(view.placement.layout),
             format_amount(view.placement.per_gpu_max, unit)) +
         green_or_red(view.fits ? "fits" : "does not fit", view.fits, style) + "\n";
  Table answers({Align::left, Align::left});
  std::string context_answer = view.max_context == 0
                                   ? "none: the weights alone do not fit"
                                   : fmt::format("{} tokens", group_digits(view.max_context));
  if (view.max_context == kMaxSearchContext) context_answer += " (the search limit)";
  if (view.trained_context != 0 && view.max_context > view.trained_context) {
    context_answer += fmt::format(" (beyond the model's trained {})", group_digits(view.trained_context));
  }
  answers.add_row({fmt::format("largest context at batch {}", view.batch), context_answer});
  answers.add_row({fmt::format("largest batch at context {}", view.context),
                   view.max_batch == 0 ? "none"
                                       : fmt::format("{} sequence{}", group_digits(view.max_batch),
                                                     view.max_batch == 1 ? "" : "s")});
  answers.add_row({"best weight format that fits", view.best_format.empty()
                                                       ? "none of " + join(format_ladder(view.engine), ", ")
                                                       : view.best_format});
  answers.add_row({fmt::format("fewest {} for the request", view.fewest.gpu->id),
                   view.fewest.count == 0
                       ? "none: no layout of them holds it"
                       : fmt::format("{} ({})", view.fewest.count, layout_text(view.fewest.layout))});
  if (view.offload) {
    const LayerOffload& o = *view.offload;
    answers.add_row({"llama.cpp -ngl",
                     o.gpu_layers > o.total_layers
                         ? fmt::format("all {} layers and the output on the GPU", o.total_layers)
                         : fmt::format("{} of {} layers on the GPU; CPU RAM for the rest: {}", o.gpu_layers,
                                       o.total_layers + 1, format_amount(o.host_bytes, unit))});
    if (o.cpu_moe_layers) {
      answers.add_row({"llama.cpp --n-cpu-moe",
                       *o.cpu_moe_layers == 0
                           ? "0: every expert fits on the GPU"
                           : fmt::format("{} (routed experts of {} layers in CPU RAM: {})", *o.cpu_moe_layers,
                                         *o.cpu_moe_layers, format_amount(o.cpu_moe_host_bytes, unit))});
    }
  }
  if (view.speed) {
    const SpeedBounds& s = *view.speed;
    answers.add_row(
        {"decode, upper bound",
         fmt::format("{:.0f} tokens/s per sequence{}", s.decode_tokens_per_s,
                     view.batch > 1 ? fmt::format(", {:.0f} in all", s.decode_aggregate_tokens_per_s) : "")});
    if (s.compute_known) {
      answers.add_row({fmt::format("prefill of {} tokens, bound", group_digits(view.prompt)),
                       fmt::format("{:.3f} s", s.prefill_seconds)});
      answers.add_row({"time to first token, bound", fmt::format("{:.3f} s", s.ttft_seconds)});
    }
  }
  out += answers.render();
  if (view.speed) {
    out +=
        "  (speeds are upper bounds from memory bandwidth and dense bf16 compute; real engines reach "
        "60-85%)\n";
  }
  if (chart && !view.chart.empty()) out += "\n" + chart_text(view, unit);
  return out;
}

}  // namespace vramest::report

namespace vramest::report {
namespace {

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::vector<const FileTensor*> largest(const ModelFile& file, std::uint64_t top) {
  std::vector<const FileTensor*> sorted;
  for (const FileTensor& t : file.tensors) sorted.push_back(&t);
  const std::size_t n = std::min<std::size_t>(top, sorted.size());
  std::partial_sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n), sorted.end(),
                    [](const FileTensor* a, const FileTensor* b) { return a->bytes > b->bytes; });
  sorted.resize(n);
  return sorted;
}

const char* part_name(TensorPart p) {
  return p == TensorPart::text ? "text" : p == TensorPart::vision ? "vision" : "mtp";
}

}  // namespace

std::string inspect_text(const ModelFile& file, std::uint64_t top, const Style& style) {
  const DisplayUnit unit = style.unit;
  std::string out = bold(fmt::format("{} ({} file{}, {} on disk)", file.paths.front(), file.paths.size(),
                                     file.paths.size() == 1 ? "" : "s", format_amount(file.file_bytes, unit)),
                         style) +
                    "\n";
  out += fmt::format("format {}, stored as {}, {} tensors\n", file.format, file.weight_format,
                     file.tensors.size());
  if (file.arch) {
    const ModelArch& a = *file.arch;
    std::string arch = fmt::format(
        "{}: {} layers, hidden {}, {} heads / {} KV heads x {}, vocab {}, context {}", a.model_type,
        a.layer_count(), a.hidden, a.heads, a.kv_heads, a.head_dim, a.vocab, a.max_context);
    if (a.moe) arch += fmt::format(", {} experts (top {})", a.moe->experts, a.moe->experts_per_token);
    if (a.mla) arch += fmt::format(", MLA latent {}", a.mla->kv_lora_rank);
    if (a.tied_embeddings) arch += ", tied embeddings";
    if (layer_kind_counts(a).size() > 1 || (!a.layers.empty() && !a.layers.front().has_attention())) {
      std::vector<std::string> kinds;
      for (const auto& [kind, n] : layer_kind_counts(a)) kinds.push_back(fmt::format("{} {}", n, kind));
      arch += ", layers: " + join(kinds, " + ");
    }
    out += "architecture " + arch + "\n";
    for (const std::string& warning : a.warnings) out += "warning: " + warning + "\n";
  }
  out += units_line(unit) + "\n";
  Table parts({Align::left, Align::right, Align::right});
  parts.add_row({"part", "parameters", "bytes"});
  parts.add_row({"text model",
                 fmt::format("{} ({})", format_param_count(file.text.params), group_digits(file.text.params)),
                 format_amount(file.text.bytes, unit)});
  if (file.vision.params) {
    parts.add_row({"vision tower + projector", group_digits(file.vision.params),
                   format_amount(file.vision.bytes, unit)});
  }
  if (file.mtp.params)
    parts.add_row(
        {"multi-token prediction", group_digits(file.mtp.params), format_amount(file.mtp.bytes, unit)});
  out += parts.render() + "\n" + bold("Bytes by type", style) + " (text model)\n";
  Table types({Align::left, Align::right, Align::right});
  for (const auto& [type, bytes] : file.weights.by_type)
    types.add_row({type, format_amount(bytes, unit), percent(bytes, file.weights.total)});
  out += types.render() + "\n" + bold(fmt::format("Largest tensors", top), style) + "\n";
  Table big({Align::left, Align::left, Align::left, Align::right, Align::left});
  for (const FileTensor* t : largest(file, top)) {
    big.add_row(
        {t->name, t->type, shape_text(t->shape), format_amount(Bytes{t->bytes}, unit), part_name(t->part)});
  }
  out += big.render();
  if (!file.metadata.empty()) {
    out += "\n" + bold("Metadata", style) + "\n";
    Table meta({Align::left, Align::left});
    for (const auto& [k, v] : file.metadata) meta.add_row({k, v});
    out += meta.render();
  }
  for (const std::string& note : file.notes) out += "note: " + note + "\n";
  return out;
}

}  // namespace vramest::report
