// Golden tests: run the real vramest binary and compare its exact stdout, stderr and exit code
// with tests/golden/expected/<case>.txt. To accept new output after a deliberate change:
//   VRAMEST_UPDATE_GOLDEN=1 ./build/tests/vramest_tests "[golden]"   (then review the diff)
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/model_files.hpp"
#include "support/read_text.hpp"

namespace {

struct GoldenCase {
  const char* name;
  std::vector<std::string> args;
  int exit_code;
};

std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (const char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Runs the binary from the golden directory (so relative data paths work), colour off.
std::string run_case(const GoldenCase& c) {
  char scratch[] = "/tmp/vramest-golden-XXXXXX";
  const int fd = mkstemp(scratch);
  REQUIRE(fd >= 0);
  close(fd);
  const std::string out_path = scratch;
  const std::string err_path = out_path + ".err";
  std::string command = "cd " + shell_quote(VRAMEST_GOLDEN_DIR) +
                        " && NO_COLOR=1 COLUMNS= VRAMEST_DATA_DIR= " + shell_quote(VRAMEST_BINARY);
  std::string shown = "vramest";
  for (const std::string& arg : c.args) {
    command += " " + shell_quote(arg);
    shown += " " + (arg.find_first_of(" '") == std::string::npos && !arg.empty() ? arg : shell_quote(arg));
  }
  command += " >" + out_path + " 2>" + err_path;
  const int status = std::system(command.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::string record = "$ " + shown + "\nexit: " + std::to_string(code) + "\n--- stdout\n" +
                       vramest::test::read_text(out_path) + "--- stderr\n" +
                       vramest::test::read_text(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return record;
}

void check_golden(const GoldenCase& c) {
  const std::string actual = run_case(c);
  const std::string path = std::string(VRAMEST_GOLDEN_DIR) + "/expected/" + c.name + ".txt";
  const char* update = std::getenv("VRAMEST_UPDATE_GOLDEN");
  if (update != nullptr && *update != '\0') {
    std::ofstream(path, std::ios::binary) << actual;
  }
  INFO("golden file: " << path);
  CHECK(actual == vramest::test::read_text(path));
  CHECK(actual.find("\nexit: " + std::to_string(c.exit_code) + "\n") != std::string::npos);
}

void check_all(const std::vector<GoldenCase>& cases) {
  for (const GoldenCase& c : cases) {
    DYNAMIC_SECTION(c.name) { check_golden(c); }
  }
}

}  // namespace

TEST_CASE("golden: the seed's analysis of a bare size", "[golden][seed]") {
  check_all({
      {"seed_14b", {"14B"}, 0},
      {"seed_14b_json", {"14B", "--json"}, 0},
      {"seed_14b_gib", {"14B", "--units", "gib"}, 0},
      {"seed_7b", {"7B"}, 0},
      {"seed_70b", {"70b"}, 0},
      {"seed_1_5t", {"1.5T"}, 0},
  });
}

TEST_CASE("golden: single estimates and fit checks", "[golden]") {
  check_all({
      {"fp16_14b", {"14B", "-p", "fp16"}, 0},
      {"int8_fits_4090", {"14B", "-p", "int8", "--gpu", "rtx-4090"}, 0},
      {"int8_fits_4090_json", {"14B", "-p", "int8", "--gpu", "rtx-4090", "--json"}, 0},
      {"fp16_two_3090", {"14B", "-p", "fp16", "--gpu", "rtx-3090", "--gpus", "2"}, 0},
      {"fp16_one_3090_no_fit", {"14B", "-p", "fp16", "--gpu", "rtx-3090"}, 1},
      {"fp16_one_3090_no_fit_json", {"14B", "-p", "fp16", "--gpu", "rtx-3090", "--json"}, 1},
      {"int4_4070ti", {"14B", "-p", "int4", "--gpu", "rtx-4070-ti", "--gpu", "a100-40gb"}, 0},
      {"analysis_with_gpu", {"14B", "--gpu", "rtx-4090"}, 0},
      {"analysis_with_gpu_no_fit", {"1.5T", "--gpu", "rtx-4090"}, 1},
      {"all_7b_json", {"7B", "-p", "all", "--json"}, 0},
      {"all_7b", {"7B", "-p", "all", "--gpu", "rtx-4070-ti"}, 0},
      {"train_14b", {"14B", "--mode", "train"}, 0},
      {"lora_14b_json", {"14B", "--mode", "lora", "--json"}, 0},
      {"overhead_single", {"8030261248", "-p", "bf16", "--overhead", "1.25"}, 0},
      {"user_gpu_file", {"14B", "-p", "int4", "--data-dir", "data/user", "--gpu", "lab-card"}, 0},
  });
}

TEST_CASE("golden: detailed estimates from the architecture", "[golden][detailed]") {
  check_all({
      {"detailed_llama_3_1_8b", {"llama-3.1-8b"}, 0},
      {"detailed_llama_3_1_8b_json", {"meta-llama/Llama-3.1-8B", "-c", "8192", "--json"}, 0},
      {"detailed_vllm_no_fit",
       {"qwen3-8b", "-c", "32k", "-b", "4", "--engine", "vllm", "--gpu", "rtx-4090"},
       1},
      {"detailed_vllm_h100_json", {"llama-3.1-8b", "--engine", "vllm", "--gpu", "h100-sxm", "--json"}, 0},
      {"detailed_llamacpp_q8_kv",
       {"llama-3-8b", "-p", "q4_k_m", "--engine", "llamacpp", "--kv-dtype", "q8_0", "--gpu", "rtx-3060-12gb"},
       0},
      {"detailed_llamacpp_gpt_oss",
       {"gpt-oss-20b", "--engine", "llamacpp", "-c", "131072", "--ubatch", "2048", "--units", "gib"},
       0},
      {"detailed_moe_awq", {"mixtral-8x7b", "-p", "awq"}, 0},
      {"placement_vllm_tp_pp",
       {"llama-3.1-70b", "--engine", "vllm", "--gpu", "l40s", "--gpus", "6", "-c", "8k"},
       0},
      {"placement_vllm_forced_json",
       {"llama-3.1-70b", "--engine", "vllm", "--gpu", "h100-sxm", "-tp", "2", "-pp", "2", "--json"},
       0},
      {"placement_mixed_group",
       {"qwen2.5-14b", "-p", "q8_0", "--gpu", "rtx-4090", "--gpu", "rtx-3060-12gb"},
       0},
      {"llamacpp_ngl_np",
       {"llama-3.1-70b", "-p", "q4_k_m", "-ngl", "40", "-c", "16384", "-np", "4", "-ctk", "q8_0", "-ctv",
        "q4_0", "-fa", "on", "--gpu", "NVIDIA GeForce RTX 4090"},
       0},
      {"gpu_by_size", {"qwen3-8b", "--gpu", "24G", "--reserve", "1GiB"}, 0},
      {"detailed_mla_8_gpus", {"deepseek-v3", "--engine", "vllm", "--gpu", "h200", "--gpus", "8"}, 0},
      {"detailed_gemma3_sliding", {"gemma-3-27b", "-c", "128k", "-p", "q4_k_m", "--engine", "llamacpp"}, 0},
      {"detailed_config_file", {"data/config/config.json", "-c", "32768"}, 0},
      {"detailed_config_dir", {"data/config", "--json"}, 0},
      {"rule_for_catalog_model", {"llama-3.1-8b", "--method", "rule", "-p", "int4"}, 0},
      {"train_catalog_model_rule", {"qwen3-8b", "--mode", "train", "--method", "rule"}, 0},
  });
}

TEST_CASE("golden: training and fine-tuning from the architecture", "[golden][training]") {
  check_all({
      {"train_full_8b", {"llama-3.1-8b", "--mode", "train", "-c", "2048"}, 0},
      {"train_full_70b_zero3_json",
       {"llama-3.1-70b", "--mode", "train", "--gpus", "8", "--zero", "3", "--grad-checkpointing", "full",
        "--json"},
       0},
      {"train_lora_all_linear_4090",
       {"qwen2.5-7b", "--mode", "lora", "--lora-rank", "64", "--lora-targets", "all-linear", "-b", "2",
        "--optimizer", "adamw-8bit", "--gpu", "rtx-4090"},
       1},
      {"train_qlora_3090_json",
       {"llama-3.1-8b", "--mode", "qlora", "-c", "2048", "--grad-checkpointing", "full", "--gpu", "rtx-3090",
        "--json"},
       0},
      {"train_tp_pp",
       {"llama-3.1-70b", "--mode", "train", "--tp", "4", "--pp", "2", "--gpus", "16", "--zero", "1",
        "--grad-checkpointing", "selective"},
       0},
      {"train_offload_params",
       {"llama-3.1-8b", "--mode", "train", "--gpus", "2", "--fsdp", "full", "--offload", "params",
        "--grad-accum", "8", "--units", "gib"},
       0},
      {"train_moe_lora",
       {"mixtral-8x7b", "--mode", "lora", "--lora-targets", "q,k,v,o", "--grad-checkpointing", "full",
        "--training-precision", "bf16"},
       0},
  });
}

TEST_CASE("golden: the model and format catalogs", "[golden]") {
  check_all({
      {"models", {"models"}, 0},
      {"models_json", {"models", "--json"}, 0},
      {"models_family", {"models", "--family", "gemma"}, 0},
      {"formats", {"formats"}, 0},
      {"formats_json", {"formats", "--json"}, 0},
  });
}

TEST_CASE("golden: planning: fit and sweep", "[golden][planning]") {
  check_all({
      {"fit_8b_4090", {"fit", "llama-3.1-8b", "--gpu", "rtx-4090", "-c", "32k"}, 0},
      {"fit_8b_4090_no_fit", {"fit", "llama-3.1-8b", "--gpu", "rtx-4090", "-c", "64k"}, 1},
      {"fit_70b_mixed_llamacpp",
       {"fit", "llama-3.1-70b", "-p", "q4_k_m", "--engine", "llamacpp", "--gpu", "rtx-4090", "--gpu",
        "rtx-3090", "-c", "8192"},
       0},
      {"fit_moe_custom_card_json",
       {"fit", "qwen3-30b-a3b", "-p", "q4_k_m", "--engine", "llamacpp", "--gpu-memory", "16GiB", "--reserve",
        "1GiB", "--json"},
       1},
      {"fit_vllm_tp_json",
       {"fit", "qwen3-32b", "--engine", "vllm", "--gpu", "h100-sxm", "--gpus", "2", "-b", "16", "--json"},
       0},
      {"fit_gib_no_chart",
       {"fit", "gemma-3-27b", "--gpu", "rtx-5090", "-p", "nf4", "--units", "gib", "--no-chart"},
       0},
      {"sweep_csv",
       {"sweep", "--models", "llama-3.1-8b,qwen3-8b", "--contexts", "4k,32k", "--batches", "1,8", "--gpus",
        "rtx-4090,h100-sxm", "--engine", "vllm"},
       0},
      {"sweep_jsonl",
       {"sweep", "--models", "llama-3.1-70b", "--engine", "llamacpp", "--formats", "q4_k_m,q8_0", "--gpus",
        "rtx-3090", "--output", "jsonl"},
       0},
      {"err_fit_no_gpu", {"fit", "llama-3.1-8b"}, 2},
      {"err_fit_size", {"fit", "14B", "--gpu", "rtx-4090"}, 3},
      {"err_fit_memory", {"fit", "llama-3.1-8b", "--gpu-memory", "24 bananas"}, 3},
      {"err_fit_gpus_mixed",
       {"fit", "llama-3.1-8b", "--gpu", "rtx-4090", "--gpu", "rtx-3090", "--gpus", "2"},
       2},
      {"err_sweep_output", {"sweep", "--models", "llama-3.1-8b", "--output", "xml"}, 3},
      {"err_sweep_json", {"sweep", "--models", "llama-3.1-8b", "--json"}, 2},
      {"err_sweep_size", {"sweep", "--models", "7B"}, 3},
      {"err_sweep_no_models", {"sweep"}, 2},
  });
}

// Model files are generated here (Llama-3.1-8B and Llama-3.2-1B shapes, data sparse) so the
// repository ships no binaries; the paths are stable for the golden output. Each file is written
// under a private name and renamed into place, so tests running at once never see half a file.
void write_model_files() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(VRAMEST_GOLDEN_DIR) / "data" / "generated";
  const std::string tmp = ".tmp-" + std::to_string(::getpid());
  fs::create_directories(dir / "llama-3.2-1b");
  const auto publish = [&](const fs::path& target, const auto& write) {
    const fs::path scratch = target.string() + tmp;
    write(scratch.string());
    fs::rename(scratch, target);
  };
  const auto text = [&](const fs::path& target, const std::string& content) {
    publish(target, [&](const std::string& p) { std::ofstream(p, std::ios::binary) << content; });
  };
  vramest::test::LlamaGgufTypes q4km;
  q4km.token_embd = q4km.attn_q = q4km.attn_k = q4km.attn_output = q4km.ffn_gate = q4km.ffn_up = 12;
  q4km.attn_v = q4km.ffn_down = q4km.output = 14;
  const auto gguf =
      vramest::test::llama_like_gguf(32, 4096, 32, 8, 128, 14336, 128256, false, q4km, 131072, 15);
  publish(dir / "llama-3.1-8b-Q4_K_M.gguf",
          [&](const std::string& p) { vramest::test::write_gguf(p, gguf.metadata, gguf.tensors); });
  text(dir / "llama-3.2-1b" / "config.json",
       R"({"model_type": "llama", "hidden_size": 2048, "intermediate_size": 8192,
    "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256,
    "max_position_embeddings": 131072, "tie_word_embeddings": true, "torch_dtype": "bfloat16"})");
  publish(dir / "llama-3.2-1b" / "model.safetensors", [&](const std::string& p) {
    vramest::test::write_safetensors(
        p, vramest::test::llama_like_safetensors(16, 2048, 32, 8, 64, 8192, 128256, true));
  });
  // Broken files for the error cases.
  std::string bytes = vramest::test::gguf_bytes(gguf.metadata, gguf.tensors, 3, 32, false);
  text(dir / "truncated.gguf", bytes.substr(0, 100));
  bytes[0] = 'X';
  text(dir / "bad-magic.gguf", bytes);
  std::string huge(8, '\0');
  huge[3] = 0x7f;  // a header length of 2,130,706,432 bytes, far beyond the 100,000,000 cap
  text(dir / "huge-header.safetensors", huge + "{}");
  text(dir / "notes.txt", "not a model");
}

TEST_CASE("golden: model files: inspect and estimates from exact bytes", "[golden][model_file]") {
  write_model_files();
  check_all({
      {"inspect_gguf", {"inspect", "data/generated/llama-3.1-8b-Q4_K_M.gguf"}, 0},
      {"inspect_gguf_json",
       {"inspect", "data/generated/llama-3.1-8b-Q4_K_M.gguf", "--json", "--top", "3"},
       0},
      {"inspect_safetensors_dir", {"inspect", "data/generated/llama-3.2-1b", "--units", "gib"}, 0},
      {"estimate_gguf_4090",
       {"data/generated/llama-3.1-8b-Q4_K_M.gguf", "-c", "32k", "--gpu", "rtx-4090"},
       0},
      {"estimate_safetensors_json", {"data/generated/llama-3.2-1b", "-c", "8192", "--json"}, 0},
      {"fit_gguf",
       {"fit", "data/generated/llama-3.1-8b-Q4_K_M.gguf", "--gpu", "rtx-4060-ti-8gb", "--no-chart"},
       0},
      {"err_inspect_missing", {"inspect", "data/generated/nowhere.gguf"}, 4},
      {"err_inspect_not_model", {"inspect", "data/generated/notes.txt"}, 4},
      {"err_gguf_truncated", {"inspect", "data/generated/truncated.gguf"}, 4},
      {"err_gguf_bad_magic", {"data/generated/bad-magic.gguf", "--json"}, 4},
      {"err_safetensors_huge_header", {"inspect", "data/generated/huge-header.safetensors"}, 4},
  });
}

TEST_CASE("golden: the GPU catalog", "[golden]") {
  check_all({
      {"gpus", {"gpus"}, 0},
      {"gpus_json", {"gpus", "--json"}, 0},
      {"gpus_apple_gib", {"gpus", "--segment", "apple", "--units", "gib"}, 0},
  });
}

TEST_CASE("golden: help and version", "[golden]") {
  check_all({
      {"help", {"--help"}, 0},
      {"gpus_help", {"gpus", "--help"}, 0},
      {"fit_help", {"fit", "--help"}, 0},
      {"inspect_help", {"inspect", "--help"}, 0},
      {"sweep_help", {"sweep", "--help"}, 0},
      {"version", {"--version"}, 0},
  });
}

TEST_CASE("golden: every error has its exit code, one line on stderr, and a JSON object",
          "[golden][errors]") {
  check_all({
      {"err_no_model", {}, 2},
      {"err_unknown_flag", {"14B", "--bogus"}, 2},
      {"err_unknown_flag_json", {"14B", "--bogus", "--json"}, 2},
      {"gpus_without_gpu", {"llama-3.1-8b", "--gpus", "2"}, 0},
      {"err_overhead_train", {"14B", "--mode", "train", "--overhead", "1.2"}, 2},
      {"err_all_train", {"14B", "--mode", "train", "-p", "all"}, 2},
      {"err_size_suffix", {"14X"}, 3},
      {"err_size_negative", {"--", "-3B"}, 3},
      {"err_size_zero", {"0"}, 3},
      {"err_size_exponent", {"1e400"}, 3},
      {"err_size_empty", {""}, 3},
      {"err_size_double_suffix", {"14BB"}, 3},
      {"err_size_absurd", {"101T"}, 3},
      {"err_size_absurd_json", {"101T", "--json"}, 3},
      {"err_precision", {"14B", "-p", "fp61"}, 3},
      {"err_precision_json", {"14B", "-p", "int3", "--json"}, 3},
      {"err_gpu_unknown", {"14B", "-p", "int8", "--gpu", "rtx-4090x"}, 3},
      {"err_gpu_count_zero", {"14B", "-p", "int8", "--gpu", "rtx-4090", "--gpus", "0"}, 3},
      {"err_method_detailed", {"14B", "--method", "detailed"}, 3},
      {"err_method_unknown", {"14B", "--method", "magic"}, 3},
      {"err_mode_unknown", {"14B", "--mode", "serve"}, 3},
      {"err_qlora", {"14B", "--mode", "qlora"}, 3},
      {"err_train_int4", {"14B", "--mode", "train", "-p", "int4"}, 3},
      {"err_overhead_low", {"14B", "-p", "fp16", "--overhead", "0.9"}, 3},
      {"err_units", {"14B", "--units", "tb"}, 3},
      {"err_segment", {"gpus", "--segment", "mainframe"}, 3},
      {"err_data_dir_missing", {"14B", "--data-dir", "data/nowhere"}, 4},
      {"err_data_dir_broken", {"14B", "--data-dir", "data/broken"}, 4},
      {"err_data_dir_broken_json", {"gpus", "--data-dir", "data/broken", "--json"}, 4},
      {"err_model_unknown", {"llama-3.1-8c"}, 3},
      {"err_model_unknown_json", {"qwen9-8b", "--json"}, 3},
      {"err_config_malformed", {"data/config-broken/config.json"}, 4},
      {"err_config_missing_field", {"data/config-missing"}, 4},
      {"err_config_dir_without_config", {"data/empty-dir"}, 4},
      {"err_config_not_regular_file", {"/dev/zero"}, 4},
      {"err_context_zero", {"llama-3.1-8b", "-c", "0"}, 3},
      {"err_context_text", {"llama-3.1-8b", "-c", "lots"}, 3},
      {"err_context_absurd", {"llama-3.1-8b", "-c", "999999999999"}, 3},
      {"err_batch_zero", {"llama-3.1-8b", "-b", "0"}, 3},
      {"err_context_with_rule", {"llama-3.1-8b", "--method", "rule", "-c", "8192"}, 2},
      {"err_context_with_size", {"14B", "-c", "8192"}, 2},
      {"err_engine_unknown", {"llama-3.1-8b", "--engine", "tgi"}, 3},
      {"err_format_unknown", {"llama-3.1-8b", "-p", "q4_k_n"}, 3},
      {"err_gguf_on_transformers", {"llama-3.1-8b", "--engine", "transformers", "-p", "q4_k_m"}, 3},
      {"gguf_format_implies_llamacpp", {"llama-3.1-8b", "-p", "q4_k_m"}, 0},
      {"err_flag_misspelled", {"14B", "--gpuz", "rtx-4090"}, 2},
      {"err_memory_without_unit", {"fit", "llama-3.1-8b", "--gpu-memory", "24"}, 3},
      {"err_missing_path", {"models/nope.gguf"}, 4},
      {"err_tp_not_dividing", {"llama-3.1-70b", "--engine", "vllm", "-tp", "3"}, 3},
      {"err_fsdp_on_inference", {"llama-3.1-8b", "--fsdp", "--json"}, 2},
      {"err_context_not_whole", {"llama-3.1-8b", "-c", "1.3k"}, 3},
      {"err_nf4_on_llamacpp", {"llama-3.1-8b", "-p", "nf4", "--engine", "llamacpp"}, 3},
      {"err_kv_q8_on_vllm", {"llama-3.1-8b", "--engine", "vllm", "--kv-dtype", "q8_0"}, 3},
      {"err_kv_unknown", {"llama-3.1-8b", "--kv-dtype", "int2"}, 3},
      {"err_ubatch_on_vllm", {"llama-3.1-8b", "--engine", "vllm", "--ubatch", "256"}, 2},
      {"err_gpu_util_bad", {"llama-3.1-8b", "--engine", "vllm", "--gpu-util", "1.5"}, 3},
      {"err_all_detailed", {"llama-3.1-8b", "-p", "all"}, 2},
      {"err_quant_format_rule", {"14B", "-p", "q4_k_m"}, 3},
      {"err_models_family", {"models", "--family", "no-such-family"}, 3},
      {"err_tp_heads", {"llama-3.1-8b", "--mode", "train", "--tp", "3", "--gpus", "3"}, 3},
      {"err_zero_one_gpu", {"llama-3.1-8b", "--mode", "train", "--zero", "3"}, 3},
      {"err_zero_stage", {"llama-3.1-8b", "--mode", "train", "--zero", "4", "--gpus", "4"}, 3},
      {"err_qlora_fp32", {"llama-3.1-8b", "--mode", "qlora", "--training-precision", "fp32"}, 3},
      {"err_qlora_int8_base", {"llama-3.1-8b", "--mode", "qlora", "-p", "int8"}, 3},
      {"err_optimizer", {"llama-3.1-8b", "--mode", "train", "--optimizer", "adam8"}, 3},
      {"err_lora_target", {"llama-3.1-8b", "--mode", "lora", "--lora-targets", "q,attention"}, 3},
      {"err_lora_rank_on_full", {"llama-3.1-8b", "--mode", "train", "--lora-rank", "8"}, 2},
      {"err_training_flag_on_inference", {"llama-3.1-8b", "--optimizer", "adamw"}, 2},
      {"err_zero_and_fsdp",
       {"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--zero", "3", "--fsdp", "full"},
       2},
      {"err_engine_on_training", {"llama-3.1-8b", "--mode", "train", "--engine", "vllm"}, 2},
      {"err_training_flags_on_size", {"14B", "--mode", "train", "--zero", "3"}, 2},
  });
}
