#include "report/report.hpp"

#include "vramest/io/json.hpp"

namespace vramest::report {
namespace {

nlohmann::ordered_json view_json(const EstimateView& view) {
  return estimate_to_json(view.estimate, view.fits, view.per_gpu);
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
  Bytes per_gpu = view.per_gpu;
  doc.update(estimate_to_json(d.estimate, view.fits, per_gpu));
  if (!view.hf_id.empty()) doc["model"]["hf_id"] = view.hf_id;
  doc["engine"] = engine_name(view.engine);
  doc["kv_dtype"] = d.kv_dtype;
  doc["defaults"] = view.defaults;
  nlohmann::ordered_json by_type = nlohmann::ordered_json::object();
  for (const auto& [type, bytes] : d.weights.by_type) by_type[type] = bytes.count;
  doc["weights_by_type"] = std::move(by_type);
  doc["host_bytes"] = d.host_weights.count;
  doc["kv_cache"] = {{"bytes_per_token", d.kv.bytes_per_token_full},
                     {"full_layers", d.kv.full_layers},
                     {"windowed_layers", d.kv.windowed_layers},
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
                              {"bits_per_weight_llama_3_1_8b", bpw ? nlohmann::ordered_json(*bpw) : nlohmann::ordered_json(nullptr)},
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
  doc.update(estimate_to_json(r.estimate, view.fits, r.estimate.total));
  if (!view.hf_id.empty()) doc["model"]["hf_id"] = view.hf_id;
  doc["defaults"] = view.defaults;
  std::vector<std::string> targets(o.lora_targets.begin(), o.lora_targets.end());
  doc["training"] = {{"precision", training_precision_name(o.precision)},
                     {"optimizer", optimizer_name(o.optimizer)},
                     {"grad_checkpointing", checkpointing_name(o.checkpointing)},
                     {"trainable_params", r.trainable_params},
                     {"lora_rank", e_mode_is_lora(r.estimate.mode) ? nlohmann::ordered_json(o.lora_rank) : nlohmann::ordered_json(nullptr)},
                     {"lora_targets", e_mode_is_lora(r.estimate.mode) ? nlohmann::ordered_json(targets) : nlohmann::ordered_json(nullptr)},
                     {"gpus", o.gpus},
                     {"zero_stage", o.zero_stage},
                     {"tp", o.tp},
                     {"pp", o.pp},
                     {"offload", o.offload == Offload::none ? "none" : o.offload == Offload::optimizer ? "optimizer" : "params"},
                     {"grad_accum", view.grad_accum},
                     {"host_bytes", r.host.count},
                     {"logits_bytes", r.logits.count},
                     {"dominant", r.dominant}};
  nlohmann::ordered_json levers = nlohmann::ordered_json::array();
  for (const Lever& l : view.levers) {
    levers.push_back({{"lever", l.name}, {"saves_bytes", l.saves.count}, {"total_bytes", l.total_after.count}});
  }
  doc["levers"] = std::move(levers);
  if (view.rule.total.count != 0) {
    doc["rule"] = {{"precision", view.rule.precision}, {"low_bytes", view.rule.low.count}, {"high_bytes", view.rule.high.count}};
  }
  doc["notes"] = r.notes;
  return dump(doc);
}

}  // namespace vramest::report
