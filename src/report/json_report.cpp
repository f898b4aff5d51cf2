#include <algorithm>
#include <cmath>
#include <cstdint>

#include "report/report.hpp"
#include "vramest/io/json.hpp"

namespace vramest::report {
namespace {

// Where an estimate goes on GPUs: components and total_bytes summed over the placement's GPUs
// (the rule's even split keeps its own, which the shares add up to), per_gpu_bytes the most any
// one holds, the placement itself, and the fewest of each GPU kind.
void add_gpus(nlohmann::ordered_json& j, const GpuView& gpus) {
  const Placement& p = gpus.placement;
  if (p.layout.policy != SplitPolicy::even) {
    j["components"] = components_to_json(p.all);
    j["total_bytes"] = p.all.sum().count;
    j["range"] = {{"low_bytes", p.all.sum().count}, {"high_bytes", p.all.sum().count}};
  }
  j["per_gpu_bytes"] = p.per_gpu_max.count;
  nlohmann::ordered_json per_gpu = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < p.per_gpu.size(); ++i) {
    per_gpu.push_back(
        {{"gpu", gpus.named ? nlohmann::ordered_json(gpus.group[i]->id) : nlohmann::ordered_json(nullptr)},
         {"bytes", p.per_gpu[i].sum().count}});
  }
  j["placement"] = {{"layout", layout_text(p.layout)},
                    {"split", split_policy_name(p.layout.policy)},
                    {"gpus", p.layout.gpus},
                    {"tensor_parallel", p.layout.tp},
                    {"pipeline_parallel", p.layout.pp},
                    {"per_gpu", std::move(per_gpu)},
                    {"fits", gpus.named ? nlohmann::ordered_json(p.fits) : nlohmann::ordered_json(nullptr)}};
  nlohmann::ordered_json kinds = nlohmann::ordered_json::array();
  for (const GpuFit& fit : gpus.kinds) {
    const auto in_group =
        static_cast<std::uint64_t>(std::count(gpus.group.begin(), gpus.group.end(), fit.gpu));
    const bool fits = gpus.kinds.size() == 1 && gpus.named
                          ? p.fits
                          : fit.count != 0 && fit.count <= std::max<std::uint64_t>(1, in_group);
    kinds.push_back({{"id", fit.gpu->id},
                     {"name", fit.gpu->name},
                     {"memory_bytes", fit.gpu->memory.count},
                     {"count", fit.count},
                     {"layout", fit.count == 0 ? nlohmann::ordered_json(nullptr)
                                               : nlohmann::ordered_json(layout_text(fit.layout))},
                     {"fits", fits}});
  }
  j["gpus"] = std::move(kinds);
}

nlohmann::ordered_json view_json(const EstimateView& view) {
  nlohmann::ordered_json j = estimate_to_json(view.estimate);
  add_gpus(j, view.gpus);
  return j;
}

bool e_mode_is_lora(Mode mode) { return mode == Mode::lora || mode == Mode::qlora; }

std::string dump(const nlohmann::ordered_json& doc) { return doc.dump(2) + "\n"; }

nlohmann::ordered_json document() {
  nlohmann::ordered_json doc;
  doc["schema_version"] = kJsonSchemaVersion;
  return doc;
}

}  // namespace

std::string estimate_json(const EstimateView& view) {
  nlohmann::ordered_json doc = document();
  doc.update(view_json(view));
  return dump(doc);
}

std::string estimates_json(const std::vector<EstimateView>& views) {
  nlohmann::ordered_json doc = document();
  doc["estimates"] = nlohmann::ordered_json::array();
  for (const EstimateView& view : views) doc["estimates"].push_back(view_json(view));
  return dump(doc);
}

std::string analysis_json(const AnalysisView& view) {
  nlohmann::ordered_json doc = document();
  doc["estimates"] = nlohmann::ordered_json::array();
  for (const EstimateView& v : view.inference) doc["estimates"].push_back(view_json(v));
  doc["estimates"].push_back(view_json(view.train));
  doc["estimates"].push_back(view_json(view.lora));
  nlohmann::ordered_json savings = nlohmann::ordered_json::array();
  for (const Saving& s : view.savings) {
    nlohmann::ordered_json item;
    item["technique"] = s.technique;
    item["scenario"] = s.scenario;
    item["saves_low_bytes"] = s.saves_low ? nlohmann::ordered_json(s.saves_low->count) : nullptr;
    item["saves_high_bytes"] = s.saves_high ? nlohmann::ordered_json(s.saves_high->count) : nullptr;
    item["note"] = s.note;
    savings.push_back(std::move(item));
  }
  doc["savings"] = std::move(savings);
  return dump(doc);
}

