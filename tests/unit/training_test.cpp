#include "vramest/training.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "cli/choices.hpp"
#include "support/catalog_models.hpp"

using namespace vramest;

namespace {

TrainingResult train(std::string_view id, TrainingOptions opt) {
  const ModelArch arch = test::arch_of(id);
  const ParamCounts counts = count_params(arch);
  return estimate_training(arch, {std::string(id), counts.total, counts.active, "catalog"}, opt);
}

TrainingOptions options(Mode mode, std::uint64_t seq = 2048) {
  TrainingOptions opt;
  opt.mode = mode;
  opt.seq_len = seq;
  return opt;
}

}  // namespace

// ZeRO (Rajbhandari et al. 2020, Figure 1): Psi = 7.5B, K = 12, N_d = 64 -> 120, 31.4, 16.6 and
// 1.9 GB of model states per GPU for the baseline and stages 1, 2 and 3.
TEST_CASE("training: the ZeRO paper's 7.5B example reproduces exactly", "[training]") {
  const std::uint64_t psi = 7'500'000'000ULL;
  const ModelStates baseline{Bytes{2 * psi}, Bytes{2 * psi}, Bytes{12 * psi}};
  CHECK(zero_partition(baseline, 0, 64).total().count == 120'000'000'000ULL);
  CHECK(zero_partition(baseline, 1, 64).total().count == 31'406'250'000ULL);  // 31.4 GB
  CHECK(zero_partition(baseline, 2, 64).total().count == 16'640'625'000ULL);  // 16.6 GB
  CHECK(zero_partition(baseline, 3, 64).total().count == 1'875'000'000ULL);   // 1.9 GB
}

// Mixed-precision AdamW keeps 16 bytes per parameter of model states (ZeRO paper section 3.1:
// 2 + 2 + K with K = 12); pure bf16 AdamW 8 (states in the parameter dtype); fp32 16.
TEST_CASE("training: model states per parameter by precision", "[training]") {
  const std::uint64_t p = count_params(test::arch_of("llama-3.1-8b")).total;
  TrainingOptions opt = options(Mode::train);
  opt.checkpointing = Checkpointing::full;
  // Gradients are as large as the weights; at the backward-pass peak all of them exist.
  const auto states = [&](TrainingPrecision precision) {
    opt.precision = precision;
    const Components& c = train("llama-3.1-8b", opt).estimate.components;
    REQUIRE(c.gradients == c.weights);
    return c.weights.count + c.gradients.count + c.optimizer.count;
  };
  CHECK(states(TrainingPrecision::mixed) == 16 * p);
  CHECK(states(TrainingPrecision::bf16) == 8 * p);
  CHECK(states(TrainingPrecision::fp32) == 16 * p);
}

// LoRA adds r x (d_in + d_out) per targeted matrix (Hu et al. 2021). Llama-3.1-8B (formulas.md
// section 5): r=16 on q,v 6,815,744; r=16 all-linear 41,943,040; r=8 all-linear 20,971,520.
TEST_CASE("training: LoRA trainable parameters are exact", "[training]") {
  const std::vector<TensorShape> tensors = model_tensors(test::arch_of("llama-3.1-8b"));
  CHECK(lora_params(tensors, 16, {"q_proj", "v_proj"}) == 6'815'744ULL);
  CHECK(lora_params(tensors, 16, {"q", "v"}) == 6'815'744ULL);
  CHECK(lora_params(tensors, 16, {"all-linear"}) == 41'943'040ULL);
  CHECK(lora_params(tensors, 8, {"all-linear"}) == 20'971'520ULL);
  CHECK(lora_params(tensors, 64, {"all-linear"}) == 167'772'160ULL);
  CHECK_THROWS_WITH(check_lora_targets({"q_prj"}), Catch::Contains("unknown LoRA target"));
}

// formulas.md section 5: QLoRA of Llama-3.1-8B keeps 6.98B linear parameters in NF4 with double
// quantization (3.60 GB) and upcasts the 1.05B embedding and head parameters to fp32 (4.20 GB).
TEST_CASE("training: QLoRA's base is NF4 plus fp32 non-linear parameters", "[training]") {
  const TrainingResult q = train("llama-3.1-8b", options(Mode::qlora));
  const double adapters_gb = 4.0 * 6'815'744 / 1e9;
  CHECK(to_gb(q.estimate.components.weights) - adapters_gb == Approx(3.60 + 4.20).epsilon(0.01));
}

TEST_CASE("training: bitsandbytes 8-bit states are 2 bytes plus block scales per parameter", "[training]") {
  const TensorShape big{TensorRole::attn_q, 0, 4096, 4096, 1};
  const std::uint64_t n = 4096ULL * 4096;
  using training_detail::optimizer_state_bytes;
  CHECK(optimizer_state_bytes(Optimizer::adamw, big, n, 4) == 8 * n);
  CHECK(optimizer_state_bytes(Optimizer::adamw_8bit, big, n, 4) == 2 * (n + 4 * n / 256));
  // tensors under 4096 values keep fp32 states (min_8bit_size)
  const TensorShape norm{TensorRole::attn_norm, 0, 4096, 1, 1};
  CHECK(optimizer_state_bytes(Optimizer::adamw_8bit, norm, 4095, 4) == 8 * 4095);
  CHECK(optimizer_state_bytes(Optimizer::adafactor, big, n, 4) == (4096 + 4096) * 4);
  CHECK(optimizer_state_bytes(Optimizer::sgd, big, n, 4) == 0);
  CHECK(optimizer_state_bytes(Optimizer::lion, big, n, 4) == 4 * n);
}

// Korthikanti et al. 2022 section 4, adapted to what autograd saves in a Llama block
// (formulas.md 3.2's modern-block estimate: 12 h + 4 KV d + 4 a + (6..8) I): Llama-3-8B stores
// 12 h (two fp32-upcast RMSNorms) + Q, K, V and the output + 4 x 32 B of log-sum-exp + 8 I.
TEST_CASE("training: stored activations per layer follow the block", "[training]") {
  const ModelArch arch = test::arch_of("llama-3-8b");
  const LayerActivation a = layer_activation(arch, arch.layers[0], 4096, true);
  CHECK(a.per_token == 12 * 4096 + 2 * (4096 + 2 * 8 * 128) + 2 * 4096 + 4 * 32 + 8 * 14336);
  CHECK(a.per_token == 184'448);
  // without flash attention the softmax probabilities grow with the sequence
  CHECK(layer_activation(arch, arch.layers[0], 4096, false).per_token > a.per_token + 2 * 32 * 4000);
}

TEST_CASE("training: properties that must hold", "[training][property]") {
  for (const char* id : {"llama-3.1-8b", "qwen3-30b-a3b", "gemma-2-9b"}) {
    INFO(id);
    const Bytes full = train(id, options(Mode::train)).estimate.total;
    const Bytes lora = train(id, options(Mode::lora)).estimate.total;
    const Bytes qlora = train(id, options(Mode::qlora)).estimate.total;
    CHECK(lora < full);
    CHECK(qlora < lora);
    // checkpointing never raises memory
    for (Mode mode : {Mode::train, Mode::lora}) {
      Bytes previous = train(id, options(mode)).estimate.total;
      for (Checkpointing c : {Checkpointing::selective, Checkpointing::full}) {
        TrainingOptions opt = options(mode);
        opt.checkpointing = c;
        const Bytes now = train(id, opt).estimate.total;
        CHECK(now <= previous);
        previous = now;
      }
    }
    // per-GPU memory falls with the ZeRO stage and with the GPU count
    Bytes previous = full;
    for (int stage : {1, 2, 3}) {
      TrainingOptions opt = options(Mode::train);
      opt.gpus = 8;
      opt.zero_stage = stage;
      const Bytes now = train(id, opt).estimate.total;
      CHECK(now <= previous);
      previous = now;
    }
    Bytes per_gpu = full;
    for (std::uint64_t gpus : {2ULL, 4ULL, 8ULL, 16ULL}) {
      TrainingOptions opt = options(Mode::train);
      opt.gpus = gpus;
      opt.zero_stage = 3;
      const Bytes now = train(id, opt).estimate.total;
      CHECK(now < per_gpu);
      per_gpu = now;
    }
    // longer sequences and bigger micro-batches need more
    TrainingOptions longer = options(Mode::lora, 4096);
    CHECK(train(id, longer).estimate.total > lora);
    longer.micro_batch = 2;
    CHECK(train(id, longer).estimate.total > train(id, options(Mode::lora, 4096)).estimate.total);
  }
}

TEST_CASE("training: every lever re-estimates to a smaller total", "[training]") {
  const ModelArch arch = test::arch_of("llama-3.1-8b");
  const ParamCounts counts = count_params(arch);
  const ModelRef ref{"llama-3.1-8b", counts.total, counts.active, "catalog"};
  const TrainingOptions opt = options(Mode::train);
  const TrainingResult r = estimate_training(arch, ref, opt);
  const std::vector<Lever> levers = training_levers(arch, ref, opt, r);
  REQUIRE(levers.size() >= 4);
  for (const Lever& l : levers) {
    INFO(l.name);
    CHECK(l.total_after + l.saves == r.estimate.total);
  }
  CHECK(std::is_sorted(levers.begin(), levers.end(),
                       [](const Lever& a, const Lever& b) { return a.saves > b.saves; }));
}

TEST_CASE("training: impossible plans are invalid values", "[training]") {
  TrainingOptions opt = options(Mode::train);
  opt.tp = 3;  // 32 heads, 8 KV heads
  opt.gpus = 3;
  CHECK_THROWS_WITH(train("llama-3.1-8b", opt), Catch::Contains("does not divide"));
  opt = options(Mode::train);
  opt.zero_stage = 3;  // one GPU
  CHECK_THROWS_WITH(train("llama-3.1-8b", opt), Catch::Contains("ZeRO"));
  opt = options(Mode::qlora);
  opt.precision = TrainingPrecision::fp32;
  CHECK_THROWS_WITH(train("llama-3.1-8b", opt), Catch::Contains("QLoRA"));
  opt = options(Mode::train);
  opt.gpus = 6;
  opt.tp = 4;
  CHECK_THROWS_WITH(train("llama-3.1-8b", opt), Catch::Contains("multiple"));
  opt = options(Mode::train);
  opt.offload = Offload::params;
  CHECK_THROWS_WITH(train("llama-3.1-8b", opt), Catch::Contains("ZeRO-3"));
  CHECK_THROWS_AS(vramest::shell::kOptimizers.parse("adam-16bit"), Error);
  CHECK(vramest::shell::kOptimizers.parse("AdamW-8bit") == Optimizer::adamw_8bit);
  CHECK(vramest::shell::kOptimizers.parse("adamw_bnb_8bit") ==
        Optimizer::adamw_8bit);  // Hugging Face optim name
}

TEST_CASE("training: levers are distinct even when --gpus exceeds every sharding step",
          "[training][regression]") {
  const ModelArch arch = test::arch_of("llama-3.1-8b");
  const ParamCounts counts = count_params(arch);
  const ModelRef ref{"llama-3.1-8b", counts.total, counts.active, "catalog"};
  TrainingOptions opt = options(Mode::train);
  opt.gpus = 16;  // ZeRO-3 over 2, 4 and 8 all meant 16 GPUs: listed three times
  const std::vector<Lever> levers = training_levers(arch, ref, opt, estimate_training(arch, ref, opt));
  std::set<std::string> names;
  for (const Lever& l : levers) CHECK(names.insert(l.name).second);
}
