// One answer to one question: random requests run through the estimate, `fit` and `sweep` (in
// process, as the binary runs them) must give the same verdict and the same GPU counts.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"

namespace {

struct Run {
  int exit_code = 0;
  std::string out;
};

Run run(std::vector<std::string> args) {
  args.insert(args.begin(), "vramest");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int code = vramest::shell::run_app(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str()};
}

std::string shown(const std::vector<std::string>& args) {
  std::string s = "vramest";
  for (const std::string& a : args) s += " " + a;
  return s;
}

// Sweep's CSV row for the request: fits and gpus_needed.
struct SweepRow {
  bool fits = false;
  std::uint64_t gpus_needed = 0;
  std::uint64_t per_gpu_bytes = 0;
};

SweepRow sweep_row(const std::string& csv) {
  const std::size_t line = csv.find('\n');
  std::stringstream row(csv.substr(line + 1));
  std::string cell;
  std::vector<std::string> cells;
  while (std::getline(row, cell, ',')) cells.push_back(cell);
  REQUIRE(cells.size() == 16);
  return {cells[14] == "1", std::stoull(cells[15]), std::stoull(cells[13])};
}

template <typename T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& items) {
  return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

}  // namespace

TEST_CASE("agreement: the estimate, fit and sweep give one verdict and one GPU count",
          "[property][agreement]") {
  std::mt19937_64 rng(20261201);
  const std::vector<std::string> models{
      "llama-3.1-8b", "llama-3.1-70b",   "qwen3-8b",         "qwen3-32b",  "qwen3-30b-a3b",
      "gemma-3-27b",  "mistral-7b-v0.3", "deepseek-v2-lite", "phi-3-mini", "gpt-oss-20b"};
  const std::vector<std::string> gpus{"rtx-3060-12gb", "rtx-3090", "rtx-4090", "l40s",
                                      "a100-40gb",     "h100-sxm", "h200"};
  const std::vector<std::string> engines{"transformers", "vllm", "llamacpp"};
  const std::vector<std::vector<std::string>> formats{
      {"bf16", "int8", "nf4"}, {"bf16", "fp8", "awq"}, {"f16", "q8_0", "q4_k_m"}};
  const std::vector<std::string> contexts{"1024", "4096", "8192", "32768", "131072"};
  const std::vector<std::string> batches{"1", "2", "4", "16"};
  const std::vector<std::string> counts{"1", "1", "2", "3", "4", "8"};
  int fitting = 0;
  int checked = 0;
  for (int i = 0; i < 1200; ++i) {
    const std::size_t e = std::uniform_int_distribution<std::size_t>(0, engines.size() - 1)(rng);
    const std::string model = pick(rng, models);
    const std::string format = pick(rng, formats[e]);
    const std::string gpu = pick(rng, gpus);
    const std::string count = pick(rng, counts);
    const std::string context = pick(rng, contexts);
    // Concurrent sequences: -b, or llama.cpp's -np (its -b is a batch of tokens).
    const std::string batch = pick(rng, batches);
    const std::vector<std::string> request{
        model, "--engine", engines[e], "-p",     format, "-c", context, e == 2 ? "-np" : "-b",
        batch, "--gpu",    gpu,        "--gpus", count};
    std::vector<std::string> estimate_args = request;
    estimate_args.push_back("--json");
    const Run estimate = run(estimate_args);
    INFO(shown(estimate_args));
    if (estimate.exit_code > 1) {
      // A refused request (a format the model cannot take, say) is refused by fit alike.
      std::vector<std::string> fit_args{"fit"};
      fit_args.insert(fit_args.end(), request.begin(), request.end());
      CHECK(run(fit_args).exit_code == estimate.exit_code);
      continue;
    }
    const nlohmann::json doc = nlohmann::json::parse(estimate.out);

    std::vector<std::string> fit_args{"fit"};
    fit_args.insert(fit_args.end(), request.begin(), request.end());
    fit_args.insert(fit_args.end(), {"--no-chart", "--json"});
    const Run fit = run(fit_args);
    INFO(shown(fit_args));
    REQUIRE(fit.exit_code <= 1);
    const nlohmann::json fit_doc = nlohmann::json::parse(fit.out);

    // llama-server's -c is the whole cache over its -np slots; sweep's contexts are per sequence.
    const std::string per_sequence =
        e == 2 ? std::to_string(std::stoull(context) / std::stoull(batch)) : context;
    const Run sweep = run({"sweep", "--models", model, "--engine", engines[e], "--formats", format,
                           "--contexts", per_sequence, "--batches", batch, "--gpu", gpu, "--gpus", count});
    REQUIRE(sweep.exit_code == 0);
    const SweepRow row = sweep_row(sweep.out);

    const bool estimate_fits = estimate.exit_code == 0;
    CHECK(fit.exit_code == estimate.exit_code);
    CHECK(fit_doc["request"]["fits"].get<bool>() == estimate_fits);
    CHECK(row.fits == estimate_fits);
    CHECK(doc["placement"]["fits"].get<bool>() == estimate_fits);
    // One count of GPUs: the estimate's fewest of the kind, fit's and sweep's.
    const std::uint64_t needed = doc["gpus"][0]["count"].get<std::uint64_t>();
    CHECK(fit_doc["fewest_gpus"]["count"].get<std::uint64_t>() == needed);
    CHECK(row.gpus_needed == needed);
    // One per-GPU figure, and the same total.
    CHECK(doc["per_gpu_bytes"] == fit_doc["per_gpu_bytes"]);
    CHECK(row.per_gpu_bytes == doc["per_gpu_bytes"].get<std::uint64_t>());
    CHECK(doc["total_bytes"] == fit_doc["total_bytes"]);
    // A count that is enough fits: the fewest is a real answer, not a bound.
    if (needed != 0 && needed <= std::stoull(count)) CHECK(estimate_fits);
    fitting += estimate_fits ? 1 : 0;
    ++checked;
  }
  // The draw covers both verdicts.
  CHECK(fitting > 100);
  CHECK(checked - fitting > 100);
}