std::string gpus_json(const std::vector<GpuSpec>& gpus) {
  nlohmann::ordered_json doc = document();
  doc["gpus"] = nlohmann::ordered_json::array();
  for (const GpuSpec& gpu : gpus) doc["gpus"].push_back(gpu_to_json(gpu));
  return dump(doc);
}

std::string error_json(const Error& error) { return dump(error_to_json(error)); }

}  // namespace vramest::report

namespace vramest::report {

std::string detailed_json(const DetailedView& view) {
  const DetailedInference& d = view.result;
  nlohmann::ordered_json doc = document();
  doc.update(estimate_to_json(d.estimate));
  add_gpus(doc, view.gpus);
  if (!view.hf_id.empty()) doc["model"]["hf_id"] = view.hf_id;
  doc["warnings"] = view.warnings;
  doc["engine"] = engine_name(view.engine);
  doc["kv_dtype"] = d.kv_dtype;
  doc["defaults"] = view.defaults;
  nlohmann::ordered_json by_type = nlohmann::ordered_json::object();
  for (const auto& [type, bytes] : d.weights.by_type) by_type[type] = bytes.count;
  doc["weights_by_type"] = std::move(by_type);
  doc["host_bytes"] = (view.offload_host ? *view.offload_host : d.host_weights).count;
  doc["kv_cache"] = {{"bytes_per_token", d.kv.bytes_per_token_full},
                     {"full_layers", d.kv.full_layers},
                     {"windowed_layers", d.kv.windowed_layers},
                     {"recurrent_layers", d.kv.recurrent_layers},
                     {"state_bytes", d.kv.state_bytes.count},
                     {"cross_attention_bytes", d.kv.cross_bytes.count},
                     {"cells", d.kv.cells},
                     {"formula", d.kv.formula}};
  doc["activations_basis"] = d.activation_basis;
  nlohmann::ordered_json runtime = nlohmann::ordered_json::array();
  for (const RuntimePart& part : d.runtime) {
    runtime.push_back({{"name", part.name}, {"bytes", part.bytes.count}, {"source", part.source}});
  }
  doc["runtime_parts"] = std::move(runtime);
  doc["rule"] = {{"precision", view.rule.precision},
                 {"low_bytes", view.rule.low.count},
                 {"high_bytes", view.rule.high.count}};
  doc["notes"] = d.notes;
  nlohmann::ordered_json vllm = nlohmann::ordered_json::array();
  for (const VllmReservation& r : view.vllm) {
    vllm.push_back({{"gpu", r.gpu->id},
                    {"reserved_bytes", r.reserved.count},
                    {"kv_pool_bytes", r.kv_pool.count},
                    {"kv_tokens", r.kv_tokens}});
  }
  doc["vllm"] = std::move(vllm);
  return dump(doc);
}

std::string models_json(const std::vector<ModelEntry>& models) {
  nlohmann::ordered_json doc = document();
  doc["models"] = nlohmann::ordered_json::array();
  for (const ModelEntry& m : models) {
    doc["models"].push_back({{"id", m.id},
                             {"hf_id", m.hf_id},
                             {"aliases", m.aliases},
                             {"family", m.family},
                             {"params", m.params},
                             {"active_params", m.active_params},
                             {"context_length", m.context_length},
                             {"multimodal", m.multimodal},
                             {"params_evidence", m.params_evidence}});
  }
  return dump(doc);
}

std::string formats_json(const std::vector<std::pair<FormatInfo, std::optional<double>>>& formats) {
  nlohmann::ordered_json doc = document();
  doc["formats"] = nlohmann::ordered_json::array();
  for (const auto& [info, bpw] : formats) {
    doc["formats"].push_back({{"id", info.id},
                              {"family", info.family},
                              {"bits_per_weight_llama_3_1_8b",
                               bpw ? nlohmann::ordered_json(*bpw) : nlohmann::ordered_json(nullptr)},
                              {"description", info.description}});
  }
  return dump(doc);
}

}  // namespace vramest::report

