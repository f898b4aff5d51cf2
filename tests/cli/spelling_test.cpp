// The spellings users bring from llama.cpp, vLLM, Hugging Face and DeepSpeed are the same
// options: each alias gives exactly the JSON its canonical spelling gives.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"

namespace {

struct Run {
  int exit_code = 0;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  args.insert(args.begin(), "vramest");
  args.push_back("--json");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int code = vramest::shell::run_app(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

struct Spelling {
  std::vector<std::string> alias;
  std::vector<std::string> canonical;
};

}  // namespace

TEST_CASE("spelling: every alias yields the canonical spelling's JSON", "[cli][spelling]") {
  const std::vector<Spelling> table{
      // llama.cpp
      {{"llama-3.1-8b", "-p", "q4_k_m", "--ctx-size", "8192"},
       {"llama-3.1-8b", "-p", "q4_k_m", "-c", "8192"}},
      {{"llama-3.1-8b", "-p", "q4_k_m", "-ub", "256"}, {"llama-3.1-8b", "-p", "q4_k_m", "--ubatch", "256"}},
      {{"llama-3.1-8b", "-p", "q4_k_m", "--ubatch-size", "256"},
       {"llama-3.1-8b", "-p", "q4_k_m", "--ubatch", "256"}},
      {{"llama-3.1-8b", "-p", "q4_k_m", "-fa", "off"}, {"llama-3.1-8b", "-p", "q4_k_m", "--no-flash-attn"}},
      {{"llama-3.1-8b", "-p", "q4_k_m", "--flash-attn", "auto"}, {"llama-3.1-8b", "-p", "q4_k_m"}},
      {{"llama-3.1-8b", "-p", "q4_k_m", "-ctk", "q8_0", "-ctv", "q8_0"},
       {"llama-3.1-8b", "-p", "q4_k_m", "--kv-dtype", "q8_0"}},
      {{"llama-3.1-8b", "-p", "q4_k_m", "--cache-type-k", "q8_0", "--cache-type-v", "q8_0"},
       {"llama-3.1-8b", "-p", "q4_k_m", "--kv-dtype", "q8_0"}},
      {{"llama-3.1-70b", "-p", "q4_k_m", "-ngl", "40", "--gpu", "rtx-4090"},
       {"llama-3.1-70b", "-p", "q4_k_m", "--n-gpu-layers", "40", "--gpu", "rtx-4090"}},
      {{"llama-3.1-8b", "--engine", "llama.cpp"}, {"llama-3.1-8b", "--engine", "llamacpp"}},
      {{"llama-3.1-8b", "--engine", "llamacpp", "-p", "fp16"},
       {"llama-3.1-8b", "--engine", "llamacpp", "-p", "f16"}},
      // vLLM / SGLang
      {{"llama-3.1-8b", "--engine", "vllm", "--max-model-len", "8192"},
       {"llama-3.1-8b", "--engine", "vllm", "-c", "8192"}},
      {{"llama-3.1-8b", "--engine", "vllm", "--gpu", "h100-sxm", "--gpu-memory-utilization", "0.8"},
       {"llama-3.1-8b", "--engine", "vllm", "--gpu", "h100-sxm", "--gpu-util", "0.8"}},
      {{"llama-3.1-8b", "--engine", "vllm", "--max-num-seqs", "64", "--max-num-batched-tokens", "4096"},
       {"llama-3.1-8b", "--engine", "vllm", "--max-seqs", "64", "--max-batched-tokens", "4096"}},
      {{"llama-3.1-8b", "--engine", "vllm", "--kv-cache-dtype", "fp8"},
       {"llama-3.1-8b", "--engine", "vllm", "--kv-dtype", "fp8"}},
      {{"llama-3.1-70b", "--engine", "vllm", "--gpu", "h100-sxm", "-tp", "4"},
       {"llama-3.1-70b", "--engine", "vllm", "--gpu", "h100-sxm", "--tp", "4"}},
      {{"llama-3.1-70b", "--engine", "vllm", "--gpu", "h100-sxm", "--tensor-parallel-size", "2",
        "--pipeline-parallel-size", "2"},
       {"llama-3.1-70b", "--engine", "vllm", "--gpu", "h100-sxm", "--tp", "2", "--pp", "2"}},
      {{"llama-3.1-8b", "--engine", "vllm", "--dtype", "bfloat16"},
       {"llama-3.1-8b", "--engine", "vllm", "-p", "bf16"}},
      {{"llama-3.1-8b", "--engine", "vllm", "--quantization", "awq"},
       {"llama-3.1-8b", "--engine", "vllm", "-p", "awq"}},
      {{"llama-3.1-8b", "--dtype", "float16"}, {"llama-3.1-8b", "-p", "fp16"}},
      // Formats as repositories name them
      {{"llama-3.1-8b", "-p", "gptq-int4"}, {"llama-3.1-8b", "-p", "gptq-4bit-g128"}},
      {{"llama-3.1-8b", "-p", "gptq_int8"}, {"llama-3.1-8b", "-p", "gptq-8bit-g128"}},
      {{"llama-3.1-8b", "-p", "bnb-4bit"}, {"llama-3.1-8b", "-p", "nf4"}},
      {{"llama-3.1-8b", "-p", "w8a8"}, {"llama-3.1-8b", "-p", "int8"}},
      {{"llama-3.1-8b", "-p", "W4A16"}, {"llama-3.1-8b", "-p", "gptq-4bit-g128"}},
      {{"14B", "-p", "bfloat16"}, {"14B", "-p", "bf16"}},
      {{"14B", "-p", "float32"}, {"14B", "-p", "fp32"}},
      // Hugging Face / accelerate / DeepSpeed
      {{"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--fsdp"},
       {"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--fsdp", "full"}},
      {{"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--fsdp", "full_shard"},
       {"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--fsdp", "full"}},
      {{"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--fsdp", "shard_grad_op"},
       {"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--zero", "2"}},
      {{"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--zero-stage", "3"},
       {"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--fsdp", "full"}},
      {{"llama-3.1-8b", "--mode", "train", "--gradient-checkpointing"},
       {"llama-3.1-8b", "--mode", "train", "--grad-checkpointing", "full"}},
      {{"llama-3.1-8b", "--mode", "train", "--per-device-train-batch-size", "2", "--max-seq-length", "2048"},
       {"llama-3.1-8b", "--mode", "train", "-b", "2", "-c", "2048"}},
      {{"llama-3.1-8b", "--mode", "train", "--optim", "adamw_torch"},
       {"llama-3.1-8b", "--mode", "train", "--optimizer", "adamw"}},
      {{"llama-3.1-8b", "--mode", "train", "--optim", "adamw_bnb_8bit"},
       {"llama-3.1-8b", "--mode", "train", "--optimizer", "adamw-8bit"}},
      {{"llama-3.1-8b", "--mode", "lora", "--optim", "paged_adamw_8bit"},
       {"llama-3.1-8b", "--mode", "lora", "--optimizer", "paged-adamw-8bit"}},
      {{"llama-3.1-8b", "--mode", "lora", "--lora-r", "8"},
       {"llama-3.1-8b", "--mode", "lora", "--lora-rank", "8"}},
      {{"llama-3.1-8b", "--mode", "train", "--training-precision", "fp16"},
       {"llama-3.1-8b", "--mode", "train", "--training-precision", "mixed"}},
      {{"llama-3.1-8b", "--mode", "train", "--gradient-accumulation-steps", "4"},
       {"llama-3.1-8b", "--mode", "train", "--grad-accum", "4"}},
      // GPUs by the names drivers print, and words for flags
      {{"llama-3.1-8b", "--gpu", "NVIDIA GeForce RTX 4090"}, {"llama-3.1-8b", "--gpu", "rtx-4090"}},
      {{"llama-3.1-8b", "--gpu", "NVIDIA H100 80GB HBM3"}, {"llama-3.1-8b", "--gpu", "h100-sxm"}},
      {{"llama-3.1-8b", "--gpu", "NVIDIA L40S"}, {"llama-3.1-8b", "--gpu", "l40s"}},
      {{"llama-3.1-8b", "--gpu", "rtx-3090", "--num-gpus", "2"},
       {"llama-3.1-8b", "--gpu", "rtx-3090", "--gpus", "2"}},
      {{"estimate", "llama-3.1-8b", "-c", "8k"}, {"llama-3.1-8b", "-c", "8192"}},
      {{"llama-3.1-8b", "-c", "0.5k"}, {"llama-3.1-8b", "-c", "512"}},
      {{"llama-3.1-8b", "-c", "1M"}, {"llama-3.1-8b", "-c", "1048576"}},
  };
  for (const Spelling& s : table) {
    std::string shown;
    for (const std::string& a : s.alias) shown += " " + a;
    INFO("vramest" << shown);
    const Run alias = run(s.alias);
    const Run canonical = run(s.canonical);
    CHECK(alias.exit_code <= 1);
    CHECK(alias.err.empty());
    CHECK(alias.exit_code == canonical.exit_code);
    CHECK(alias.out == canonical.out);
  }
}

TEST_CASE("spelling: words stand for flags, and misspelled flags get the closest", "[cli][spelling]") {
  CHECK(run({"help"}).exit_code == 0);
  const Run misspelled = run({"14B", "--optimzer", "adamw"});
  CHECK(misspelled.exit_code == 2);
  CHECK_THAT(misspelled.err, Catch::Contains("unknown option '--optimzer' (did you mean '--optimizer'?)"));
  // Bare --fsdp takes no value from the next flag.
  const Run bare = run({"llama-3.1-8b", "--mode", "train", "--gpus", "2", "--fsdp"});
  CHECK(bare.exit_code == 0);
  // A memory size needs a unit: never silently bytes.
  const Run unitless = run({"fit", "llama-3.1-8b", "--gpu-memory", "24"});
  CHECK(unitless.exit_code == 3);
  CHECK_THAT(unitless.err, Catch::Contains("has no unit"));
}
