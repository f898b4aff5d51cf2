// Accuracy against published measurements of real inference memory.
//
// data/accuracy/inference.jsonl holds each measurement with its source, what it measured, and a
// "vramest" object: the configuration to estimate and which estimated quantity each measured
// number corresponds to (a component, a sum of components, or vLLM's KV pool). This test runs
// the detailed estimator on every one, checks the median relative error against the threshold
// the README states, and with VRAMEST_ACCURACY_REPORT=1 prints the README's table.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "catalog_data.hpp"
#include "cli/choices.hpp"
#include "vramest/inference.hpp"
#include "vramest/io/json.hpp"
#include "vramest/parse/hf_config.hpp"
#include "vramest/speed.hpp"
#include "vramest/training.hpp"

using namespace vramest;

namespace {

// The README's promises: median absolute relative error under 10% for inference, 15% for
// training.
constexpr double kMedianErrorLimit = 0.10;
constexpr double kTrainingMedianErrorLimit = 0.15;

struct Comparison {
  std::string id;
  std::string engine;
  std::string measured_key;
  std::string estimate_key;
  double measured = 0;
  double estimated = 0;
  double error() const { return (estimated - measured) / measured; }
};

double median_abs(std::vector<double> errors) {
  for (double& e : errors) e = std::fabs(e);
  std::sort(errors.begin(), errors.end());
  if (errors.empty()) return 0;
  const std::size_t n = errors.size();
  return n % 2 == 1 ? errors[n / 2] : (errors[n / 2 - 1] + errors[n / 2]) / 2;
}

// A markdown table of median and worst absolute error per group.
void print_error_table(const char* group, const std::map<std::string, std::vector<double>>& errors_by_group) {
  std::cout << "\n| " << group
            << " | comparisons | median abs error | worst |\n| --- | ---: | ---: | ---: |\n";
  for (const auto& [name, errors] : errors_by_group) {
    double worst = 0;
    for (double e : errors) worst = std::max(worst, std::fabs(e));
    std::cout << "| " << name << " | " << errors.size() << " | "
              << std::llround(median_abs(errors) * 1000) / 10.0 << "% | " << std::llround(worst * 1000) / 10.0
              << "% |\n";
  }
}

// The scored entries of data/accuracy/<file>: those with a "vramest" estimate to run.
std::vector<nlohmann::json> scored_entries(const char* file) {
  std::ifstream in(std::string(VRAMEST_DATA_DIR) + "/accuracy/" + file);
  REQUIRE(in.good());
  std::vector<nlohmann::json> entries;
  for (std::string line; std::getline(in, line);) {
    nlohmann::json entry = nlohmann::json::parse(line);
    if (!entry["vramest"]["estimate"].is_null()) entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<Comparison> run_all() {
  const ModelCatalog models = shell::load_model_catalog("");
  const GpuCatalog gpus = shell::load_gpu_catalog("");
  std::vector<Comparison> out;
  for (const nlohmann::json& entry : scored_entries("inference.jsonl")) {
    const nlohmann::json& spec = entry["vramest"]["estimate"];
    INFO(entry["id"].get<std::string>());
    const ModelEntry& model_entry = models.find(spec["model"].get<std::string>());
    ModelArch arch = arch_from_hf_config(nlohmann::json::parse(model_entry.config_json), model_entry.id);
    if (spec.value("no_sliding_window", false)) {
      for (LayerSpec& layer : arch.layers) layer.scope = AttentionScope::full;
    }
    const ParamCounts counts = count_params(arch);
    InferenceOptions opt;
    opt.engine = vramest::shell::kEngines.parse(spec["engine"].get<std::string>());
    opt.context = spec["context"].get<std::uint64_t>();
    opt.batch = spec["batch"].get<std::uint64_t>();
    opt.ubatch = spec.value("ubatch", std::uint64_t{512});
    opt.flash_attention = spec.value("flash_attention", true);
    opt.max_num_batched_tokens = spec.value("max_num_batched_tokens", std::uint64_t{2048});
    opt.max_num_seqs = spec.value("max_num_seqs", std::uint64_t{256});
    const ModelRef ref{model_entry.id, counts.total, counts.active, "catalog"};
    const DetailedInference d =
        estimate_inference(arch, ref, parse_weight_format(spec["format"].get<std::string>()), opt);
    const Components& c = d.estimate.components;

    // vLLM's KV pool: utilization x GPU memory, less weights, activation peak and runtime.
    double gpu_memory = 0;
    if (spec.contains("gpu"))
      gpu_memory = static_cast<double>(gpus.find(spec["gpu"].get<std::string>()).memory.count);
    if (spec.contains("gpu_memory_from"))
      gpu_memory = entry["measured"][spec["gpu_memory_from"].get<std::string>()].get<double>();
    const double pool = spec.value("gpu_memory_utilization", 0.9) * gpu_memory -
                        static_cast<double>((c.weights + c.activations + c.runtime).count);

    for (const nlohmann::json& cmp : entry["vramest"]["compare"]) {
      Comparison r;
      r.id = entry["id"];
      r.engine = spec["engine"];
      r.measured_key = cmp["measured"];
      r.estimate_key = cmp["estimate"];
      r.measured = entry["measured"][r.measured_key].get<double>();
      const std::string& key = r.estimate_key;
      if (key == "weights")
        r.estimated = static_cast<double>(c.weights.count);
      else if (key == "kv_cache")
        r.estimated = static_cast<double>(c.kv_cache.count);
      else if (key == "activations")
        r.estimated = static_cast<double>(c.activations.count);
      else if (key == "weights+activations")
        r.estimated = static_cast<double>((c.weights + c.activations).count);
      else if (key == "weights+kv_cache")
        r.estimated = static_cast<double>((c.weights + c.kv_cache).count);
      else if (key == "weights+kv_cache+activations")
        r.estimated = static_cast<double>((c.weights + c.kv_cache + c.activations).count);
      else if (key == "total")
        r.estimated = static_cast<double>(d.estimate.total.count);
      else if (key == "kv_pool")
        r.estimated = pool;
      else if (key == "kv_pool_blocks") {  // the log counts 16-token pages; compare their bytes
        r.measured *= static_cast<double>(kVllmBlockTokens * d.kv.bytes_per_token_full);
        r.estimated = pool;
      } else {
        FAIL("unknown estimate key " << key);
      }
      REQUIRE(r.measured > 0);
      out.push_back(r);
    }
  }
  return out;
}

std::vector<Comparison> run_training() {
  const ModelCatalog models = shell::load_model_catalog("");
  std::vector<Comparison> out;
  for (const nlohmann::json& entry : scored_entries("training.jsonl")) {
    const nlohmann::json& spec = entry["vramest"]["estimate"];
    INFO(entry["id"].get<std::string>());
    const ModelEntry& model_entry = models.find(spec["model"].get<std::string>());
    const ModelArch arch =
        arch_from_hf_config(nlohmann::json::parse(model_entry.config_json), model_entry.id);
    const ParamCounts counts = count_params(arch);
    TrainingOptions opt;
    opt.mode = vramest::shell::kModes.parse(spec["mode"].get<std::string>());
    opt.seq_len = spec["seq_len"].get<std::uint64_t>();
    opt.micro_batch = spec["micro_batch"].get<std::uint64_t>();
    opt.precision = vramest::shell::kTrainingPrecisions.parse(spec["precision"].get<std::string>());
    opt.optimizer = vramest::shell::kOptimizers.parse(spec["optimizer"].get<std::string>());
    opt.checkpointing = vramest::shell::kCheckpointing.parse(spec["grad_checkpointing"].get<std::string>());
    opt.flash_attention = spec["flash_attention"].get<bool>();
    opt.gpus = spec["gpus"].get<std::uint64_t>();
    opt.zero_stage = spec["zero_stage"].get<int>();
    opt.lora_rank = spec["lora_rank"].get<std::uint64_t>();
    opt.lora_targets = spec["lora_targets"].get<std::vector<std::string>>();
    opt.offload = vramest::shell::kOffloads.parse(spec["offload"].get<std::string>());
    opt.kbit_upcast = spec["kbit_upcast"].get<bool>();
    opt.nf4_double_quant = spec["nf4_double_quant"].get<bool>();
    const TrainingResult r =
        estimate_training(arch, {model_entry.id, counts.total, counts.active, "catalog"}, opt);
    const Components& c = r.estimate.components;
    for (const nlohmann::json& cmp : entry["vramest"]["compare"]) {
      Comparison result;
      result.id = entry["id"];
      result.engine = spec["mode"];
      result.measured_key = cmp["measured"];
      result.estimate_key = cmp["estimate"];
      result.measured = entry["measured"][result.measured_key].get<double>();
      if (result.estimate_key == "total") {
        result.estimated = static_cast<double>(r.estimate.total.count);
      } else if (result.estimate_key == "weights+gradients+optimizer+activations+other") {
        result.estimated = static_cast<double>((r.estimate.total - c.runtime).count);
      } else {
        FAIL("unknown estimate key " << result.estimate_key);
      }
      out.push_back(result);
    }
  }
  return out;
}

void report(const std::vector<Comparison>& results, const char* group_name) {
  std::map<std::string, std::vector<double>> groups;
  std::vector<double> all;
  for (const Comparison& r : results) {
    groups[r.engine].push_back(r.error());
    all.push_back(r.error());
  }
  std::cout << "| measurement | " << group_name
            << " | measured | compared with | measured GB | vramest GB | error |\n"
               "| --- | --- | --- | --- | ---: | ---: | ---: |\n";
  for (const Comparison& r : results) {
    std::cout << "| " << r.id << " | " << r.engine << " | " << r.measured_key << " | " << r.estimate_key
              << " | " << std::llround(r.measured / 1e7) / 100.0 << " | "
              << std::llround(r.estimated / 1e7) / 100.0 << " | " << std::showpos
              << std::llround(r.error() * 1000) / 10.0 << std::noshowpos << "% |\n";
  }
  groups["all"] = all;
  print_error_table(group_name, groups);
}

}  // namespace

// Published single-stream decode speeds (data/accuracy/throughput.jsonl) must sit under the
// bandwidth bound: a bound that a real run beats is wrong.
TEST_CASE("accuracy: published decode speeds stay under the bandwidth bound", "[accuracy][speed]") {
  const ModelCatalog models = shell::load_model_catalog("");
  const GpuCatalog gpus = shell::load_gpu_catalog("");
  std::ifstream in(std::string(VRAMEST_DATA_DIR) + "/accuracy/throughput.jsonl");
  REQUIRE(in.good());
  std::string line;
  int checked = 0;
  const char* env = std::getenv("VRAMEST_ACCURACY_REPORT");
  const bool print = env != nullptr && *env != '\0';
  if (print)
    std::cout << "| measurement | GPU | measured tok/s | bound tok/s | share of bound |\n| --- | --- | ---: "
                 "| ---: | ---: |\n";
  while (std::getline(in, line)) {
    const nlohmann::json entry = nlohmann::json::parse(line);
    if (entry["phase"] != "decode" || entry["context_or_prompt"].is_null()) continue;
    const std::string engine_text = entry["engine"];
    std::string format = entry["weights_format"];
    if (format.rfind("exl2", 0) == 0) continue;  // ExLlamaV2's variable-rate format is not modelled
    const Engine engine = engine_text == "llamacpp" ? Engine::llamacpp : Engine::vllm;
    if (engine != Engine::llamacpp)
      format = format == "f16" ? "fp16" : format == "gptq-4bit" ? "gptq" : format;
    const ModelEntry* model = models.try_find(entry["model"].get<std::string>());
    const GpuSpec* gpu = gpus.try_find(entry["gpu"].get<std::string>());
    if (model == nullptr || gpu == nullptr) continue;
    INFO(entry["id"].get<std::string>());
    const ModelArch arch = arch_from_hf_config(nlohmann::json::parse(model->config_json), model->id);
    const ParamCounts counts = count_params(arch);
    InferenceOptions opt;
    opt.engine = engine;
    const InferencePlan plan = plan_inference(arch, {model->id, counts.total, counts.active, "catalog"},
                                              parse_weight_format(format), opt);
    const double bound = speed_bounds(plan, entry["context_or_prompt"].get<std::uint64_t>(), 1, 1, *gpu, 1)
                             .decode_tokens_per_s;
    const double measured = entry["tokens_per_second"].get<double>();
    if (print) {
      std::cout << "| " << entry["id"].get<std::string>() << " | " << gpu->id << " | " << measured << " | "
                << std::llround(bound) << " | " << std::llround(100 * measured / bound) << "% |\n";
    }
    CHECK(measured <= bound);
    ++checked;
  }
  CHECK(checked >= 10);
}

TEST_CASE("accuracy: training estimates stay within 15% median of published measurements",
          "[accuracy][training]") {
  const std::vector<Comparison> results = run_training();
  REQUIRE(results.size() >= 15);
  std::vector<double> errors;
  for (const Comparison& r : results) errors.push_back(r.error());
  const char* env = std::getenv("VRAMEST_ACCURACY_REPORT");
  if (env != nullptr && *env != '\0') report(results, "mode");
  CHECK(median_abs(errors) < kTrainingMedianErrorLimit);
}

TEST_CASE("accuracy: the median error against published measurements stays under 10%", "[accuracy]") {
  const std::vector<Comparison> results = run_all();
  REQUIRE(results.size() >= 15);
  std::vector<double> all;
  std::map<std::string, std::vector<double>> by_engine;
  std::map<std::string, std::vector<double>> by_quantity;
  for (const Comparison& r : results) {
    all.push_back(r.error());
    by_engine[r.engine].push_back(r.error());
    by_quantity[r.estimate_key].push_back(r.error());
  }
  const char* report = std::getenv("VRAMEST_ACCURACY_REPORT");
  if (report != nullptr && *report != '\0') {
    std::cout << "| measurement | engine | measured | compared with | measured MiB | vramest MiB | error |\n"
                 "| --- | --- | --- | --- | ---: | ---: | ---: |\n";
    for (const Comparison& r : results) {
      std::cout << "| " << r.id << " | " << r.engine << " | " << r.measured_key << " | " << r.estimate_key
                << " | " << std::llround(r.measured / kMiB) << " | " << std::llround(r.estimated / kMiB)
                << " | " << std::showpos << std::llround(r.error() * 1000) / 10.0 << std::noshowpos
                << "% |\n";
    }
    print_error_table("engine", by_engine);
    print_error_table("compared with", by_quantity);
    double worst = 0;
    for (double e : all) worst = std::max(worst, std::fabs(e));
    std::cout << "| all | " << all.size() << " | " << std::llround(median_abs(all) * 1000) / 10.0 << "% | "
              << std::llround(worst * 1000) / 10.0 << "% |\n";
  }
  CHECK(median_abs(all) < kMedianErrorLimit);
}