namespace vramest::report {

std::string training_json(const TrainingView& view) {
  const TrainingResult& r = view.result;
  const TrainingOptions& o = view.options;
  nlohmann::ordered_json doc = document();
  doc.update(estimate_to_json(r.estimate));
  add_gpus(doc, view.gpus);
  if (!view.hf_id.empty()) doc["model"]["hf_id"] = view.hf_id;
  doc["warnings"] = view.warnings;
  doc["defaults"] = view.defaults;
  std::vector<std::string> targets(o.lora_targets.begin(), o.lora_targets.end());
  doc["training"] = {{"precision", training_precision_name(o.precision)},
                     {"optimizer", optimizer_name(o.optimizer)},
                     {"grad_checkpointing", checkpointing_name(o.checkpointing)},
                     {"trainable_params", r.trainable_params},
                     {"lora_rank", e_mode_is_lora(r.estimate.mode) ? nlohmann::ordered_json(o.lora_rank)
                                                                   : nlohmann::ordered_json(nullptr)},
                     {"lora_targets", e_mode_is_lora(r.estimate.mode) ? nlohmann::ordered_json(targets)
                                                                      : nlohmann::ordered_json(nullptr)},
                     {"gpus", o.gpus},
                     {"zero_stage", o.zero_stage},
                     {"tp", o.tp},
                     {"pp", o.pp},
                     {"offload", o.offload == Offload::none        ? "none"
                                 : o.offload == Offload::optimizer ? "optimizer"
                                                                   : "params"},
                     {"grad_accum", view.grad_accum},
                     {"host_bytes", r.host.count},
                     {"logits_bytes", r.logits.count},
                     {"dominant", r.dominant}};
  nlohmann::ordered_json levers = nlohmann::ordered_json::array();
  for (const Lever& l : view.levers) {
    levers.push_back(
        {{"lever", l.name}, {"saves_bytes", l.saves.count}, {"total_bytes", l.total_after.count}});
  }
  doc["levers"] = std::move(levers);
  // The rules of thumb have no QLoRA rule: null rather than absent, so every training document has the key.
  doc["rule"] = view.rule.total.count == 0 ? nlohmann::ordered_json(nullptr)
                                           : nlohmann::ordered_json{{"precision", view.rule.precision},
                                                                    {"low_bytes", view.rule.low.count},
                                                                    {"high_bytes", view.rule.high.count}};
  doc["notes"] = r.notes;
  return dump(doc);
}

}  // namespace vramest::report

namespace vramest::report {

std::string fit_json(const FitView& view) {
  nlohmann::ordered_json doc = document();
  doc["model"] = {{"name", view.model.name},
                  {"params", view.model.params},
                  {"active_params", view.model.active_params},
                  {"source", view.model.source}};
  if (!view.hf_id.empty()) doc["model"]["hf_id"] = view.hf_id;
  doc["warnings"] = view.warnings;
  doc["engine"] = engine_name(view.engine);
  doc["precision"] = view.format;
  doc["defaults"] = view.defaults;
  nlohmann::ordered_json gpus = nlohmann::ordered_json::array();
  for (const GpuSpec* gpu : view.gpus) gpus.push_back({{"id", gpu->id}, {"memory_bytes", gpu->memory.count}});
  doc["gpus"] = std::move(gpus);
  doc["capacity_bytes"] = view.capacity.count;
  doc["reserve_bytes"] = view.reserve.count;
  const Components& c = view.request;
  doc["total_bytes"] = view.placement.all.sum().count;
  doc["per_gpu_bytes"] = view.placement.per_gpu_max.count;
  doc["layout"] = layout_text(view.placement.layout);
  doc["readings"] = view.readings;
  doc["request"] = {{"context", view.context},
                    {"batch", view.batch},
                    {"fits", view.fits},
                    {"total_bytes", c.sum().count},
                    {"components",
                     {{"weights", c.weights.count},
                      {"kv_cache", c.kv_cache.count},
                      {"activations", c.activations.count},
                      {"runtime", c.runtime.count}}}};
  doc["max_context"] = view.max_context;
  doc["trained_context"] = view.trained_context;
  doc["max_batch"] = view.max_batch;
  doc["best_format"] =
      view.best_format.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(view.best_format);
  doc["fewest_gpus"] = {
      {"gpu", view.fewest.gpu->id},
      {"count", view.fewest.count},
      {"layout", view.fewest.count == 0 ? nlohmann::ordered_json(nullptr)
                                        : nlohmann::ordered_json(layout_text(view.fewest.layout))}};
  if (view.offload) {
    const LayerOffload& o = *view.offload;
    doc["llamacpp_offload"] = {{"gpu_layers", o.gpu_layers},
                               {"total_layers", o.total_layers + 1},
                               {"gpu_bytes", o.gpu_bytes.count},
                               {"host_bytes", o.host_bytes.count},
                               {"cpu_moe_layers", o.cpu_moe_layers ? nlohmann::ordered_json(*o.cpu_moe_layers)
                                                                   : nlohmann::ordered_json(nullptr)},
                               {"cpu_moe_host_bytes", o.cpu_moe_host_bytes.count}};
  } else {
    doc["llamacpp_offload"] = nullptr;
  }
  if (view.speed) {
    const SpeedBounds& s = *view.speed;
    doc["speed"] = {{"bytes_per_step", static_cast<std::uint64_t>(std::ceil(s.bytes_per_step))},
                    {"decode_tokens_per_s", s.decode_tokens_per_s},
                    {"decode_aggregate_tokens_per_s", s.decode_aggregate_tokens_per_s},
                    {"prompt_tokens", view.prompt},
                    {"prefill_flops", s.prefill_flops},
                    {"prefill_seconds", s.compute_known ? nlohmann::ordered_json(s.prefill_seconds)
                                                        : nlohmann::ordered_json(nullptr)},
                    {"ttft_seconds", s.compute_known ? nlohmann::ordered_json(s.ttft_seconds)
                                                     : nlohmann::ordered_json(nullptr)}};
  } else {
    doc["speed"] = nullptr;
  }
  nlohmann::ordered_json chart = nlohmann::ordered_json::array();
  for (const ChartSeries& series : view.chart) {
    nlohmann::ordered_json totals = nlohmann::ordered_json::array();
    for (const Bytes& b : series.totals) totals.push_back(b.count);
    chart.push_back({{"format", series.label}, {"totals_bytes", std::move(totals)}});
  }
  doc["chart"] = {{"contexts", view.chart_contexts}, {"series", std::move(chart)}};
  return dump(doc);
}

}  // namespace vramest::report

