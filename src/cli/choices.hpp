// choices.hpp — one table per choice a flag takes: each value's canonical name and the spellings
// users bring from other tools (Hugging Face TrainingArguments, DeepSpeed, vLLM, llama.cpp). The
// table parses a flag's text, and the same table yields the "known: ..." hint and "did you mean".
//
//   const Engine e = kEngines.parse("llama.cpp", "engine");   // Engine::llamacpp
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/estimate.hpp"
#include "vramest/kv_cache.hpp"
#include "vramest/suggest.hpp"
#include "vramest/training.hpp"

namespace vramest::shell {

template <typename T>
struct ChoiceRow {
  T value;
  std::string_view name;                  // canonical, as shown and in JSON
  std::vector<std::string_view> aliases;  // other spellings, lower case
};

template <typename T>
class ChoiceTable {
 public:
  ChoiceTable(std::string_view what, std::initializer_list<ChoiceRow<T>> rows) : what_(what), rows_(rows) {}

  T parse(std::string_view text) const {
    const std::string lower = to_lower(text);
    for (const ChoiceRow<T>& row : rows_) {
      if (lower == row.name) return row.value;
      for (std::string_view alias : row.aliases) {
        if (lower == alias) return row.value;
      }
    }
    std::vector<std::string> names;
    for (const ChoiceRow<T>& row : rows_) {
      names.emplace_back(row.name);
      for (std::string_view alias : row.aliases) names.emplace_back(alias);
    }
    const std::string hint = did_you_mean(text, names);
    throw Error(ErrorCode::invalid_value, "unknown " + std::string(what_) + " '" + std::string(text) + "'",
                hint.empty() ? "known: " + known() : hint);
  }

  // "a, b, c": the canonical names.
  std::string known() const {
    std::string out;
    for (const ChoiceRow<T>& row : rows_) out += (out.empty() ? "" : ", ") + std::string(row.name);
    return out;
  }

 private:
  std::string_view what_;
  std::vector<ChoiceRow<T>> rows_;
};

inline const ChoiceTable<Mode> kModes{
    "mode",
    {{Mode::inference, "inference", {"infer"}},
     {Mode::train, "train", {"full", "full-ft", "finetune", "fine-tune", "sft"}},
     {Mode::lora, "lora", {}},
     {Mode::qlora, "qlora", {}}}};

inline const ChoiceTable<Method> kMethods{
    "method", {{Method::detailed, "detailed", {}}, {Method::rule, "rule", {"rules"}}}};

inline const ChoiceTable<Engine> kEngines{
    "engine",
    {{Engine::transformers, "transformers", {"hf", "huggingface", "accelerate"}},
     {Engine::vllm, "vllm", {}},
     {Engine::llamacpp, "llamacpp", {"llama.cpp", "llama-cpp", "llama-server", "ollama"}}}};

// Hugging Face TrainingArguments.optim names (transformers/training_args.py OptimizerNames) map to
// the optimizer whose states they keep.
inline const ChoiceTable<Optimizer> kOptimizers{
    "optimizer",
    {{Optimizer::adamw,
      "adamw",
      {"adam", "adamw_torch", "adamw_torch_fused", "adamw_hf", "adamw_apex_fused", "adamw-torch"}},
     {Optimizer::adamw_8bit, "adamw-8bit", {"adamw_8bit", "adamw_bnb_8bit", "adamw8bit", "bnb-adamw-8bit"}},
     {Optimizer::paged_adamw, "paged-adamw", {"paged_adamw", "paged_adamw_32bit", "paged-adamw-32bit"}},
     {Optimizer::paged_adamw_8bit, "paged-adamw-8bit", {"paged_adamw_8bit"}},
     {Optimizer::adafactor, "adafactor", {}},
     {Optimizer::sgd, "sgd", {}},
     {Optimizer::sgd_momentum, "sgd-momentum", {"sgd_momentum"}},
     {Optimizer::lion, "lion", {"lion_32bit", "lion-32bit"}}}};

// fp16 mixed precision (torch AMP with an fp32 master copy) keeps the same bytes as bf16 mixed.
inline const ChoiceTable<TrainingPrecision> kTrainingPrecisions{
    "training precision",
    {{TrainingPrecision::mixed,
      "mixed",
      {"amp", "fp16", "fp16-mixed", "bf16-mixed", "mixed-bf16", "mixed-fp16", "16-mixed"}},
     {TrainingPrecision::bf16, "bf16", {"bf16-true", "pure-bf16", "bfloat16"}},
     {TrainingPrecision::fp32, "fp32", {"32", "float32", "32-true"}}}};

inline const ChoiceTable<Checkpointing> kCheckpointing{
    "gradient checkpointing",
    {{Checkpointing::none, "none", {"false", "off", "no", "0"}},
     {Checkpointing::selective, "selective", {"attention"}},
     {Checkpointing::full, "full", {"true", "on", "yes", "1"}}}};

inline const ChoiceTable<Offload> kOffloads{"offload",
                                            {{Offload::none, "none", {}},
                                             {Offload::optimizer, "optimizer", {"cpu", "optim"}},
                                             {Offload::params, "params", {"parameters", "param"}}}};

// FSDP sharding strategies (torch.distributed.fsdp.ShardingStrategy, accelerate's names) as the
// ZeRO stage whose states they shard; HYBRID_SHARD shards within a node (one node assumed).
inline const ChoiceTable<int> kFsdpStrategies{
    "FSDP sharding strategy",
    {{3, "full", {"full_shard", "full-shard", "1", "hybrid_shard", "hybrid-shard", "hybrid"}},
     {2, "grad-op", {"shard_grad_op", "shard-grad-op", "grad_op", "2"}},
     {0, "none", {"no_shard", "no-shard", "3"}}}};

inline const ChoiceTable<int> kZeroStages{"ZeRO stage",
                                          {{0, "0", {"none"}}, {1, "1", {}}, {2, "2", {}}, {3, "3", {}}}};

// llama.cpp -fa on|off|auto (auto: on where the backend supports it, which CUDA does).
inline const ChoiceTable<bool> kFlashAttention{"flash attention setting",
                                               {{true, "on", {"auto", "true", "1", "yes", "enabled"}},
                                                {false, "off", {"false", "0", "no", "disabled"}}}};

}  // namespace vramest::shell