TEST_CASE("agreement: training plans' verdicts follow their per-GPU bytes", "[property][agreement]") {
  std::mt19937_64 rng(7);
  const std::vector<std::string> models{"llama-3.1-8b", "qwen3-8b", "llama-3.1-70b", "qwen3-30b-a3b",
                                        "mistral-7b-v0.3"};
  const std::vector<std::string> gpus{"rtx-4090", "l40s", "a100-80gb", "h100-sxm", "h200"};
  const std::vector<std::string> modes{"train", "lora", "qlora"};
  const std::vector<std::vector<std::string>> plans{
      {}, {"--zero", "2"}, {"--zero", "3"}, {"--fsdp"}, {"--fsdp", "shard_grad_op"}};
  const std::vector<std::string> counts{"1", "2", "4", "8"};
  for (int i = 0; i < 300; ++i) {
    const std::string gpu = pick(rng, gpus);
    const std::string count = pick(rng, counts);
    std::vector<std::string> args{pick(rng, models),
                                  "--mode",
                                  pick(rng, modes),
                                  "-c",
                                  pick(rng, std::vector<std::string>{"512", "2048", "4096"}),
                                  "--gpu",
                                  gpu,
                                  "--gpus",
                                  count,
                                  "--json"};
    const std::vector<std::string>& plan = pick(rng, plans);
    if (count != "1") args.insert(args.end(), plan.begin(), plan.end());
    INFO(shown(args));
    const Run r = run(args);
    REQUIRE(r.exit_code <= 1);
    const nlohmann::json doc = nlohmann::json::parse(r.out);
    const std::uint64_t per_gpu = doc["per_gpu_bytes"].get<std::uint64_t>();
    const std::uint64_t memory = doc["gpus"][0]["memory_bytes"].get<std::uint64_t>();
    CHECK((r.exit_code == 0) == (per_gpu <= memory));
    CHECK(doc["total_bytes"].get<std::uint64_t>() == per_gpu * std::stoull(count));
    CHECK(doc["placement"]["gpus"].get<std::uint64_t>() == std::stoull(count));
  }
}