namespace vramest::report {

std::string inspect_json(const ModelFile& file, std::uint64_t top) {
  nlohmann::ordered_json doc = document();
  doc["format"] = file.format;
  doc["paths"] = file.paths;
  doc["file_bytes"] = file.file_bytes.count;
  doc["weight_format"] = file.weight_format;
  doc["tensor_count"] = file.tensors.size();
  if (file.arch) {
    const ModelArch& a = *file.arch;
    nlohmann::ordered_json kinds = nlohmann::ordered_json::object();
    for (const auto& [kind, n] : layer_kind_counts(a)) kinds[std::string(kind)] = n;
    doc["architecture"] = {
        {"model_type", a.model_type},
        {"family", a.family},
        {"layers", a.layer_count()},
        {"layer_kinds", std::move(kinds)},
        {"hidden", a.hidden},
        {"heads", a.heads},
        {"kv_heads", a.kv_heads},
        {"head_dim", a.head_dim},
        {"vocab", a.vocab},
        {"max_context", a.max_context},
        {"tied_embeddings", a.tied_embeddings},
        {"experts", a.moe ? nlohmann::ordered_json(a.moe->experts) : nlohmann::ordered_json(nullptr)},
        {"experts_per_token",
         a.moe ? nlohmann::ordered_json(a.moe->experts_per_token) : nlohmann::ordered_json(nullptr)},
        {"kv_lora_rank",
         a.mla ? nlohmann::ordered_json(a.mla->kv_lora_rank) : nlohmann::ordered_json(nullptr)}};
    doc["warnings"] = a.warnings;
  } else {
    doc["architecture"] = nullptr;
    doc["warnings"] = nlohmann::ordered_json::array();
  }
  const auto part = [](const PartTotals& p) {
    return nlohmann::ordered_json{{"params", p.params}, {"bytes", p.bytes.count}};
  };
  doc["text"] = part(file.text);
  doc["vision"] = part(file.vision);
  doc["mtp"] = part(file.mtp);
  nlohmann::ordered_json by_type = nlohmann::ordered_json::object();
  for (const auto& [type, bytes] : file.weights.by_type) by_type[type] = bytes.count;
  doc["weights_by_type"] = std::move(by_type);
  nlohmann::ordered_json big = nlohmann::ordered_json::array();
  std::vector<const FileTensor*> sorted;
  for (const FileTensor& t : file.tensors) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(),
            [](const FileTensor* a, const FileTensor* b) { return a->bytes > b->bytes; });
  for (std::size_t i = 0; i < sorted.size() && i < top; ++i) {
    const FileTensor& t = *sorted[i];
    big.push_back({{"name", t.name},
                   {"type", t.type},
                   {"shape", t.shape},
                   {"bytes", t.bytes},
                   {"part", t.part == TensorPart::text     ? "text"
                            : t.part == TensorPart::vision ? "vision"
                                                           : "mtp"}});
  }
  doc["largest_tensors"] = std::move(big);
  nlohmann::ordered_json meta = nlohmann::ordered_json::object();
  for (const auto& [k, v] : file.metadata) meta[k] = v;
  doc["metadata"] = std::move(meta);
  doc["notes"] = file.notes;
  return dump(doc);
}

}  // namespace vramest::report
