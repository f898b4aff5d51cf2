#include "report/report.hpp"

#include "vramest/io/json.hpp"

namespace vramest::report {
namespace {

nlohmann::ordered_json view_json(const EstimateView& view) {
  return estimate_to_json(view.estimate, view.fits, view.per_gpu);
}

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
